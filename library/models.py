"""The document library: documents with official metadata, their versions
(files), where they belong, who read them, private notes, the search index.

No business rule lives here: changes go through library.services, who may
read what is decided in accounts.permissions.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def document_storage():
    return storages["documents"]


class Document(models.Model):
    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Tờ trình")
        REPORT = "report", _("Báo cáo")
        REVIEW_REPORT = "review_report", _("Báo cáo thẩm tra")
        PROPOSAL = "proposal", _("Đề án")
        DRAFT_RESOLUTION = "draft_resolution", _("Dự thảo nghị quyết")
        RESOLUTION = "resolution", _("Nghị quyết")
        INVITATION = "invitation", _("Giấy mời, giấy triệu tập")
        MINUTES = "minutes", _("Biên bản")
        OTHER = "other", _("Tài liệu khác")

    class Access(models.TextChoices):
        PUBLIC = "public", _("Công khai")
        DELEGATES = "delegates", _("Đại biểu")
        INTERNAL = "internal", _("Nội bộ Văn phòng")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chưa phát hành")
        PUBLISHED = "published", _("Đã phát hành")
        WITHDRAWN = "withdrawn", _("Đã thu hồi")

    kind = models.CharField(_("loại văn bản"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    # Official metadata (thể thức văn bản).
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)  # e.g. 125/TTr-UBND
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    summary = models.CharField(_("trích yếu"), max_length=1000)
    signer = models.CharField(_("người ký"), max_length=200, blank=True)

    access = models.CharField(_("mức truy cập"), max_length=20, choices=Access.choices, default=Access.DELEGATES)
    session = models.ForeignKey("meeting.Session", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="documents", verbose_name=_("kỳ họp"))
    # The body whose work this is (the session's body by default); a search filter.
    body = models.ForeignKey("meeting.Body", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="documents", verbose_name=_("cơ quan"))

    # Life cycle, changed only by library.services.
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    current_version = models.ForeignKey("DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", editable=False, verbose_name=_("phiên bản hiện hành"))
    published_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False, verbose_name=_("người phát hành"))
    # Published after the due date (DOCUMENTS_DUE_DAYS before the session opens).
    published_late = models.BooleanField(_("phát hành muộn"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False, verbose_name=_("người tạo"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("tài liệu")
        verbose_name_plural = pgettext_lazy("plural", "tài liệu")
        indexes = [models.Index(fields=["session", "status"]), models.Index(fields=["kind"]), models.Index(fields=["issued_on"])]

    def __str__(self):
        return f"{self.number} — {self.summary}" if self.number else self.summary


class DocumentVersion(models.Model):
    """One file of a document. A replaced file stays as an earlier version."""

    class FileKind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        XLSX = "xlsx", "XLSX"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"

    class State(models.TextChoices):
        # Part of the file could not be read for a classification stamp: held, unprocessed and
        # unseen, until its uploader confirms it is not classified (library.services).
        HELD = "held", _("Chờ xác nhận không mật")
        QUEUED = "queued", _("Đang chờ xử lý")
        PROCESSING = "processing", _("Đang xử lý")
        READY = "ready", _("Sẵn sàng")
        FAILED = "failed", _("Lỗi xử lý")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("tài liệu"))
    number = models.PositiveIntegerField(_("phiên bản"))
    file = models.FileField(_("tệp"), storage=document_storage, max_length=300)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    file_kind = models.CharField(_("định dạng"), max_length=10, choices=FileKind.choices)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("ghi chú thay đổi"), max_length=500, blank=True)
    # What of the file could not be read for a classification stamp (library.files), or "".
    unreadable = models.CharField(_("phần không đọc được"), max_length=500, blank=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("người tải lên"))
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    # Filled by the background job (library.tasks).
    state = models.CharField(_("xử lý"), max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), default=0)
    # Page images (and thumbnails) exist for pages 1..pages_ready.
    pages_ready = models.PositiveIntegerField(default=0)
    text = models.TextField(_("nội dung văn bản"), blank=True)
    # For DOCX/XLSX: the PDF made from it, which the viewer shows.
    rendition = models.FileField(storage=document_storage, max_length=300, blank=True)
    rendition_kind = models.CharField(max_length=20, blank=True)  # libreoffice | builtin
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("phiên bản tài liệu")
        verbose_name_plural = pgettext_lazy("plural", "phiên bản tài liệu")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]

    def __str__(self):
        return f"{self.document} (v{self.number})"


class Attachment(models.Model):
    """A document belongs to a sitting, an agenda item, a poll, a question…"""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("tài liệu"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("gắn tài liệu")
        verbose_name_plural = pgettext_lazy("plural", "gắn tài liệu")
        constraints = [models.UniqueConstraint(fields=["document", "content_type", "object_id"], name="attachment_unique")]
        indexes = [models.Index(fields=["content_type", "object_id"])]


class ReadReceipt(models.Model):
    """A person opened a version of a document (first and last time)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reads")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("meeting.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("lượt đọc")
        verbose_name_plural = pgettext_lazy("plural", "lượt đọc")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="read_once_per_version")]


