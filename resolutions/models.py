"""A resolution's life from the year's programme to done (docs/resolutions.md).

Planned → drafting → reviewed → put to the vote → adopted | not adopted; adopted → in
implementation → completed, or replaced by another resolution. Amendments are links (the amended
resolution stays in force). Every status change goes through resolutions.services, audited, and is
kept as a Transition with who and when. An adopted resolution's work is Tasks for agencies (the
petitions' agency registry), whose progress comes from their indicators or milestones as the
agencies report them on their desk, never from a typed percentage; a resolution's progress is its
tasks' progress weighted. A committee's Supervision ends in recommendations that become tasks too;
so can a commitment made while answering questions (floor.Commitment) and a voters' petition
(petitions.Case)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions.files import private_storage


class Status(models.TextChoices):
    PLANNED = "planned", _("Trong chương trình")
    DRAFTING = "drafting", _("Đang soạn thảo")
    REVIEWED = "reviewed", _("Đã thẩm tra")
    SUBMITTED = "submitted", _("Trình kỳ họp biểu quyết")
    ADOPTED = "adopted", _("Đã thông qua")
    NOT_ADOPTED = "not_adopted", _("Không được thông qua")
    IMPLEMENTING = "implementing", _("Đang tổ chức thực hiện")
    COMPLETED = "completed", _("Đã hoàn thành")
    REPLACED = "replaced", _("Đã bị thay thế")
    WITHDRAWN = "withdrawn", _("Rút khỏi chương trình")


# status -> the statuses a service may move it to. REPLACED is reached only when a resolution that
# replaces this one is adopted (services), never chosen by hand.
TRANSITIONS = {
    Status.PLANNED: {Status.DRAFTING, Status.WITHDRAWN},
    Status.DRAFTING: {Status.REVIEWED, Status.WITHDRAWN},
    Status.REVIEWED: {Status.SUBMITTED, Status.DRAFTING, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.ADOPTED, Status.NOT_ADOPTED, Status.REVIEWED},
    Status.NOT_ADOPTED: {Status.DRAFTING},
    Status.ADOPTED: {Status.IMPLEMENTING},
    Status.IMPLEMENTING: {Status.COMPLETED},
    Status.COMPLETED: set(),
    Status.REPLACED: set(),
    Status.WITHDRAWN: set(),
}

# In force: its tasks are followed, it can be amended or replaced.
IN_FORCE = (Status.ADOPTED, Status.IMPLEMENTING, Status.COMPLETED)


class Area(models.TextChoices):
    BUDGET = "budget", _("Ngân sách")
    INVESTMENT = "investment", _("Đầu tư công")
    FEES = "fees", _("Phí, lệ phí")
    SOCIAL = "social", _("Chính sách xã hội")
    ECONOMY = "economy", _("Kinh tế, phát triển")
    ORGANISATION = "organisation", _("Tổ chức bộ máy, biên chế")
    PERSONNEL = "personnel", _("Nhân sự")
    SUPERVISION = "supervision", _("Giám sát, chất vấn")
    OTHER = "other", _("Khác")


class Resolution(models.Model):
    title = models.CharField(_("trích yếu"), max_length=1000)
    area = models.CharField(_("lĩnh vực"), max_length=20, choices=Area.choices, default=Area.OTHER)
    term = models.ForeignKey("meeting.Term", on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("nhiệm kỳ"))
    # The programme: the year and (where known) the session it is planned for.
    planned_year = models.PositiveSmallIntegerField(_("năm trong chương trình"))
    planned_session = models.ForeignKey("meeting.Session", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="planned_resolutions", verbose_name=_("dự kiến trình tại kỳ họp"))
    # Drafting: the agency that drafts and submits it (cơ quan chủ trì soạn thảo, trình), the council
    # committee that reviews it (ban thẩm tra).
    lead_agency = models.ForeignKey("petitions.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="drafted_resolutions", verbose_name=_("cơ quan chủ trì soạn thảo"))
    reviewing_committee = models.ForeignKey("meeting.Body", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="reviewed_resolutions", verbose_name=_("ban thẩm tra"))
    # Put to the vote: the agenda item of the sitting, and the poll.
    agenda_item = models.ForeignKey("agenda.AgendaItem", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="resolutions", verbose_name=_("nội dung chương trình kỳ họp"))
    poll = models.ForeignKey("voting.Poll", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="resolutions", verbose_name=_("cuộc biểu quyết"))
    # Adopted (or not): number and symbol, date, the signed document, the date it takes effect.
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)  # e.g. 12/2026/NQ-HĐND
    decided_on = models.DateField(_("ngày thông qua"), null=True, blank=True)
    signed_document = models.ForeignKey("library.Document", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="signed_resolutions", verbose_name=_("văn bản đã ký"))
    effective_on = models.DateField(_("ngày có hiệu lực"), null=True, blank=True)
    # Changed only by resolutions.services (read-only in the admin).
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED,
                              editable=False)
    status_changed_at = models.DateTimeField(_("chuyển trạng thái lúc"), null=True, blank=True, editable=False)
    # On the public page once adopted (a resolution of the council is public unless this is off).
    public = models.BooleanField(_("công khai tiến độ"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Number and title folded (library.text.fold: lower case, no diacritics) for the search with or
    # without diacritics; kept by resolutions.services (refresh_folded), filled by migration 0004.
    folded = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["-planned_year", "id"]
        verbose_name = _("nghị quyết")
        verbose_name_plural = pgettext_lazy("plural", "nghị quyết")
        permissions = [("manage_resolutions", _("Quản lý chương trình, theo dõi và giám sát nghị quyết"))]
        indexes = [models.Index(fields=["status", "planned_year"])]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="resolution_number_unique"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip() if self.number else self.title


class Transition(models.Model):
    """One status change, as the services made it (the audit log has it too)."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class ResolutionLink(models.Model):
    """`source` amends or replaces `target` (shown on both pages)."""

    class Kind(models.TextChoices):
        AMENDS = "amends", _("sửa đổi, bổ sung")
        REPLACES = "replaces", _("thay thế")

    source = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="resolution_link_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="resolution_link_not_self"),
        ]


