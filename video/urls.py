from django.urls import path

from . import views

urlpatterns = [
    path("video/<int:sitting_id>/hall/", views.hallcam, name="video-hallcam"),
    path("video/<int:sitting_id>/sessions.csv", views.sessions_log, name="video-sessions"),
    path("video/<int:sitting_id>/recordings/", views.recordings, name="video-recordings"),
    path("video/recording/<int:pk>/audio.ogg", views.recording_file, name="video-recording-file"),
]
