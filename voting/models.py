"""Polls, their rounds and ballots (issue 14). No rule lives here: voting.services changes them.

Secrecy by construction (docs/voting.md): a secret round stores WHO took part
(`Participation`: no time, a random key) apart from WHAT was voted (`Urn`: one row per round
holding the choices as a list, each new ballot put at a random place). Nothing joins the two:
no key, no order, no time. An open round stores one `OpenBallot` per voter, named.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Poll(models.Model):
    class Kind(models.TextChoices):
        MOTION = "motion", _("Biểu quyết thông qua")
        ELECTION = "election", _("Bầu cử")
        DISMISSAL = "dismissal", _("Miễn nhiệm, bãi nhiệm")
        RATING = "rating", _("Lấy phiếu tín nhiệm")
        CONFIDENCE = "confidence", _("Bỏ phiếu tín nhiệm")
        INDICATIVE = "indicative", _("Thăm dò ý kiến")

    class Base(models.TextChoices):
        TOTAL = "total", _("Tổng số đại biểu")
        PRESENT = "present", _("Số đại biểu có mặt")
        CAST = "cast", _("Số phiếu hợp lệ")

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="polls",
                                verbose_name=_("phiên họp"))
    item = models.ForeignKey("agenda.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="polls", verbose_name=_("mục chương trình"))
    title = models.CharField(_("nội dung biểu quyết"), max_length=500)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.MOTION)
    secret = models.BooleanField(_("bỏ phiếu kín"), default=False)
    base = models.CharField(_("căn cứ tính"), max_length=10, choices=Base.choices, default=Base.TOTAL)
    threshold_num = models.PositiveSmallIntegerField(_("ngưỡng: tử số"), default=1)
    threshold_den = models.PositiveSmallIntegerField(_("ngưỡng: mẫu số"), default=2)
    inclusive = models.BooleanField(_("từ ngưỡng trở lên"), default=False,
                                    help_text=_("Bỏ chọn: phải quá ngưỡng (quá nửa). Chọn: đạt ngưỡng trở lên (từ 2/3)."))
    allow_change = models.BooleanField(_("được sửa phiếu trước khi kết thúc"), default=False)
    seats = models.PositiveSmallIntegerField(_("số người được bầu"), default=1)
    duration_s = models.PositiveIntegerField(_("thời gian biểu quyết (giây)"), default=0,
                                             help_text=_("0: chủ tọa kết thúc."))
    excluded = models.ManyToManyField("meeting.Member", blank=True, related_name="+",
                                      verbose_name=_("đại biểu không tham gia biểu quyết"),
                                      help_text=_("Ví dụ: người được đề nghị miễn nhiệm không bỏ phiếu về chính mình."))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    cancelled_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("cuộc biểu quyết")
        verbose_name_plural = pgettext_lazy("plural", "cuộc biểu quyết")
        constraints = [models.CheckConstraint(condition=models.Q(threshold_num__gt=0,
                                                                 threshold_den__gte=models.F("threshold_num")),
                                              name="poll_threshold_is_a_fraction")]

    def __str__(self):
        return self.title


class Option(models.Model):
    """A choice on the ballot: yes / no / abstain, a candidate, an official rated."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    key = models.CharField(max_length=40)
    label = models.CharField(_("nội dung"), max_length=300)
    member = models.ForeignKey("meeting.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("ứng cử viên / người được lấy phiếu"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "key"], name="option_key_unique")]


class Round(models.Model):
    """One vote of a poll. A re-vote is a new round; an earlier one stays on record as it was."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang biểu quyết")
        HELD = "held", _("Tạm dừng")
        CLOSED = "closed", _("Đã kết thúc")
        PUBLISHED = "published", _("Đã công bố")
        VOIDED = "voided", _("Đã hủy")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("lần"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.OPEN)
    manual = models.BooleanField(_("kiểm đếm thủ công"), default=False)
    manual_reason = models.CharField(_("lý do kiểm đếm thủ công"), max_length=500, blank=True)
    opened_at = models.DateTimeField(_("bắt đầu"))
    closes_at = models.DateTimeField(_("tự kết thúc lúc"), null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố"), null=True, blank=True)
    voided_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)
    total = models.PositiveIntegerField(_("tổng số đại biểu"))
    present = models.PositiveIntegerField(_("số đại biểu có mặt khi bắt đầu"))
    voted = models.PositiveIntegerField(_("số đại biểu đã biểu quyết"), default=0)
    result = models.JSONField(_("kết quả"), null=True, blank=True)  # set once, at close

    class Meta:
        ordering = ["poll", "number"]
        verbose_name = _("lần biểu quyết")
        verbose_name_plural = pgettext_lazy("plural", "lần biểu quyết")
        constraints = [models.UniqueConstraint(fields=["poll", "number"], name="round_number_unique")]


class OpenBallot(models.Model):
    """A named vote of an open round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="open_ballots")
    member = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="+")
    choice = models.JSONField()
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="one_open_ballot_per_member")]


class Participation(models.Model):
    """Who took part in a secret round: no time, a random key (nothing orders or joins it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="participations")
    member = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="one_secret_ballot_per_member")]


class Urn(models.Model):
    """What was voted in a secret round: the choices, each put at a random place of the list."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, primary_key=True, related_name="urn")
    ballots = models.JSONField(default=list)


from .extra_models import BoardMember, CountApproval, VoteLink  # noqa: E402,F401 (the board, the chain: voting/extra_models.py)
