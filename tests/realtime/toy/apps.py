from django.apps import AppConfig


class ToyConfig(AppConfig):
    """The toy module installed as an app (tests/realtime/toy_settings.py: the worker processes of
    tests/realtime/test_private_cluster.py), registering its parts as any module does."""

    name = "tests.realtime.toy"
    label = "toy"

    def ready(self):
        from . import hub

        hub.register()
