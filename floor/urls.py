from django.urls import path

from . import views

urlpatterns = [
    path("floor/<int:sitting_id>/speeches.csv", views.speech_log, name="floor-speeches"),
]
