from django.urls import path

from .consumers import SittingConsumer

websocket_urlpatterns = [
    path("ws/sitting/<int:sitting_id>/", SittingConsumer.as_asgi()),
]
