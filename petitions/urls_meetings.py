"""Voter-contact meetings and their petitions (petitions/voter-meetings/…)."""

from django.urls import path

from . import views_meetings as views
from . import views_voter_petitions as compile_views

urlpatterns = [
    path("petitions/voter-meetings/", views.meeting_list, name="meetings"),
    path("petitions/voter-meetings/new/", views.meeting_new, name="meeting_new"),
    path("petitions/voter-meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    # The office compiles and forwards a session's petitions (petition staff).
    path("petitions/voter-petitions/", compile_views.sessions, name="voter_sessions"),
    path("petitions/voter-petitions/<int:session_id>/", compile_views.session, name="voter_session"),
    path("petitions/voter-petitions/<int:session_id>/front-summary", compile_views.front_file, name="voter_front_file"),
]
