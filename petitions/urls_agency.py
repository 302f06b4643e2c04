"""The agency desk: the transfers to the user's agency, acknowledge, ask for clarification, answer."""

from django.urls import path

from . import views_agency as v

urlpatterns = [
    path("agency/", v.desk, name="agency_desk"),
    path("agency/transfer/<int:transfer_id>/", v.transfer_page, name="agency_transfer"),
    path("agency/transfer/<int:transfer_id>/file/<int:file_id>/", v.transfer_file, name="agency_file"),
    path("agency/transfer/<int:transfer_id>/<slug:action>/", v.transfer_action, name="agency_action"),
]
