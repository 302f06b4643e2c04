"""The floor: requests to speak, the speeches given (the log for the minutes), the questioning
of officials (issue groups, questions, commitments) and each body's rules.

No rule lives here: every change goes through floor.services (the one write path).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """What a request or a speech is. The first five are requested; the last three only given."""

    SPEECH = "speech", _("Phát biểu")
    REPLY = "reply", _("Tranh luận, đối đáp")
    ORDER = "order", _("Kiến nghị về thủ tục")
    QUESTION = "question", _("Chất vấn")
    FOLLOWUP = "followup", _("Chất vấn lại, tranh luận")
    ANSWER = "answer", _("Trả lời chất vấn")
    OPENING = "opening", _("Phát biểu mở đầu nhóm vấn đề")
    FREE = "free", _("Phát biểu theo mời của chủ tọa")


REQUESTED = (Kind.SPEECH, Kind.REPLY, Kind.ORDER, Kind.QUESTION, Kind.FOLLOWUP)
SPEAKER_LIST = (Kind.SPEECH, Kind.REPLY, Kind.ORDER, Kind.FOLLOWUP)  # the queue; questions wait in their group


class FloorRules(models.Model):
    """How a body runs its floor. A body without a row follows the defaults below."""

    body = models.OneToOneField("meeting.Body", on_delete=models.CASCADE, related_name="floor_rules",
                                verbose_name=_("cơ quan"))
    priority_first = models.BooleanField(
        _("kiến nghị thủ tục và tranh luận được ưu tiên"), default=True,
        help_text=_("Kiến nghị về thủ tục xếp trước, rồi tranh luận, rồi phát biểu."))
    only_present = models.BooleanField(_("chỉ đại biểu có mặt được đăng ký"), default=True)
    max_requests_per_item = models.PositiveSmallIntegerField(
        _("số lần đăng ký tối đa mỗi nội dung"), default=0, help_text=_("0: không giới hạn."))
    quota_seconds_per_item = models.PositiveIntegerField(
        _("tổng thời gian của mỗi đại biểu mỗi nội dung (giây)"), default=0,
        help_text=_("0: không giới hạn. Không áp dụng cho kiến nghị về thủ tục."))
    speech_seconds = models.PositiveIntegerField(_("phát biểu (giây)"), default=420)
    reply_seconds = models.PositiveIntegerField(_("tranh luận (giây)"), default=180)
    order_seconds = models.PositiveIntegerField(_("kiến nghị về thủ tục (giây)"), default=60)
    question_seconds = models.PositiveIntegerField(_("chất vấn (giây)"), default=120)
    followup_seconds = models.PositiveIntegerField(_("chất vấn lại (giây)"), default=60)
    answer_seconds = models.PositiveIntegerField(_("trả lời chất vấn (giây)"), default=300)
    opening_seconds = models.PositiveIntegerField(_("phát biểu mở đầu (giây)"), default=300)
    free_seconds = models.PositiveIntegerField(_("phát biểu theo mời (giây)"), default=300)
    warn_seconds = models.PositiveIntegerField(_("báo trước khi hết giờ (giây)"), default=30)

    class Meta:
        verbose_name = _("quy định phát biểu")
        verbose_name_plural = pgettext_lazy("plural", "quy định phát biểu")

    def __str__(self):
        return str(self.body)

    def limit(self, kind: str) -> int:
        return getattr(self, f"{kind}_seconds")


class FloorList(models.Model):
    """A sitting's list of speakers: open or closed to new requests."""

    sitting = models.OneToOneField("meeting.Sitting", on_delete=models.CASCADE, related_name="floor_list")
    closed = models.BooleanField(_("đã khóa danh sách"), default=False)
    numbered = models.PositiveIntegerField(default=0)  # the last registration number given

    class Meta:
        verbose_name = _("danh sách phát biểu")
        verbose_name_plural = pgettext_lazy("plural", "danh sách phát biểu")


