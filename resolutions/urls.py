"""The resolutions module's pages, each part in its own file: the office's programme and lifecycle
(urls_office), the public pages (urls_public), tasks and the agencies' reports (urls_tasks),
supervisions and the six-monthly report (urls_supervision)."""

from django.urls import include, path

app_name = "resolutions"

urlpatterns = [
    path("", include("resolutions.urls_office")),
    path("", include("resolutions.urls_public")),
    path("", include("resolutions.urls_tasks")),
    path("", include("resolutions.urls_supervision")),
]
