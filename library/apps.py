from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Thư viện tài liệu")

    def ready(self):
        from . import hub

        hub.register()  # the hub's parts of this module (realtime/registry.py)