class ReadReminder(models.Model):
    """The office asked a delegate who had not read a document to read it (library.services.remind_unread):
    the delegate's terminal shows it until they read the version it names."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reminders")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("meeting.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lời nhắc đọc")
        verbose_name_plural = pgettext_lazy("plural", "lời nhắc đọc")
        indexes = [models.Index(fields=["user", "sent_at"]), models.Index(fields=["document", "sent_at"])]


class Annotation(models.Model):
    """A private note or highlight: only its author ever sees it."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Ghi chú")
        HIGHLIGHT = "highlight", _("Đánh dấu")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="annotations")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="annotations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A highlight's rectangle on the page, as fractions of its width and height: {x, y, w, h}.
    rect = models.JSONField(null=True, blank=True)
    text = models.TextField(blank=True)
    color = models.CharField(max_length=20, blank=True)
    # Made by the reader's browser when the note is written (maybe offline): sending it again after
    # a lost reply finds the note already stored instead of adding it twice.
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "id"]
        indexes = [models.Index(fields=["document", "user"])]
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="library_annotation_once_per_client_id")]


class SearchEntry(models.Model):
    """What search reads for a document: its metadata and its current
    version's text, folded (lower case, no diacritics, same length: see
    library.text.fold), written only by library.search.index_document.

    The full-text index over `folded` lives outside the model, created by
    migration 0002 and kept in step by the database itself: on PostgreSQL a
    generated tsvector column `vector` (GIN index), on SQLite the FTS5 table
    library_fts, a contentless index mirroring this table by rowid (= document
    id) through triggers. So no code path can forget to update it."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    text = models.TextField()  # metadata + content, as written (NFC; for snippets)
    folded = models.TextField()  # fold(text): what is matched, same positions as text
    # Where the content starts in `text` (before it: one line per metadata field).
    content_start = models.PositiveIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now=True)


class Convocation(models.Model):
    """A session's convocation letter as issued (giấy triệu tập): its number and symbol and its date
    of issue, entered by the office when the letter is registered, and the programme as planned
    then (the sittings and their agenda items, numbered), so every later render prints the same
    letter whatever the live agenda becomes (items inserted, postponed). library.convocation draws it."""

    session = models.OneToOneField("meeting.Session", on_delete=models.PROTECT, related_name="convocation",
                                   verbose_name=_("kỳ họp"))
    number = models.CharField(_("số, ký hiệu"), max_length=60)  # e.g. "15/GTT-HĐND"
    issued_on = models.DateField(_("ngày ban hành"))
    # [{"title", "starts_at" (ISO, aware), "place", "items": [{"number", "title", "depth"}]}]
    programme = models.JSONField(default=list, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  editable=False)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giấy triệu tập đã ban hành")
        verbose_name_plural = pgettext_lazy("plural", "giấy triệu tập đã ban hành")

    def __str__(self):
        return f"{self.number} — {self.session}"
