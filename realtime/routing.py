from django.urls import path, re_path

from .consumers import NoSuchSittingConsumer, SittingConsumer

websocket_urlpatterns = [
    path("ws/sitting/<int:sitting_id>/", SittingConsumer.as_asgi()),
    # Anything else (/ws/sitting/abc/, a typo) is "no such sitting" (4404), not an
    # unrouted path, which Channels answers with an exception and a traceback.
    re_path(r"", NoSuchSittingConsumer.as_asgi()),
]
