from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Device(models.Model):
    """A paired device: a delegate's tablet, a hall display or the chair console.

    A terminal or console acts as its person (a Django session for that user);
    a hall display has no person and acts as the display it is bound to.
    """

    class Kind(models.TextChoices):
        TERMINAL = "terminal", _("Máy tính bảng đại biểu")
        DISPLAY = "display", _("Màn hình hội trường")
        CONSOLE = "console", _("Bàn điều khiển chủ tọa")
        # A remote participant's laptop or phone (the video module's page; docs/decisions/0014).
        REMOTE = "remote", _("Thiết bị dự họp trực tuyến")
        # The media process (videod) following the sittings it serves, as a display does: no person.
        MEDIA = "media", _("Máy chủ video")

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("tên"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("người dùng"))
    display = models.ForeignKey(settings.HUB_DISPLAY_MODEL, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("màn hình"))
    paired_at = models.DateTimeField(_("ghép nối lúc"), auto_now_add=True)
    revoked = models.BooleanField(_("đã thu hồi"), default=False)
    # The browser session the device was paired into; revoking the device ends it.
    session_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("thiết bị")
        verbose_name_plural = pgettext_lazy("plural", "thiết bị")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"


class PairingToken(models.Model):
    """The server-side half of a pairing QR code: single use, short life, one purpose.

    The QR code carries only a signature over `jti` (accounts.pairing); the
    target (whom or what the device becomes) stays here.
    """

    class Purpose(models.TextChoices):
        TERMINAL = "terminal", _("Ghép máy tính bảng đại biểu")
        DISPLAY = "display", _("Ghép màn hình hội trường")
        CONSOLE = "console", _("Ghép bàn điều khiển chủ tọa")
        REMOTE = "remote", _("Liên kết dự họp trực tuyến")

    jti = models.CharField(max_length=32, unique=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    display = models.ForeignKey(settings.HUB_DISPLAY_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("mã ghép nối")
        verbose_name_plural = pgettext_lazy("plural", "mã ghép nối")