class ResolutionDocument(models.Model):
    """A library document of the resolution's file: the submission, each draft (its versions are the
    library's), the review report, the signed resolution, other papers."""

    class Role(models.TextChoices):
        SUBMISSION = "submission", _("Tờ trình")
        DRAFT = "draft", _("Dự thảo nghị quyết")
        REVIEW_REPORT = "review_report", _("Báo cáo thẩm tra")
        SIGNED = "signed", _("Nghị quyết đã ký")
        OTHER = "other", _("Tài liệu khác")

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("library.Document", on_delete=models.PROTECT, related_name="resolution_roles")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["resolution", "document"], name="resolution_document_unique")]


class Supervision(models.Model):
    """A committee's (or the standing committee's) supervision of one or more resolutions."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Kế hoạch")
        ONGOING = "ongoing", _("Đang giám sát")
        CONCLUDED = "concluded", _("Đã kết luận")

    body = models.ForeignKey("meeting.Body", on_delete=models.PROTECT, related_name="supervisions",
                             verbose_name=_("cơ quan giám sát"))
    title = models.CharField(_("tên cuộc giám sát"), max_length=500)
    plan = models.TextField(_("kế hoạch"), blank=True)
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    resolutions = models.ManyToManyField(Resolution, related_name="supervisions", verbose_name=_("nghị quyết được giám sát"))
    team = models.ManyToManyField("meeting.Member", blank=True, related_name="supervisions", verbose_name=_("đoàn giám sát"))
    findings = models.TextField(_("kết quả giám sát"), blank=True)
    report = models.ForeignKey("library.Document", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("báo cáo kết quả giám sát"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("cuộc giám sát")
        verbose_name_plural = pgettext_lazy("plural", "cuộc giám sát")

    def __str__(self):
        return self.title


class Recommendation(models.Model):
    """What a supervision recommends an agency do, by a date; followed as a Task (Task.recommendation)."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="recommendations")
    agency = models.ForeignKey("petitions.Agency", on_delete=models.PROTECT, related_name="recommendations",
                               verbose_name=_("cơ quan được kiến nghị"))
    text = models.TextField(_("nội dung kiến nghị"))
    due_on = models.DateField(_("thời hạn"))

    class Meta:
        ordering = ["id"]


