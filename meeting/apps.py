from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingConfig(AppConfig):
    name = "meeting"
    verbose_name = _("Hội đồng và phiên họp")
