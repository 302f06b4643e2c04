from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingConfig(AppConfig):
    name = "meeting"
    verbose_name = _("Hội đồng và phiên họp")

    def ready(self):
        from . import access, hub

        access.register()  # its permission actions and what accounts asks of it (accounts.providers)
        hub.register()  # the hub's parts of this module (realtime/registry.py)