class Task(models.Model):
    """Work an agency must do, with a due date: from an adopted resolution, from a supervision's
    recommendation, from a commitment made while answering questions, or from a voters' petition.
    Exactly one origin is set (a check constraint)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang thực hiện")
        DONE = "done", _("Đã hoàn thành")
        CANCELLED = "cancelled", _("Không tiếp tục theo dõi")

    resolution = models.ForeignKey(Resolution, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    recommendation = models.OneToOneField(Recommendation, null=True, blank=True, on_delete=models.PROTECT, related_name="task")
    commitment = models.OneToOneField("floor.Commitment", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="task")
    petition = models.ForeignKey("petitions.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("nhiệm vụ"), max_length=1000)
    description = models.TextField(_("mô tả"), blank=True)
    lead_agency = models.ForeignKey("petitions.Agency", on_delete=models.PROTECT, related_name="lead_tasks",
                                    verbose_name=_("cơ quan chủ trì"))
    co_agencies = models.ManyToManyField("petitions.Agency", blank=True, related_name="co_tasks",
                                         verbose_name=_("cơ quan phối hợp"))
    due_on = models.DateField(_("thời hạn"))
    # A resolution's progress is its tasks' progress weighted by this.
    weight = models.PositiveSmallIntegerField(_("trọng số"), default=1)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.OPEN, editable=False)
    done_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True, editable=False)
    # The daily job: each task reminded once before its due date, escalated once when overdue.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Why the office stopped following it (services.cancel_task; migration 0002_tasks_review).
    cancel_reason = models.TextField(_("lý do không tiếp tục theo dõi"), blank=True, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = pgettext_lazy("plural", "nhiệm vụ")
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(resolution__isnull=False, recommendation__isnull=True, commitment__isnull=True, petition__isnull=True)
                           | models.Q(resolution__isnull=True, recommendation__isnull=False, commitment__isnull=True, petition__isnull=True)
                           | models.Q(resolution__isnull=True, recommendation__isnull=True, commitment__isnull=False, petition__isnull=True)
                           | models.Q(resolution__isnull=True, recommendation__isnull=True, commitment__isnull=True, petition__isnull=False)),
                name="task_one_origin",
            ),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="task_weight_positive"),
        ]

    def __str__(self):
        return self.title


class Indicator(models.Model):
    """A measurable result of a task: from `baseline` towards `target` in `unit`."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("chỉ tiêu"), max_length=300)
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    baseline = models.DecimalField(_("giá trị ban đầu"), max_digits=18, decimal_places=4, default=Decimal(0))
    target = models.DecimalField(_("mục tiêu"), max_digits=18, decimal_places=4)
    weight = models.PositiveSmallIntegerField(_("trọng số"), default=1)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~models.Q(target=models.F("baseline")), name="indicator_target_not_baseline")]


class Milestone(models.Model):
    """A step of a task without a figure (a plan issued, a project started); done when a report says so."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("mốc"), max_length=500)
    due_on = models.DateField(_("thời hạn"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("trọng số"), default=1)
    done_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True, editable=False)
    done_report = models.ForeignKey("ProgressReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False)

    class Meta:
        ordering = ["due_on", "id"]


class ProgressReport(models.Model):
    """An agency's report on a task, from its desk: text, a figure for each indicator, milestones
    done, files. Reports are never edited; a later one supersedes an earlier one's figures."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey("petitions.Agency", on_delete=models.PROTECT, related_name="task_reports")
    text = models.TextField(_("nội dung báo cáo"))
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The agency says the task is done; the office accepts it (Task.status done) or not.
    claims_done = models.BooleanField(_("báo cáo đã hoàn thành"), default=False)
    # The office's answer to a report claiming done (services.accept_done / return_report; migration
    # 0002_tasks_review): accepted (the task is done) or returned with a note. Never the report itself.
    review = models.CharField(_("ý kiến của Văn phòng"), max_length=10, blank=True, editable=False,
                              choices=[("accepted", _("Đã công nhận hoàn thành")), ("returned", _("Trả lại"))])
    review_note = models.TextField(_("ghi chú của Văn phòng"), blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    # Internal until the office publishes it (services_public.publish_report; migration 0004_public_reports):
    # then its date, agency, text and figures are on the public page and in the JSON export. Its
    # files never are (they stay private to the office and the task's agencies).
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["reported_at", "id"]


class IndicatorValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("giá trị đạt được"), max_digits=18, decimal_places=4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_once_per_report")]


class ReportFile(models.Model):
    """A file attached to a progress report (private: served to the office and the agency only)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="resolutions/reports/%Y/%m/", storage=private_storage, max_length=300)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]


class PetitionAnswer(models.Model):
    """A voters' petition (petitions.Case of kind voter_petition) answered by a resolution of the
    council: shown on the resolution's page (resolutions.links) and on the office's petitions list.
    Never a protected case (accounts.permissions.case_protected): resolutions.services refuses it."""

    case = models.ForeignKey("petitions.Case", on_delete=models.PROTECT, related_name="answering_resolutions",
                             verbose_name=_("kiến nghị cử tri"))
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="petition_answers",
                                   verbose_name=_("nghị quyết trả lời"))
    note = models.TextField(_("ghi chú"), blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    linked_at = models.DateTimeField(_("liên kết lúc"))

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("kiến nghị cử tri được nghị quyết trả lời")
        verbose_name_plural = pgettext_lazy("plural", "kiến nghị cử tri được nghị quyết trả lời")
        constraints = [models.UniqueConstraint(fields=["case", "resolution"], name="petition_answer_unique")]


class Subscription(models.Model):
    """A citizen follows a public resolution by e-mail (resolutions.subscriptions): nothing is sent
    before the link of the confirmation mail is followed (double opt-in); then one mail on each
    status change and each report the office publishes, each with the link to stop."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resolution", "email"], name="resolution_subscription_unique")]
