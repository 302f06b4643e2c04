from django.urls import path

from . import views

app_name = "displays"
urlpatterns = [
    path("display/", views.display, name="display"),
    path("display/preview/<int:display_id>/", views.preview, name="preview"),
]
