from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisplaysConfig(AppConfig):
    name = "displays"
    verbose_name = _("Màn hình hội trường")

    def ready(self):
        from . import slides

        slides.register("overview", _("Tổng quan phiên họp"), "displays/slides/overview.js", order=10)
        slides.register("agenda", _("Chương trình phiên họp"), "displays/slides/agenda.js", order=20)
        slides.register("attendance", _("Sơ đồ điểm danh và túc số"), "displays/slides/attendance.js", order=30)
        slides.register("announcement", _("Thông báo"), "displays/slides/announcement.js", order=40)
