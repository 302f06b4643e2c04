from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionsConfig(AppConfig):
    name = "resolutions"
    verbose_name = _("Nghị quyết: xây dựng, thực hiện, giám sát")

    def ready(self):
        # The tasks' section of the agency desk (petitions.desk; resolutions/desk.py).
        from . import desk

        desk.register()
