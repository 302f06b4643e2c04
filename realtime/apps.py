from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self):
        from accounts import permissions

        from .external import REFRESH_ACTION

        # A change made beside the write path is told to clients by the project itself (realtime.external).
        permissions.register_action(REFRESH_ACTION, (permissions.SYSTEM,))
