from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Đơn thư, kiến nghị cử tri")

    def ready(self):
        from . import access

        access.register()  # the facts accounts.permissions asks of this module
