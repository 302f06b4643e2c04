from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    name = "video"
    verbose_name = _("Dự họp trực tuyến")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hub, pages

        hub.register()  # the hub's parts (realtime/registry.py, docs/modules.md)
        pages.register()  # the terminal's video panel and the landing of a remote link
