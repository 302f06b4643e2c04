from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def display_field():
    from django import forms

    from .models import Display

    return forms.ModelChoiceField(label=_("màn hình"), required=False, queryset=Display.objects.all())


class DisplaysConfig(AppConfig):
    name = "displays"
    verbose_name = _("Màn hình hội trường")

    def ready(self):
        from accounts import providers

        from . import hub, slides

        hub.register()  # the hub's parts of this module (realtime/registry.py)
        # What accounts asks of this module: the pairing form's display field, a paired display's page.
        providers.provide("pairing.display_field", display_field)
        providers.provide("landing.display", lambda user: "/display/")

        # Not a slide of its own: the display shows, of the others, the one that claims the screen
        # (a vote open, a result just published, an announcement, a speaker; display.js HallSlides.choose).
        slides.register("auto", _("Tự động theo diễn biến phiên họp"), None, order=5)
        slides.register("overview", _("Tổng quan phiên họp"), "displays/slides/overview.js", order=10)
        slides.register("agenda", _("Chương trình phiên họp"), "displays/slides/agenda.js", order=20)
        slides.register("attendance", _("Sơ đồ điểm danh và túc số"), "displays/slides/attendance.js", order=30)
        slides.register("announcement", _("Thông báo"), "displays/slides/announcement.js", order=40)
