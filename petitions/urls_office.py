"""The office's pages: the register, the reception desk, a case and its decisions, the identity log."""

from django.urls import path

from . import views_delegate
from . import views_office as v

urlpatterns = [
    path("petitions/", v.register, name="register"),
    path("petitions/new/", v.reception, name="reception"),
    path("petitions/case/<int:case_id>/", v.case_page, name="case"),
    path("petitions/case/<int:case_id>/identity/", v.reveal, name="reveal_identity"),
    path("petitions/case/<int:case_id>/file/<int:file_id>/", v.case_file, name="case_file"),
    path("petitions/case/<int:case_id>/<slug:action>/", v.case_action, name="case_action"),
    path("petitions/identity-log/", v.identity_log, name="identity_log"),
    # A delegate hands a citizen's letter to the office.
    path("petitions/forward/", views_delegate.delegate_forward, name="delegate_forward"),
]
