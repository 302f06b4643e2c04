"""Voter-contact meetings and their petitions (petitions/voter-meetings/…)."""

from django.urls import path

from . import views_meetings as views

urlpatterns = [
    path("petitions/voter-meetings/", views.meeting_list, name="meetings"),
    path("petitions/voter-meetings/new/", views.meeting_new, name="meeting_new"),
    path("petitions/voter-meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
]