class IssueGroup(models.Model):
    """A group of issues chosen for questioning (nhóm vấn đề chất vấn), with the officials who answer."""

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="issue_groups",
                                verbose_name=_("phiên họp"))
    item = models.ForeignKey("agenda.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="issue_groups", verbose_name=_("mục chương trình"))
    title = models.CharField(_("nhóm vấn đề"), max_length=500)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    officials = models.ManyToManyField("meeting.Member", related_name="issue_groups", blank=True,
                                       verbose_name=_("người trả lời"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("nhóm vấn đề chất vấn")
        verbose_name_plural = pgettext_lazy("plural", "nhóm vấn đề chất vấn")

    def __str__(self):
        return self.title


class Request(models.Model):
    """A request to speak (or a question registered), from its registration until it is heard or dropped."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Đang chờ")
        HEARD = "heard", _("Đã được phát biểu")
        WITHDRAWN = "withdrawn", _("Đã rút")
        REMOVED = "removed", _("Chủ tọa đã bỏ")

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="floor_requests")
    item = models.ForeignKey("agenda.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="floor_requests", verbose_name=_("mục chương trình"))
    member = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="floor_requests",
                               verbose_name=_("đại biểu"))
    kind = models.CharField(_("loại"), max_length=20, choices=[(k.value, k.label) for k in REQUESTED])
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.WAITING)
    number = models.PositiveIntegerField(_("số thứ tự đăng ký"))  # registration order in the sitting
    # Place in its list (the queue, or its issue group), with gaps so a new request is placed by one
    # write (floor.services._place); signed: a request may go ahead of the first.
    position = models.BigIntegerField(default=0)
    requested_at = models.DateTimeField(_("thời điểm đăng ký"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("thư ký ghi thay"))
    reply_to = models.ForeignKey("Speech", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies",
                                 verbose_name=_("tranh luận với"))
    issue = models.ForeignKey(IssueGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="requests",
                              verbose_name=_("nhóm vấn đề"))
    official = models.ForeignKey("meeting.Member", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="questions_to", verbose_name=_("người được chất vấn"))
    text = models.TextField(_("nội dung câu hỏi"), blank=True)
    written = models.BooleanField(_("phiếu chất vấn giấy"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "number"]
        verbose_name = _("đăng ký phát biểu")
        verbose_name_plural = pgettext_lazy("plural", "đăng ký phát biểu")
        constraints = [
            # One open request per delegate per kind (per issue group for questions and follow-ups):
            # the service refuses a second one with a code; the database holds it under any race.
            models.UniqueConstraint(fields=["sitting", "member", "kind"],
                                    condition=Q(status="waiting") & Q(kind__in=["speech", "reply", "order"]),
                                    name="floor_one_open_request_per_kind"),
            models.UniqueConstraint(fields=["sitting", "member", "kind", "issue"],
                                    condition=Q(status="waiting") & Q(kind__in=["question", "followup"]),
                                    name="floor_one_open_question_per_issue"),
            models.UniqueConstraint(fields=["sitting", "number"], name="floor_request_number_unique"),
        ]
        indexes = [
            # A request's one read (floor.services._maker): the member's open requests, and the end of
            # the list (count, last position) — without them each request read every request of the
            # sitting, a millisecond at 500 (bench/floor_burst.py).
            models.Index(fields=["sitting", "member", "status"], name="floor_request_member_status"),
            models.Index(fields=["sitting", "status", "kind", "position"], name="floor_request_list_end"),
        ]

    def __str__(self):
        return f"{self.number}. {self.member} — {self.get_kind_display()}"


class Speech(models.Model):
    """One turn at the floor, as it really went: the log the minutes are written from."""

    class Ending(models.TextChoices):
        STOPPED = "stopped", _("Chủ tọa dừng")
        NEXT = "next", _("Chuyển người tiếp theo")
        STOP_ALL = "stop_all", _("Dừng tất cả (ưu tiên)")
        CLOSED = "closed", _("Bế mạc phiên họp")

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="speeches")
    item = models.ForeignKey("agenda.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="speeches", verbose_name=_("mục chương trình"))
    member = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="speeches",
                               verbose_name=_("người phát biểu"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    request = models.OneToOneField(Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="speech")
    issue = models.ForeignKey(IssueGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="speeches",
                              verbose_name=_("nhóm vấn đề"))
    question = models.ForeignKey(Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers",
                                 verbose_name=_("trả lời câu hỏi"))
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    ending = models.CharField(_("kết thúc do"), max_length=20, choices=Ending.choices, blank=True)
    limit_s = models.PositiveIntegerField(_("thời gian cho phép (giây)"))
    extra_s = models.PositiveIntegerField(_("thời gian thêm (giây)"), default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_s = models.FloatField(_("tạm dừng (giây)"), default=0)
    pauses = models.JSONField(_("các lần tạm dừng"), default=list, blank=True)  # [[start, end], …] ISO times
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("lượt phát biểu")
        verbose_name_plural = pgettext_lazy("plural", "lượt phát biểu")
        constraints = [
            # At most one speaker has the floor (the live microphone) in a sitting.
            models.UniqueConstraint(fields=["sitting"], condition=Q(ended_at__isnull=True), name="floor_one_speaker"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_kind_display()}"

    def spoken_seconds(self, now=None) -> float:
        end = self.paused_at or self.ended_at or now
        return max(0.0, (end - self.started_at).total_seconds() - self.paused_s) if end else 0.0


class Commitment(models.Model):
    """What an official committed to while answering a question, to be followed up afterwards."""

    question = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="commitments",
                                 verbose_name=_("câu hỏi"))
    official = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="commitments",
                                 verbose_name=_("người hứa"))
    text = models.TextField(_("nội dung cam kết"))
    due = models.DateField(_("thời hạn thực hiện"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("ghi nhận lúc"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("cam kết khi trả lời chất vấn")
        verbose_name_plural = pgettext_lazy("plural", "cam kết khi trả lời chất vấn")

    def __str__(self):
        return self.text[:80]
