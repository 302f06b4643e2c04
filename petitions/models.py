"""Citizens' letters and voters' petitions: one register of cases.

A case is a letter (complaint, denunciation, petition, feedback) or a voter's
petition from a voter-contact meeting. Who a citizen is lives apart from what
they wrote (`Identity`), so a denouncer's identity can be withheld from
everyone without the identity permission, stripped from every forward and
every publication, and every read of it logged (`IdentityRead`).

No business rule lives here: changes go through petitions.services,
deadlines are computed by petitions.deadlines from the rule table, and who
may do what is decided in accounts.permissions.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .files import private_storage


class Field(models.Model):
    """A field of state management (lĩnh vực): land, environment, health…"""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    # The name on the English pages; the Vietnamese one when left empty.
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = pgettext_lazy("plural", "lĩnh vực")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the language of the page being drawn."""
        if self.name_en and (get_language() or "").split("-")[0] == "en":
            return self.name_en
        return self.name


class Level(models.TextChoices):
    """The levels of government since 1 July 2025: province and commune, the district level abolished (the
    Law on the Organisation of Local Government of 2025; its number is not confirmed here — chưa kiểm chứng).
    A commune-level unit is a xã, a phường or a đặc khu. docs/petitions.md, "Two levels of local government"."""

    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh")
    COMMUNE = "commune", _("Xã, phường, đặc khu")


# What an agency's level may hold besides Level: a former district body kept as it was (read-only;
# migration 0008b). Never offered for new data.
FORMER_DISTRICT = "district"
AGENCY_LEVELS = [*Level.choices, (FORMER_DISTRICT, _("Cấp huyện (trước 1/7/2025)"))]


class Agency(models.Model):
    """A competent body cases are forwarded to."""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ngành")
        INTERNAL_AFFAIRS = "internal_affairs", _("Ban Nội chính")
        CITIZEN_RECEPTION = "citizen_reception", _("Ban Tiếp công dân")
        COURT = "court", _("Tòa án")
        PROCURACY = "procuracy", _("Viện kiểm sát")
        COUNCIL_COMMITTEE = "council_committee", _("Ban của HĐND")
        CENTRAL = "central", _("Cơ quan trung ương")
        OTHER = "other", _("Khác")

    class Channel(models.TextChoices):
        DESK = "desk", _("Trang xử lý của cơ quan")
        EMAIL = "email", _("Thư điện tử")
        API = "api", _("Kết nối API")

    name = models.CharField(_("tên"), max_length=300)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    # Level, or FORMER_DISTRICT on a district body recorded before 1/7/2025 (read-only in the admin).
    level = models.CharField(_("cấp"), max_length=20, choices=AGENCY_LEVELS, default=Level.PROVINCE)
    fields = models.ManyToManyField(Field, blank=True, related_name="agencies", verbose_name=_("lĩnh vực phụ trách"))
    channel = models.CharField(_("cách nhận"), max_length=10, choices=Channel.choices, default=Channel.DESK)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    contact_person = models.CharField(_("người liên hệ"), max_length=200, blank=True)
    webhook_url = models.URLField(_("địa chỉ webhook"), blank=True)
    # The head to whom overdue cases escalate (a user of the agency desk).
    head = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("người đứng đầu"))
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cơ quan có thẩm quyền")
        verbose_name_plural = pgettext_lazy("plural", "cơ quan có thẩm quyền")

    def __str__(self):
        return self.name


class AgencyMember(models.Model):
    """A user who works the agency desk for an agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "user"], name="agency_member_unique")]


class CalendarStatus(models.TextChoices):
    """How far a day of the holiday calendar is known (issue 12, item 1)."""

    OFFICIAL = "official", _("Đã công bố chính thức")
    # Computed from the Labour Code (art. 112, and art. 111(3) for a day off in lieu), not yet
    # announced: counted, and a deadline counted over it says so.
    PROVISIONAL = "provisional", _("Dự kiến, chưa công bố")
    # Reported, but no official text confirmed: not counted, and a deadline counted over it says so
    # until the office confirms it (status official) or drops it.
    UNVERIFIED = "unverified", _("Chưa kiểm chứng, chưa áp dụng")
    # Data ready to be switched on (a holiday not yet enacted): neither counted nor flagged.
    OFF = "off", _("Chưa áp dụng")


COUNTED_STATUSES = (CalendarStatus.OFFICIAL, CalendarStatus.PROVISIONAL)


class Holiday(models.Model):
    """A public holiday (or a day off in lieu, or a working day swapped to a day off): not a working
    day while its status is counted. Data, not code: `source` names the text that announced it."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên"), max_length=200)
    status = models.CharField(_("tình trạng"), max_length=20, choices=CalendarStatus.choices,
                              default=CalendarStatus.OFFICIAL)
    source = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = pgettext_lazy("plural", "ngày nghỉ lễ")

    def __str__(self):
        return f"{self.date} {self.name}"


