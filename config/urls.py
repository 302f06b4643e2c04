from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from config.media import member_photo
from portal import views as portal

urlpatterns = [
    path("", portal.home, name="home"),
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
]
