from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One row per accepted change and per refused privileged request.

    Written inside the same transaction as the change it records, so an
    acknowledged change always has its audit row, and a rolled-back one none.
    """

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("người dùng"))
    device = models.ForeignKey("accounts.Device", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("thiết bị"))
    role = models.CharField(_("vai trò"), max_length=20, blank=True)
    action = models.CharField(_("hành động"), max_length=60, db_index=True)
    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("phiên họp"))
    outcome = models.CharField(_("kết quả"), max_length=20, default="ok")  # ok | denied | error code
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("bản ghi nhật ký")
        verbose_name_plural = _("nhật ký kiểm tra")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"