class WorkingWeekend(models.Model):
    """A Saturday or Sunday that is worked (to make up a bridged holiday)."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("lý do"), max_length=200)
    status = models.CharField(_("tình trạng"), max_length=20, choices=CalendarStatus.choices,
                              default=CalendarStatus.OFFICIAL)
    source = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ hằng tuần làm bù")
        verbose_name_plural = pgettext_lazy("plural", "ngày nghỉ hằng tuần làm bù")

    def __str__(self):
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """Whether a year's days off and worked weekend days are known: `confirmed` once the year's
    official notices are in the calendar. A year without a confirmed row is not known: the office is
    warned while the next 12 months reach into one, and a deadline counted over it says so."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    confirmed = models.BooleanField(_("đã có lịch nghỉ chính thức"), default=False)
    source = models.CharField(_("căn cứ"), max_length=500, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("lịch nghỉ của năm")
        verbose_name_plural = pgettext_lazy("plural", "lịch nghỉ của năm")

    def __str__(self):
        return str(self.year)


class DeadlineRule(models.Model):
    """One step's time limit, from the law that sets it. Versioned: a new law adds rows with
    a later `valid_from`; a case uses the rule valid on the day its step started."""

    class Unit(models.TextChoices):
        DAYS = "days", _("ngày")
        WORKING_DAYS = "working_days", _("ngày làm việc")
        BEFORE_NEXT_SESSION = "before_next_session", _("trước kỳ họp tiếp theo")

    step = models.CharField(_("bước"), max_length=60)  # e.g. complaint.accept, complaint.first_instance
    unit = models.CharField(_("đơn vị"), max_length=30, choices=Unit.choices, default=Unit.DAYS)
    days = models.PositiveSmallIntegerField(_("thời hạn"))
    days_complex = models.PositiveSmallIntegerField(_("thời hạn (phức tạp)"), null=True, blank=True)
    days_remote = models.PositiveSmallIntegerField(_("thời hạn (vùng sâu, vùng xa)"), null=True, blank=True)
    days_remote_complex = models.PositiveSmallIntegerField(_("thời hạn (vùng sâu, vùng xa, phức tạp)"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("mỗi lần gia hạn"), null=True, blank=True)
    max_extensions = models.PositiveSmallIntegerField(_("số lần gia hạn tối đa"), default=0)
    # The step's longer limit on the one ground the law allows it (Luật Tố cáo art. 24(1): the
    # denunciation must be checked at several places), set per case by Case.multi_site.
    days_multi_site = models.PositiveSmallIntegerField(_("thời hạn (phải xác minh tại nhiều địa điểm)"),
                                                       null=True, blank=True)
    law = models.CharField(_("căn cứ"), max_length=500)  # law, article, clause: "Luật Khiếu nại 2011, Điều 27"
    # False: the row restates a limit whose text was not confirmed (e.g. a law in force whose amended
    # article was not read): shown as "chưa kiểm chứng" in the admin and on the case page.
    verified = models.BooleanField(_("đã kiểm chứng căn cứ"), default=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("đến"), null=True, blank=True)

    class Meta:
        ordering = ["step", "-valid_from"]
        verbose_name = _("quy định thời hạn")
        verbose_name_plural = pgettext_lazy("plural", "quy định thời hạn")

    def __str__(self):
        return f"{self.step}: {self.days} ({self.law})"


class VoterMeeting(models.Model):
    """A voter-contact meeting (tiếp xúc cử tri) where petitions were collected."""

    class When(models.TextChoices):
        BEFORE = "before", _("Trước kỳ họp")
        AFTER = "after", _("Sau kỳ họp")

    held_on = models.DateField(_("ngày"))
    place = models.CharField(_("địa điểm"), max_length=300)
    commune = models.CharField(_("xã, phường, đặc khu"), max_length=120, blank=True)
    # Before 1/7/2025: the district as recorded, and the commune's name before migration 0008b moved
    # it to the commune it became. Read-only: new meetings have neither.
    district = models.CharField(_("huyện (trước 1/7/2025)"), max_length=120, blank=True, editable=False)
    former_commune = models.CharField(_("xã, phường (trước 1/7/2025)"), max_length=120, blank=True, editable=False)
    delegate_group = models.ForeignKey("meeting.Body", on_delete=models.PROTECT, related_name="voter_meetings",
                                       verbose_name=_("tổ đại biểu"))
    delegates = models.ManyToManyField("meeting.Member", blank=True, related_name="voter_meetings", verbose_name=_("đại biểu"))
    session = models.ForeignKey("meeting.Session", on_delete=models.PROTECT, related_name="voter_meetings", verbose_name=_("kỳ họp"))
    when = models.CharField(_("thời điểm"), max_length=10, choices=When.choices)
    voters = models.PositiveIntegerField(_("số cử tri dự"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("buổi tiếp xúc cử tri")
        verbose_name_plural = pgettext_lazy("plural", "buổi tiếp xúc cử tri")

    def __str__(self):
        return f"{self.held_on} — {self.place}"

    @property
    def locality(self) -> str:
        return locality(self)


class Case(models.Model):
    """One letter or voter petition in the register. Nothing is ever deleted: every
    case keeps its decision (accepted, forwarded, guided, not eligible, duplicate)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Khiếu nại")
        DENUNCIATION = "denunciation", _("Tố cáo")
        PETITION = "petition", _("Kiến nghị")
        FEEDBACK = "feedback", _("Phản ánh")
        VOTER_PETITION = "voter_petition", _("Kiến nghị cử tri")

    class Source(models.TextChoices):
        WEB = "web", _("Cổng thông tin")
        RECEPTION = "reception", _("Tiếp công dân")
        POST = "post", _("Bưu chính")
        EMAIL = "email", _("Thư điện tử")
        DELEGATE = "delegate", _("Đại biểu chuyển")
        VOTER_MEETING = "voter_meeting", _("Tiếp xúc cử tri")
        API = "api", _("Open311")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        CLASSIFIED = "classified", _("Đã phân loại")
        ACCEPTED = "accepted", _("Đã thụ lý")
        FORWARDED = "forwarded", _("Đã chuyển cơ quan có thẩm quyền")
        ANSWERED = "answered", _("Đã có trả lời")
        PUBLISHED = "published", _("Đã công khai kết quả")
        GUIDED = "guided", _("Đã hướng dẫn công dân")
        NOT_ELIGIBLE = "not_eligible", _("Không đủ điều kiện xử lý")
        DUPLICATE = "duplicate", _("Trùng đơn")
        WITHDRAWN = "withdrawn", _("Đã rút đơn")
        CLOSED = "closed", _("Đã kết thúc")

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Thụ lý")
        FORWARD = "forward", _("Chuyển cơ quan có thẩm quyền")
        GUIDE = "guide", _("Hướng dẫn công dân")
        NOT_ELIGIBLE = "not_eligible", _("Không đủ điều kiện xử lý")

    class Reason(models.TextChoices):
        """Why a letter is not handled (a coded list, Law on Complaints art. 11 and practice)."""

        ANONYMOUS = "anonymous", _("Đơn nặc danh, mạo danh")
        ILLEGIBLE = "illegible", _("Không đọc được, không rõ nội dung")
        ABUSIVE = "abusive", _("Lời lẽ xúc phạm")
        OUTSIDE_COMPETENCE = "outside_competence", _("Không thuộc thẩm quyền")
        ALREADY_SETTLED = "already_settled", _("Đã được giải quyết đúng pháp luật")
        LIMITATION_EXPIRED = "limitation_expired", _("Hết thời hiệu")
        COURT_ACCEPTED = "court_accepted", _("Tòa án đã thụ lý")
        NO_STANDING = "no_standing", _("Người gửi không có quyền, lợi ích liên quan")
        WITHDRAWN = "withdrawn", _("Đã rút đơn")
        OTHER = "other", _("Lý do khác")

    Level = Level

    class Complexity(models.TextChoices):
        NORMAL = "normal", _("Thông thường")
        COMPLEX = "complex", _("Phức tạp")
        VERY_COMPLEX = "very_complex", _("Đặc biệt phức tạp")

    # Unguessable: what the citizen's receipt and QR code carry (petitions.codes).
    tracking_code = models.CharField(_("mã theo dõi"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    subject = models.CharField(_("tóm tắt nội dung"), max_length=500)
    content = models.TextField(_("nội dung"))
    # The same content folded for duplicate search (petitions.text / library.text.fold).
    folded = models.TextField(editable=False, blank=True)
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("lĩnh vực"))
    commune = models.CharField(_("xã, phường, đặc khu"), max_length=120, blank=True)
    # Before 1/7/2025 (letters recorded or imported from the old register): the district as written,
    # and the commune's name before migration 0008b moved it to the commune it became. Read-only.
    district = models.CharField(_("huyện (trước 1/7/2025)"), max_length=120, blank=True, editable=False)
    former_commune = models.CharField(_("xã, phường (trước 1/7/2025)"), max_length=120, blank=True, editable=False)
    # Where it happened, when the citizen's client gave it (Open311 lat/long; WGS 84 degrees).
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True, editable=False)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True, editable=False)
    remote_area = models.BooleanField(_("vùng sâu, vùng xa, đi lại khó khăn"), default=False)
    complexity = models.CharField(_("tính chất"), max_length=20, choices=Complexity.choices, default=Complexity.NORMAL)
    instance = models.PositiveSmallIntegerField(_("lần giải quyết (khiếu nại)"), default=1)  # 1 or 2
    # Luật Tố cáo art. 24(1): acceptance within 10 working days instead of 7 only on this ground.
    multi_site = models.BooleanField(_("phải kiểm tra, xác minh tại nhiều địa điểm"), default=False)
    anonymous = models.BooleanField(_("nặc danh"), default=False)
    # Luật Tố cáo art. 25: an anonymous or pseudonymous letter with denunciation content is information
    # for inspection or verification, not a denunciation handled under that law: no time limit, never
    # accepted as a denunciation (services.treat_as_information).
    information_only = models.BooleanField(_("thông tin có nội dung tố cáo (Điều 25 Luật Tố cáo)"), default=False,
                                           editable=False)
    # Voter petitions.
    meeting = models.ForeignKey(VoterMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="petitions",
                                verbose_name=_("buổi tiếp xúc cử tri"))
    level = models.CharField(_("cấp có thẩm quyền"), max_length=20, choices=Level.choices, blank=True)
    answered_on_spot = models.BooleanField(_("đã trả lời tại hội nghị"), default=False)
    # A delegate who forwarded it (source=delegate).
    forwarded_by_member = models.ForeignKey("meeting.Member", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+", verbose_name=_("đại biểu chuyển"))

    # Life cycle, changed only by petitions.services.
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED, editable=False)
    decision = models.CharField(_("quyết định xử lý"), max_length=20, choices=Decision.choices, blank=True, editable=False)
    reason = models.CharField(_("lý do"), max_length=30, choices=Reason.choices, blank=True, editable=False)
    decision_note = models.TextField(_("ghi chú quyết định"), blank=True, editable=False)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
                               editable=False, verbose_name=_("cơ quan có thẩm quyền"))
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates",
                                     editable=False, verbose_name=_("trùng với"))
    received_at = models.DateTimeField(_("ngày nhận"), editable=False)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True, editable=False)  # of the open step, for lists
    is_public = models.BooleanField(_("công khai"), default=True)  # petitions/feedback/voter petitions; never denunciations' identity
    # Set when the case is received or classified as a denunciation and never cleared: the
    # denouncer's protection follows the identity, not the current kind (accounts.permissions).
    identity_protected = models.BooleanField(_("bảo vệ thông tin người tố cáo"), default=False, editable=False)
    unsatisfactory = models.BooleanField(_("trả lời chưa thỏa đáng"), default=False, editable=False)
    questioning_candidate = models.BooleanField(_("đề xuất chất vấn"), default=False, editable=False)
    # The citizen's word on the published answer (services.record_citizen_view): once, by the code
    # and access secret of the public status page.
    citizen_satisfied = models.BooleanField(_("công dân hài lòng với kết quả"), null=True, editable=False)
    citizen_comment = models.TextField(_("ý kiến của công dân"), blank=True, editable=False)
    citizen_said_at = models.DateTimeField(_("thời điểm công dân cho ý kiến"), null=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("đơn thư, kiến nghị")
        verbose_name_plural = pgettext_lazy("plural", "đơn thư, kiến nghị")
        permissions = [("handle_cases", _("Tiếp nhận, phân loại, chuyển và theo dõi đơn thư"))]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["kind", "received_at"]),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["district"]),
            models.Index(fields=["commune"]),
            # The public answers page: newest published answers first (petitions.views_public.answers).
            models.Index(fields=["-updated_at", "-id"], name="case_answers_recent",
                         condition=models.Q(status="published") | models.Q(answered_on_spot=True)),
        ]

    def __str__(self):
        return f"{self.tracking_code} — {self.subject}"

    @property
    def locality(self) -> str:
        return locality(self)


def locality(record) -> str:
    """Where, as one line: the commune, and on a record from before 1/7/2025 the district it named."""
    return ", ".join(part for part in (record.commune, record.district) if part)


class Identity(models.Model):
    """Who sent a case, kept apart from what they wrote.

    For a denunciation every field here is confidential (Law on Denunciations
    2018): only users with the permission petitions.view_denouncer_identity see
    it, each read is logged (IdentityRead), and nothing here is ever forwarded
    or published. For other letters it is personal data: office staff only,
    never public (Personal Data Protection Law 91/2025)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="identity")
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    id_number = models.CharField(_("số CCCD"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Folded name + phone/email for duplicate search (same person).
    person_key = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    # The second key (folded name + email) when the sender gave both a phone and an email.
    person_key_alt = models.CharField(max_length=300, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("thông tin người gửi")
        verbose_name_plural = pgettext_lazy("plural", "thông tin người gửi")
        permissions = [("view_denouncer_identity", _("Xem thông tin người tố cáo"))]


class IdentityRead(models.Model):
    """Every read of a denouncer's identity: who, when, which case, why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="identity_reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(_("mục đích"), max_length=300)
    where = models.CharField(max_length=100)  # the view or export that showed it

    class Meta:
        ordering = ["-at", "-id"]


class CaseFile(models.Model):
    """A scan or attachment. `identifying` files (a denouncer's handwriting, ID card)
    follow the identity's rules, never the case's."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    # Private: the documents storage, never MEDIA_ROOT (petitions/files.py).
    file = models.FileField(upload_to="petitions/%Y/%m/", storage=private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    identifying = models.BooleanField(_("có thông tin nhận diện người gửi"), default=False)
    # A scan the office redacted for the agency (services.prepare_redacted_copy): the only files of a
    # protected case an agency reads.
    redacted = models.BooleanField(_("bản đã che thông tin nhận diện"), default=False, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class RedactedCopy(models.Model):
    """What an agency reads of a case that is or was a denunciation: a copy the office prepared
    without anything that identifies the denouncer (checked by services.prepare_redacted_copy).
    The original letter stays with the office."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="redacted_copy")
    subject = models.CharField(_("tóm tắt nội dung (bản đã che)"), max_length=500)
    content = models.TextField(_("nội dung (bản đã che)"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    prepared_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bản sao đã che thông tin người tố cáo")
        verbose_name_plural = pgettext_lazy("plural", "bản sao đã che thông tin người tố cáo")


class PetitionCompilation(models.Model):
    """The voters' petitions collected for one session, compiled by the office (issue 12, item 4):
    the meetings' petitions by delegate group, with the Fatherland Front's (Ủy ban MTTQ) summary,
    each pending petition assigned to its competent body before forwarding (petitions.voter_petitions)."""

    session = models.OneToOneField("meeting.Session", on_delete=models.PROTECT, related_name="petition_compilation",
                                   verbose_name=_("kỳ họp"))
    front_summary = models.TextField(_("báo cáo tổng hợp của Ủy ban MTTQ"), blank=True)
    front_file = models.FileField(_("tệp báo cáo của Ủy ban MTTQ"), upload_to="petitions/compilations/%Y/",
                                  storage=private_storage, max_length=300, blank=True)
    front_file_name = models.CharField(max_length=255, blank=True)
    compiled_at = models.DateTimeField(_("ngày tổng hợp"))
    compiled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tổng hợp kiến nghị cử tri")
        verbose_name_plural = pgettext_lazy("plural", "tổng hợp kiến nghị cử tri")

    def __str__(self):
        return str(self.session)


class PetitionForwarding(models.Model):
    """One recorded forwarding of a session's compiled petitions to one competent body: the provincial
    People's Committee, a council committee, the National Assembly delegation for central matters…
    Each petition it carries is a Transfer (the agency desk answers it as any other)."""

    compilation = models.ForeignKey(PetitionCompilation, on_delete=models.PROTECT, related_name="forwardings")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="petition_forwardings",
                               verbose_name=_("cơ quan có thẩm quyền"))
    # Where the answers are reported: the next regular session after the compilation's (None: not scheduled yet).
    report_session = models.ForeignKey("meeting.Session", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("báo cáo tại kỳ họp"))
    due_on = models.DateField(_("hạn trả lời"), null=True, blank=True)
    sent_at = models.DateTimeField(_("ngày chuyển"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("chuyển kiến nghị cử tri")
        verbose_name_plural = pgettext_lazy("plural", "chuyển kiến nghị cử tri")


class Transfer(models.Model):
    """A case forwarded to an agency, tracked until its answer is accepted."""

    class Status(models.TextChoices):
        SENT = "sent", _("Đã chuyển")
        ACKNOWLEDGED = "acknowledged", _("Cơ quan đã nhận")
        CLARIFICATION = "clarification", _("Cơ quan đề nghị làm rõ")
        ANSWERED = "answered", _("Cơ quan đã trả lời")
        ACCEPTED = "accepted", _("Trả lời đã được duyệt")
        RETURNED = "returned", _("Trả lời bị trả lại")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)  # the office's covering note
    clarification = models.TextField(blank=True)  # what the agency asked
    # A voter's petition forwarded with its session's compilation (one forwarding per body).
    forwarding = models.ForeignKey(PetitionForwarding, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="transfers")

    class Meta:
        ordering = ["-sent_at", "-id"]


class Answer(models.Model):
    """An agency's answer; published only after the office reviews it."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại cơ quan")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="answers")
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("nội dung trả lời"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField()
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]


class Deadline(models.Model):
    """A step of a case with its legal time limit (from a DeadlineRule)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=60)
    starts_on = models.DateField()
    due_on = models.DateField()
    extensions = models.PositiveSmallIntegerField(default=0)
    met_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["met_at", "due_on"])]


class Milestone(models.Model):
    """One step of a case's public timeline (received, classified, forwarded to X,
    answered, published). `public` ones are shown on the status page: their
    text never carries personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField()
    public = models.BooleanField(default=True)
    # In the site's language, as written; display_text() gives it in the reader's.
    text = models.CharField(max_length=500, blank=True)
    # {"message": [msgid, …], "args": {name: value}}: the text untranslated (petitions.services._milestone).
    # A value {"choice": field, "value": code} is a choice of the case, {"field": id} a Field.
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def display_text(self) -> str:
        """The text in the language of the page being drawn (steps written before params existed: `text`)."""
        messages = (self.params or {}).get("message")
        if not messages:
            return self.text
        args = {name: _milestone_arg(value) for name, value in (self.params.get("args") or {}).items()}
        try:
            return "".join(gettext(m) for m in messages) % args
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
            return "".join(messages) % args


def choice(field: str, code) -> dict:
    """A milestone argument that is one of the case's choices: translated when shown."""
    return {"choice": field, "value": code}


def _milestone_arg(value) -> str:
    if isinstance(value, dict) and "choice" in value:
        labels = dict(Case._meta.get_field(value["choice"]).flatchoices)
        return str(labels.get(value["value"], value["value"]))
    if isinstance(value, dict) and "field" in value:
        field = Field.objects.filter(pk=value["field"]).first()
        return field.label if field else ""
    return str(value)


class Subscription(models.Model):
    """A citizen follows a case by email (confirmed by a link)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "email"], name="subscription_unique")]


class SubmissionThrottle(models.Model):
    """Public submissions per client address per hour (rate limiting without CAPTCHA)."""

    client = models.CharField(max_length=64)  # a hash of the address, not the address
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "hour"], name="throttle_unique")]
