from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("public/", views.public_list, name="public"),
    path("public/sitting/<int:sitting_id>/", views.public_sitting, name="sitting"),
]
