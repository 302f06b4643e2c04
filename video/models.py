from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RemoteSession(models.Model):
    """One joining of a sitting's video room: a remote participant (a member) or the control room's
    hall camera page (a staff user). The token's hash binds the media signals to it; a new join of
    the same person ends the one before (`replaced`). The attendance row says present, remote;
    this row keeps when and how the media part came and went (docs/decisions/0014 §4)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Người dự họp trực tuyến")
        HALLCAM = "hallcam", _("Camera hội trường")
        DISPLAY = "display", _("Màn hình hội trường")

    class State(models.TextChoices):
        JOINED = "joined", _("Đã vào phòng")
        LEFT = "left", _("Đã rời phòng")

    class Ended(models.TextChoices):
        LEFT = "left", _("Tự rời phòng")
        REPLACED = "replaced", _("Vào lại từ thiết bị khác")
        CLOSED = "closed", _("Phiên họp kết thúc")
        KICKED = "kicked", _("Chủ tọa mời ra")
        TIMEOUT = "timeout", _("Mất kết nối quá lâu")

    class Link(models.TextChoices):
        """The media connection as the media process reports it (never the attendance)."""

        CONNECTING = "connecting", _("Đang kết nối")
        CONNECTED = "connected", _("Đã kết nối")
        LOST = "lost", _("Mất kết nối")

    class Level(models.TextChoices):
        GOOD = "good", _("Tốt")
        FAIR = "fair", _("Trung bình")
        POOR = "poor", _("Kém")

    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("phiên họp"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey("meeting.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("thành viên"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("người dùng"))
    device = models.ForeignKey("accounts.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("thiết bị"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.JOINED)
    joined_at = models.DateTimeField(_("vào lúc"))
    ended_at = models.DateTimeField(_("rời lúc"), null=True, blank=True)
    ended_how = models.CharField(_("cách rời"), max_length=20, choices=Ended.choices, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    link = models.CharField(_("kết nối"), max_length=20, choices=Link.choices, default=Link.CONNECTING)
    link_since = models.DateTimeField(_("kết nối từ lúc"), null=True, blank=True)
    level = models.CharField(_("chất lượng"), max_length=10, choices=Level.choices, blank=True)
    lost_count = models.PositiveIntegerField(_("số lần mất kết nối"), default=0)
    rejoins = models.PositiveIntegerField(_("số lần vào lại"), default=0)

    class Meta:
        verbose_name = _("lượt dự họp trực tuyến")
        verbose_name_plural = pgettext_lazy("plural", "lượt dự họp trực tuyến")
        indexes = [models.Index(fields=["sitting", "state"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def peer(self) -> str:
        """The key the media process knows it by: m:<member id>, h:<user id>, d:<display device id>."""
        if self.kind == self.Kind.MEMBER:
            return f"m:{self.member_id}"
        return f"h:{self.user_id}" if self.kind == self.Kind.HALLCAM else f"d:{self.device_id}"


class MicOverride(models.Model):
    """The chair's "Bật mic"/"Tắt mic" for one person, for the turn at the floor when it was made
    (`speech` null: while nobody had the floor): the next turn makes it void (video/live.py)."""

    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("meeting.Member", on_delete=models.CASCADE, related_name="+")
    live = models.BooleanField()
    speech = models.ForeignKey("floor.Speech", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "member"], name="one_mic_override_per_member")]


class MediaRoom(models.Model):
    """What the media process last reported of a sitting's room: whether it is up, and its load."""

    sitting = models.OneToOneField(settings.HUB_SITTING_MODEL, on_delete=models.CASCADE, related_name="+")
    up = models.BooleanField(default=False)
    streams = models.PositiveIntegerField(default=0)
    capacity = models.PositiveIntegerField(default=0)
    overloaded = models.BooleanField(default=False)
    reported_at = models.DateTimeField(null=True, blank=True)
    # The sitting's sound is recorded for the minutes unless the chair switched it off (video.room).
    record = models.BooleanField(default=True)
    recording = models.BooleanField(default=False)  # as the media process reports it: running now


def recordings_storage():
    """The private documents storage (a callable, so the migration names it rather than a folder)."""
    from django.core.files.storage import storages

    return storages["documents"]


class Recording(models.Model):
    """A stretch of the sitting's sound (the hall and the live remote voices), an Ogg/Opus file in the
    private documents storage, with its wall-clock span: the minutes place each speech in it."""

    sitting = models.ForeignKey(settings.HUB_SITTING_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("phiên họp"))
    file = models.FileField(_("tệp"), storage=recordings_storage, upload_to="recordings/", max_length=300)
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"))
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)

    class Meta:
        verbose_name = _("bản ghi âm phiên họp")
        verbose_name_plural = pgettext_lazy("plural", "bản ghi âm phiên họp")
        constraints = [models.UniqueConstraint(fields=["file"], name="one_recording_per_file")]

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()
