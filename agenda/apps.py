from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Chương trình phiên họp")

    def ready(self):
        from . import hub

        hub.register()  # the hub's parts of this module (realtime/registry.py)
