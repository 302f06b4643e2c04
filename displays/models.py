from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Display(models.Model):
    """A screen in the hall. It follows one sitting and shows one slide of it."""

    name = models.CharField(_("tên"), max_length=100, unique=True)
    sitting = models.ForeignKey("meeting.Sitting", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="displays", verbose_name=_("phiên họp đang theo dõi"))
    slide = models.CharField(_("trang chiếu"), max_length=40, default="overview")

    class Meta:
        ordering = ["name"]
        verbose_name = _("màn hình")
        verbose_name_plural = pgettext_lazy("plural", "màn hình")

    def __str__(self):
        return self.name
