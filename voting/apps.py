from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Biểu quyết")

    def ready(self):
        from . import hub, panels

        hub.register()  # the hub's parts of this module (realtime/registry.py, docs/modules.md)
        panels.register()  # its panels on the console and the terminal, and its hall slides
