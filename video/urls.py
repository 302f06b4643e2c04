from django.urls import path

from . import views

urlpatterns = [
    path("video/<int:sitting_id>/hall/", views.hallcam, name="video-hallcam"),
    path("video/<int:sitting_id>/sessions.csv", views.sessions_log, name="video-sessions"),
]
