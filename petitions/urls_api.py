"""Open311 GeoReport v2 (open311/v2/…) and the JSON export of published cases (api/cases.json)."""

from django.urls import path, re_path

from . import views_api

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^open311/v2/discovery\.{FMT}$", views_api.discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services\.{FMT}$", views_api.services, name="open311_services"),
    re_path(rf"^open311/v2/services/(?P<code>[\w-]{{1,40}})\.{FMT}$", views_api.service_definition,
            name="open311_service"),
    re_path(rf"^open311/v2/requests\.{FMT}$", views_api.requests, name="open311_requests"),
    re_path(rf"^open311/v2/requests/(?P<request_id>[\w-]{{1,40}})\.{FMT}$", views_api.request_detail,
            name="open311_request"),
    path("api/cases.json", views_api.export_cases, name="api_cases"),
]
