"""Reports and statistics (petition staff)."""

from django.urls import path

from . import views_reports

urlpatterns = [
    path("petitions/reports/", views_reports.index, name="reports"),
    path("petitions/reports/session/<int:session_id>.pdf", views_reports.session_pdf, name="report_session_pdf"),
    path("petitions/reports/session/<int:session_id>.xlsx", views_reports.session_xlsx, name="report_session_xlsx"),
    path("petitions/statistics/", views_reports.statistics, name="statistics"),
]
