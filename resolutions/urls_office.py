"""The office's pages of resolutions: the programme and a resolution's life (views_office)."""

from django.urls import path

from . import views_import
from . import views_office as v

urlpatterns = [
    path("resolutions/", v.programme, name="programme"),
    path("resolutions/new/", v.create, name="create"),
    path("resolutions/import/", views_import.import_page, name="import"),
    path("resolutions/import/template.xlsx", views_import.import_template, name="import_template"),
    path("resolutions/<int:resolution_id>/", v.resolution_page, name="resolution"),
    path("resolutions/<int:resolution_id>/edit/", v.edit, name="edit"),
    path("resolutions/<int:resolution_id>/step/<slug:to_status>/", v.transition, name="transition"),
    path("resolutions/<int:resolution_id>/number/", v.correct_number, name="correct_number"),
    path("resolutions/<int:resolution_id>/documents/", v.attach_document, name="attach_document"),
    path("resolutions/<int:resolution_id>/documents/<int:attached_id>/remove/", v.detach_document,
         name="detach_document"),
    path("resolutions/<int:resolution_id>/links/", v.add_link, name="add_link"),
    path("resolutions/<int:resolution_id>/links/<int:link_id>/remove/", v.remove_link, name="remove_link"),
]
