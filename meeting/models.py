"""The council's reference data (bodies, terms, members, seats, sessions) and
the live state of a sitting (status, sequence number, attendance).

No business rule lives here: state changes go through meeting.services.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Term(models.Model):
    name = models.CharField(_("tên"), max_length=100)  # e.g. "2021–2026"
    start = models.DateField(_("bắt đầu"))
    end = models.DateField(_("kết thúc"))

    class Meta:
        ordering = ["-start"]
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = pgettext_lazy("plural", "nhiệm kỳ")

    def __str__(self):
        return self.name


class Body(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Hội đồng nhân dân")
        STANDING = "standing", _("Thường trực HĐND")
        COMMITTEE = "committee", _("Ban")
        DELEGATE_GROUP = "group", _("Tổ đại biểu")

    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=60, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("nhiệm kỳ"))
    # Quorum: fraction of the total members who must be present. Empty: settings.QUORUM_DEFAULT.
    quorum_numerator = models.PositiveSmallIntegerField(_("túc số: tử số"), null=True, blank=True)
    quorum_denominator = models.PositiveSmallIntegerField(_("túc số: mẫu số"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = pgettext_lazy("plural", "cơ quan")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(quorum_numerator__isnull=True, quorum_denominator__isnull=True)
                           | models.Q(quorum_numerator__gt=0, quorum_denominator__gte=models.F("quorum_numerator"))),
                name="body_quorum_is_a_fraction",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def quorum_fraction(self) -> tuple[int, int]:
        if self.quorum_numerator and self.quorum_denominator:
            return self.quorum_numerator, self.quorum_denominator
        return settings.QUORUM_DEFAULT


class Seat(models.Model):
    """A place in the hall, drawn on the seat map at (row, number)."""

    label = models.CharField(_("số ghế"), max_length=20, unique=True)
    row = models.PositiveSmallIntegerField(_("hàng"))
    number = models.PositiveSmallIntegerField(_("vị trí trong hàng"))

    class Meta:
        ordering = ["row", "number"]
        verbose_name = _("ghế")
        verbose_name_plural = pgettext_lazy("plural", "ghế")
        constraints = [models.UniqueConstraint(fields=["row", "number"], name="seat_row_number_unique")]

    def __str__(self):
        return self.label


class Member(models.Model):
    class Kind(models.TextChoices):
        DELEGATE = "delegate", _("Đại biểu")
        INVITED = "invited", _("Đại biểu mời")
        GUEST = "guest", _("Khách mời")
        OFFICIAL = "official", _("Cán bộ, công chức")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="member", verbose_name=_("tài khoản"))
    code = models.CharField(_("mã"), max_length=30, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.DELEGATE)
    position = models.CharField(_("chức vụ"), max_length=300, blank=True)
    photo = models.ImageField(_("ảnh"), upload_to="members/", blank=True)
    delegate_group = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="group_members",
                                       limit_choices_to={"kind": Body.Kind.DELEGATE_GROUP}, verbose_name=_("tổ đại biểu"))
    seat = models.OneToOneField(Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="member", verbose_name=_("ghế"))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("thành viên")
        verbose_name_plural = pgettext_lazy("plural", "thành viên")

    def __str__(self):
        return self.full_name

    @property
    def votes(self) -> bool:
        return self.kind == self.Kind.DELEGATE


class Membership(models.Model):
    """A member belongs to a body (the plenary, the standing committee, a committee)."""

    class Role(models.TextChoices):
        MEMBER = "member", pgettext_lazy("membership role", "Thành viên")
        CHAIR = "chair", _("Chủ tịch / Trưởng ban")
        VICE_CHAIR = "vice_chair", _("Phó Chủ tịch / Phó Trưởng ban")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cơ quan"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("thành viên"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    active = models.BooleanField(_("đang là thành viên"), default=True)

    class Meta:
        verbose_name = _("tư cách thành viên")
        verbose_name_plural = pgettext_lazy("plural", "tư cách thành viên")
        constraints = [models.UniqueConstraint(fields=["body", "member"], name="membership_unique")]

    def __str__(self):
        return f"{self.member} — {self.body}"


class Session(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Thường lệ")
        THEMATIC = "thematic", _("Chuyên đề")
        EXTRAORDINARY = "extraordinary", _("Bất thường")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("cơ quan"))
    number = models.PositiveSmallIntegerField(_("kỳ họp thứ"))
    title = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    is_public = models.BooleanField(_("công khai"), default=True)
    start_date = models.DateField(_("khai mạc"))
    end_date = models.DateField(_("bế mạc"))

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("kỳ họp")
        verbose_name_plural = pgettext_lazy("plural", "kỳ họp")

    def __str__(self):
        return self.title


class Sitting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Chưa khai mạc")
        LIVE = "live", _("Đang họp")
        CLOSED = "closed", _("Đã bế mạc")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="sittings", verbose_name=_("cơ quan"))
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="sittings", verbose_name=_("kỳ họp"))
    title = models.CharField(_("tên"), max_length=300)
    starts_at = models.DateTimeField(_("thời gian dự kiến"))
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    is_public = models.BooleanField(_("công khai"), default=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="chaired_sittings", verbose_name=_("chủ tọa"))
    secretary = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="clerked_sittings", verbose_name=_("thư ký"))
    # Live state, changed only by services.
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False)
    seq = models.PositiveBigIntegerField(_("số thứ tự sự kiện"), default=0, editable=False)
    opened_at = models.DateTimeField(_("khai mạc lúc"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("bế mạc lúc"), null=True, blank=True, editable=False)
    announcement = models.TextField(_("thông báo"), blank=True, editable=False)
    announcement_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The start of the roll call open now (RollCall, ended_at null), null when none is: read with the
    # sitting's row under its lock, so a check-in learns there is none without a query.
    roll_call_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("phiên họp")
        verbose_name_plural = pgettext_lazy("plural", "phiên họp")
        permissions = [("operate_sitting", _("Điều hành phiên họp (thư ký)"))]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        ABSENT = "absent", _("Vắng")
        EXCUSED = "excused", _("Vắng có lý do")

    class Method(models.TextChoices):
        TERMINAL = "terminal", _("Tại máy tính bảng")
        SEAT_QR = "seat_qr", _("Quét mã ghế")
        SECRETARY = "secretary", _("Thư ký ghi nhận")
        REMOTE = "remote", _("Trực tuyến")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("phiên họp"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("thành viên"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    method = models.CharField(_("cách ghi nhận"), max_length=20, choices=Method.choices)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = pgettext_lazy("plural", "điểm danh")
        constraints = [models.UniqueConstraint(fields=["sitting", "member"], name="attendance_once_per_sitting")]

    def __str__(self):
        return f"{self.member} — {self.get_status_display()}"



class RollCall(models.Model):
    """An attendance check right before a vote (điểm danh lại): every delegate recorded present when
    it started confirms within a short time (attendance.check_in, or the secretary marks them), and
    at the end those who did not may be recorded absent. Changed only by meeting.services; the
    minutes read who was present when from it: `expected` when it started, `confirmed` and
    `marked_absent` when it ended (member ids)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="roll_calls", verbose_name=_("phiên họp"))
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    ends_at = models.DateTimeField(_("hết giờ lúc"), null=True, blank=True)  # the countdown's end, if any
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)  # null: open
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người bắt đầu"))
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("người kết thúc"))
    expected = models.JSONField(_("có mặt khi bắt đầu"), default=list)
    confirmed = models.JSONField(_("đã xác nhận"), default=list)  # filled when it ends
    marked_absent = models.JSONField(_("ghi vắng khi kết thúc"), default=list)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("điểm danh lại")
        verbose_name_plural = pgettext_lazy("plural", "điểm danh lại")
        constraints = [models.UniqueConstraint(fields=["sitting"], condition=models.Q(ended_at__isnull=True),
                                               name="roll_call_one_open_per_sitting")]

    def __str__(self):
        return f"{self.sitting} — {self.started_at:%H:%M}"
