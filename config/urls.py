from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from config.media import member_photo
from portal import views as portal



def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static file (behind
    nginx, deploy/nginx.conf serves /favicon.ico itself). A redirect: its static name carries the hash."""
    response = HttpResponseRedirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("", portal.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Member photos; nothing else of MEDIA_ROOT (config/media.py; nginx serves the same folder).
    path("media/members/<path:path>", member_photo, name="member_photo"),
    path("", include("accounts.urls")),
    path("", include("meeting.urls")),
    path("", include("displays.urls")),
    path("", include("floor.urls")),
    path("", include("voting.urls")),
    path("", include("portal.urls")),
    path("", include("library.urls")),
    path("", include("petitions.urls")),
    path("", include("resolutions.urls")),
    path("", include("video.urls")),
]
