"""The deadlines dashboard (petition staff)."""

from django.urls import path

from . import views_dashboard

urlpatterns = [
    path("petitions/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
