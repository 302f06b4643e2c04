"""supervision pages of the resolutions module (see resolutions/urls.py): supervisions by the
committees and the standing committee, the six-monthly report, the links to questioning
commitments and voters' petitions."""

from django.urls import path

from . import views_supervision, views_supervision_links, views_supervision_report

urlpatterns = [
    path("resolutions/supervisions/", views_supervision.list_view, name="supervisions"),
    path("resolutions/supervisions/new/", views_supervision.create_view, name="supervision_create"),
    path("resolutions/supervisions/<int:supervision_id>/", views_supervision.detail_view, name="supervision"),
    path("resolutions/supervisions/<int:supervision_id>/edit/", views_supervision.edit_view, name="supervision_edit"),
    path("resolutions/supervisions/<int:supervision_id>/<slug:action>/", views_supervision.action_view,
         name="supervision_action"),
    path("resolutions/report/", views_supervision_report.page, name="report"),
    path("resolutions/report.pdf", views_supervision_report.pdf, name="report_pdf"),
    path("resolutions/report.xlsx", views_supervision_report.xlsx, name="report_xlsx"),
    path("resolutions/commitments/", views_supervision_links.commitments, name="commitments"),
    path("resolutions/commitments/<int:commitment_id>/track/", views_supervision_links.commitment_track,
         name="commitment_track"),
    path("resolutions/voter-petitions/", views_supervision_links.petitions, name="voter_petitions"),
    path("resolutions/voter-petitions/<int:case_id>/", views_supervision_links.petition, name="voter_petition"),
    path("resolutions/voter-petitions/<int:case_id>/<slug:action>/", views_supervision_links.petition_action,
         name="voter_petition_action"),
]
