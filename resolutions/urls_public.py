"""The public pages of resolutions (views_public): no sign-in."""

from django.urls import path

from . import views_public as v

urlpatterns = [
    path("public/resolutions/", v.public_list, name="public_list"),
    path("public/resolutions/<int:resolution_id>/", v.public_resolution, name="public_resolution"),
]
