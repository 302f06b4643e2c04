"""Each part of the petitions module keeps its own routes in its own file."""

from django.urls import include, path

app_name = "petitions"
urlpatterns = [
    path("", include("petitions.urls_public")),      # citizens: submit, receipt, status, answers (public/…)
    path("", include("petitions.urls_office")),      # the office: register, case, decisions, identity (petitions/…)
    path("", include("petitions.urls_agency")),      # the agency desk (agency/…)
    path("", include("petitions.urls_meetings")),    # voter-contact meetings (petitions/voter-meetings/…)
    path("", include("petitions.urls_dashboard")),   # deadlines dashboard (petitions/dashboard/)
    path("", include("petitions.urls_reports")),     # reports and statistics (petitions/reports/…)
    path("", include("petitions.urls_api")),         # Open311 GeoReport v2 and the JSON export (open311/…, api/…)
]
