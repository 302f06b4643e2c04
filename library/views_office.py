"""The council office's side of the library: a session's documents and its
checklist, upload, metadata, versions, attachments, publishing and read
receipts.

Views only parse the request and call library.services; who may do what is
decided in accounts.permissions; a refusal (LibraryError) is shown next to
the form it came from, and nothing is stored.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.pages import problem
from accounts.permissions import may_manage_documents, may_print_convocations
from agenda.models import AgendaItem
from agenda.state import ordered_items
from meeting.models import Membership, Session, Sitting

from . import services
from .models import Attachment, Convocation, Document, DocumentVersion, ReadReceipt, ReadReminder
from .services import LibraryError
from .text import person_key

# Agenda items that cannot be debated without papers (the checklist asks for at least one).
ITEM_KINDS_NEEDING_PAPERS = (AgendaItem.Kind.SUBMISSION, AgendaItem.Kind.DRAFT_RESOLUTION)
# Room for the other form fields around the file in one multipart body.
FORM_OVERHEAD_BYTES = 64 * 1024

CLASSIFICATION_CHOICES = [("none", gettext_lazy("Không mật"))] + [
    (key, gettext_lazy(label)) for key, label in (("mat", "Mật"), ("toi_mat", "Tối mật"), ("tuyet_mat", "Tuyệt mật"))
]


def documents_staff_required(view):
    """Sign-in first; then only those accounts.permissions lets manage documents."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if _wants_json(request):
                return JsonResponse({"ok": False, "error": {"code": "unauthenticated", "message": _("Hãy đăng nhập.")}},
                                    status=401)
            return redirect_to_login(request.get_full_path())
        if not may_manage_documents(request.user):
            message = _("Chỉ cán bộ Văn phòng HĐND được quản lý tài liệu.")
            if _wants_json(request):
                return JsonResponse({"ok": False, "error": {"code": "forbidden", "message": message}}, status=403)
            return problem(request, "forbidden", message, title=_("Không có quyền truy cập"),
                           advice=_("Nếu bạn cần dùng chức năng này, hãy liên hệ Văn phòng để được cấp quyền."))
        return view(request, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.path.endswith(".json")


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _session_url(document) -> str:
    if document.session_id:
        return reverse("library:session", args=[document.session_id])
    return reverse("library:index")


# ---- forms -----------------------------------------------------------------------

class MetadataForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại văn bản"), choices=Document.Kind.choices)
    number = forms.CharField(label=gettext_lazy("Số, ký hiệu"), max_length=100, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "125/TTr-UBND"}))
    issued_on = forms.DateField(label=gettext_lazy("Ngày ban hành"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    issuer = forms.CharField(label=gettext_lazy("Cơ quan ban hành"), max_length=300, required=False)
    summary = forms.CharField(label=gettext_lazy("Trích yếu"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    signer = forms.CharField(label=gettext_lazy("Người ký"), max_length=200, required=False)
    access = forms.ChoiceField(label=gettext_lazy("Mức truy cập"), choices=Document.Access.choices,
                               initial=Document.Access.DELEGATES)
    session = forms.ModelChoiceField(label=gettext_lazy("Kỳ họp"), queryset=Session.objects.select_related("body"),
                                     required=False, empty_label=gettext_lazy("— Không thuộc kỳ họp nào —"))

    def meta(self) -> dict:
        return {f: self.cleaned_data[f] for f in services.METADATA_FIELDS if f in self.cleaned_data}


class UploadForm(MetadataForm):
    file = forms.FileField(label=gettext_lazy("Tệp"))
    classification = forms.ChoiceField(label=gettext_lazy("Độ mật"), choices=CLASSIFICATION_CHOICES, initial="none")
    item = forms.IntegerField(label=gettext_lazy("Gắn vào mục chương trình"), required=False)

    field_order = ["file", "classification", "kind", "number", "issued_on", "issuer", "summary", "signer",
                   "access", "session", "item"]


class VersionForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp mới"))
    note = forms.CharField(label=gettext_lazy("Thay đổi gì so với bản trước"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    classification = forms.ChoiceField(label=gettext_lazy("Độ mật"), choices=CLASSIFICATION_CHOICES, initial="none")


def _too_large(request) -> str | None:
    """Refuse an oversized upload from its declared length, before reading the body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > settings.DOCUMENT_MAX_BYTES + FORM_OVERHEAD_BYTES:
        return too_large_message(length)
    return None


def too_large_message(size: int) -> str:
    return _("Tệp quá lớn (%(size)s): mỗi tài liệu tối đa %(max)s. Không có gì được lưu. "
             "Hãy nén hoặc tách tệp rồi tải lên lại.") % {
        "size": filesizeformat(size), "max": filesizeformat(settings.DOCUMENT_MAX_BYTES)}


def _refusal(request, template: str, context: dict, code: str, message: str, status: int = 400):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": {"code": code, "message": message}}, status=status)
    context["refusal"] = {"code": code, "message": message}
    return render(request, template, context, status=status)


def _agenda_items(session):
    if session is None:
        return AgendaItem.objects.none()
    return (AgendaItem.objects.filter(sitting__session=session).select_related("sitting")
            .order_by("sitting__starts_at", "sitting_id", "position", "id"))


def _upload_context(form, session=None) -> dict:
    return {
        "form": form,
        "session": session,
        "items": list(_agenda_items(session)),
        "sessions_items": _items_by_session(),
        "max_bytes": settings.DOCUMENT_MAX_BYTES,
        "classified": services.CLASSIFIED,
    }


def _items_by_session() -> list:
    """[(session, sitting, [items])] for the agenda-item select, one group per sitting, its items
    numbered in reading order as the hub numbers them ("2", "2.1"); office.js shows the groups of
    the chosen session."""
    sittings = (Sitting.objects.filter(session__isnull=False, agenda_items__isnull=False).distinct()
                .select_related("session").order_by("session_id", "starts_at", "pk"))
    return [(s.session, s, ordered_items(s.pk)) for s in sittings]


# ---- pages -----------------------------------------------------------------------

@documents_staff_required
def index(request):
    today = timezone.localdate()
    sessions = list(Session.objects.select_related("body").order_by("-start_date", "-pk").annotate(
        total=Count("documents", filter=~Q(documents__status=Document.Status.WITHDRAWN)),
        drafts=Count("documents", filter=Q(documents__status=Document.Status.DRAFT)),
        published=Count("documents", filter=Q(documents__status=Document.Status.PUBLISHED)),
        late=Count("documents", filter=Q(documents__status=Document.Status.PUBLISHED, documents__published_late=True)),
    ))
    for s in sessions:
        s.due = services.due_date(s)
        s.days_left = (s.due - today).days
        s.overdue = s.drafts > 0 and s.days_left < 0 and s.end_date >= today
    recent = (DocumentVersion.objects.select_related("document", "document__session", "uploaded_by")
              .order_by("-uploaded_at", "-pk")[:15])
    unfiled = Document.objects.filter(session__isnull=True).exclude(status=Document.Status.WITHDRAWN).count()
    return render(request, "library/office/index.html", {
        "sessions": sessions, "recent": recent, "unfiled": unfiled, "today": today,
        "due_days": settings.DOCUMENTS_DUE_DAYS,
    })


def _session_documents(session):
    sittings = list(session.sittings.all())
    items = list(_agenda_items(session))
    sit_ct = ContentType.objects.get_for_model(Sitting)
    item_ct = ContentType.objects.get_for_model(AgendaItem)
    links = list(Attachment.objects.filter(
        Q(content_type=sit_ct, object_id__in=[s.pk for s in sittings])
        | Q(content_type=item_ct, object_id__in=[i.pk for i in items])).values_list("document_id", "content_type_id", "object_id"))
    docs = list(Document.objects.filter(Q(session=session) | Q(pk__in={d for d, _c, _o in links}))
                .select_related("current_version", "published_by").order_by("kind", "number", "pk"))
    return sittings, items, links, docs, sit_ct, item_ct


def _session_members(session) -> list:
    """The members of the session's body: they receive its documents."""
    return [m.member for m in Membership.objects.filter(body_id=session.body_id, active=True)
            .select_related("member", "member__user").order_by("member__full_name")]


@documents_staff_required
def session_documents(request, session_id: int):
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    today = timezone.localdate()
    due = services.due_date(session)
    sittings, items, links, docs, sit_ct, item_ct = _session_documents(session)

    members = _session_members(session)
    user_ids = [m.user_id for m in members if m.user_id]
    read_counts = dict(ReadReceipt.objects.filter(document__in=docs, user_id__in=user_ids)
                       .values("document").annotate(n=Count("user", distinct=True)).values_list("document", "n"))
    where: dict[int, list[str]] = {}
    sitting_by_id = {s.pk: s for s in sittings}
    item_by_id = {i.pk: i for i in items}
    item_docs: dict[int, list[int]] = {}
    for doc_id, ct, obj in links:
        if ct == sit_ct.pk and obj in sitting_by_id:
            where.setdefault(doc_id, []).append(sitting_by_id[obj].title)
        elif ct == item_ct.pk and obj in item_by_id:
            where.setdefault(doc_id, []).append(item_by_id[obj].title)
            item_docs.setdefault(obj, []).append(doc_id)
    for d in docs:
        d.read_count = read_counts.get(d.pk, 0)
        d.where = where.get(d.pk, [])
        d.would_be_late = d.status == Document.Status.DRAFT and services.is_late(session)

    live = [d for d in docs if d.status != Document.Status.WITHDRAWN]
    live_ids = {d.pk for d in live}
    missing = [i for i in items if i.kind in ITEM_KINDS_NEEDING_PAPERS
               and not any(doc_id in live_ids for doc_id in item_docs.get(i.pk, []))]
    unprocessed = [d for d in live if d.current_version is None or d.current_version.state != "ready"]
    failed = [d for d in live if d.current_version is not None and d.current_version.state == "failed"]
    unpublished = [d for d in live if d.status == Document.Status.DRAFT]
    late = [d for d in live if d.published_late]
    invitations = [d for d in live if d.kind == Document.Kind.INVITATION and d.status == Document.Status.PUBLISHED]
    checklist = [
        {"ok": not missing, "label": _("Mỗi tờ trình, dự thảo nghị quyết trong chương trình có tài liệu"),
         "items": [f"{i.sitting.title} — {i.title}" for i in missing]},
        {"ok": not unprocessed, "label": _("Mọi tệp đã xử lý xong (trích văn bản, ảnh trang)"),
         "items": [d.summary for d in unprocessed], "bad": bool(failed)},
        {"ok": bool(live) and not unpublished, "label": _("Mọi tài liệu đã phát hành tới đại biểu"),
         "items": [d.summary for d in unpublished]},
        {"ok": not late and not (unpublished and today > due),
         "label": _("Phát hành đúng hạn (chậm nhất ngày %(due)s)") % {"due": due.strftime("%d/%m/%Y")},
         "items": [d.summary for d in late]},
        {"ok": bool(invitations), "label": _("Giấy triệu tập đã phát hành (loại “Giấy mời, giấy triệu tập”)"), "items": [],
         "link": (reverse("library:convocations", args=[session.pk]), _("Lập giấy triệu tập (PDF)"))},
    ]
    return render(request, "library/office/session.html", {
        "convocation": Convocation.objects.filter(session=session).first(),
        "may_issue_convocation": may_print_convocations(request.user),
        "session": session, "due": due, "days_left": (due - today).days, "days_over": (today - due).days, "today": today,
        "docs": docs, "members_total": len(members), "checklist": checklist, "missing": missing,
        "due_days": settings.DOCUMENTS_DUE_DAYS, "drafts_ready": [d for d in unpublished if d.current_version_id],
        "is_late": services.is_late(session),
        "held": list(DocumentVersion.objects.filter(document__in=docs, state=DocumentVersion.State.HELD)
                     .select_related("document", "uploaded_by").order_by("uploaded_at", "pk")),
    })


@documents_staff_required
def publish_session_view(request, session_id: int):
    """GET: what would go out (and whether late); POST: publish it."""
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    if request.method == "POST":
        try:
            done = services.publish_session(request.user, session)
        except LibraryError as refused:
            messages.error(request, refused.message)
        else:
            if done:
                messages.success(request, ngettext("Đã phát hành %(n)d tài liệu tới đại biểu.",
                                                   "Đã phát hành %(n)d tài liệu tới đại biểu.", len(done)) % {"n": len(done)})
                if any(d.published_late for d in done):
                    messages.warning(request, _("Phát hành sau hạn gửi tài liệu: các tài liệu này được đánh dấu “muộn”."))
            else:
                messages.info(request, _("Không có tài liệu nào chờ phát hành."))
        return redirect("library:session", session_id=session.pk)
    drafts = list(Document.objects.filter(session=session, status=Document.Status.DRAFT).select_related("current_version"))
    return render(request, "library/office/publish_session.html", {
        "session": session,
        "going": [d for d in drafts if d.current_version_id],
        "held": [d for d in drafts if not d.current_version_id],
        "due": services.due_date(session), "late": services.is_late(session),
        "members_total": len(_session_members(session)),
    })


@never_cache
@documents_staff_required
def upload_view(request):
    session = None
    if request.method == "POST":
        oversized = _too_large(request)
        if oversized:
            return _refusal(request, "library/office/upload.html", _upload_context(UploadForm(), None),
                            "too_large", oversized, status=413)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            session = form.cleaned_data["session"]
            item = None
            if form.cleaned_data["item"]:
                item = _agenda_items(session).filter(pk=form.cleaned_data["item"]).first()
                if item is None:
                    return _refusal(request, "library/office/upload.html", _upload_context(form, session), "invalid",
                                    _("Mục chương trình đã chọn không thuộc kỳ họp này."))
            upload = form.cleaned_data["file"]
            try:
                document = services.upload(request.user, upload, name=upload.name,
                                           classification=form.cleaned_data["classification"], **form.meta())
                if item is not None:
                    services.attach(request.user, document, item)
            except LibraryError as refused:
                return _refusal(request, "library/office/upload.html", _upload_context(form, session),
                                refused.code, refused.message)
            return _stored(request, document, document.versions.order_by("-number").first(),
                           _("Đã tải lên “%(t)s”. Hệ thống đang trích văn bản và tạo ảnh trang.") % {"t": document.summary})
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": {"code": "invalid", "message": _form_errors(form)}}, status=400)
    else:
        session = Session.objects.filter(pk=request.GET.get("session") or 0).first() if (
            request.GET.get("session", "").isdigit()) else None
        form = UploadForm(initial={"session": session, "item": request.GET.get("item") or None,
                                   "kind": request.GET.get("kind") or Document.Kind.SUBMISSION})
    return render(request, "library/office/upload.html", _upload_context(form, session))


def _form_errors(form) -> str:
    return " ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".strip(": ")
                    for f, e in form.errors.items())


def _stored(request, document, version, message: str):
    """After an upload: the session's documents, or, for a held file, the page that asks its
    uploader to confirm it is not classified."""
    held = version.state == DocumentVersion.State.HELD
    target = reverse("library:confirm", args=[version.pk]) if held else _session_url(document)
    if held:
        message = _("Đã nhận tệp “%(f)s” nhưng chưa xử lý: hệ thống không đọc được toàn bộ nội dung (%(why)s). "
                    "Hãy xác nhận tài liệu không chứa bí mật nhà nước.") % {"f": version.original_name,
                                                                          "why": version.unreadable}
    if _wants_json(request):
        return JsonResponse({"ok": True, "document": document.pk, "version": version.number, "held": held,
                             "status_url": reverse("library:version_status", args=[version.pk]),
                             "redirect": target, "message": message})
    (messages.warning if held else messages.success)(request, message)
    return redirect(target)


def _document(document_id: int) -> Document:
    return get_object_or_404(Document.objects.select_related("session", "current_version"), pk=document_id)


@documents_staff_required
def edit_view(request, document_id: int):
    document = _document(document_id)
    if request.method == "POST":
        form = MetadataForm(request.POST)
        if form.is_valid():
            try:
                services.update_metadata(request.user, document, **form.meta())
            except LibraryError as refused:
                return _refusal(request, "library/office/edit.html", {"form": form, "document": document},
                                refused.code, refused.message)
            messages.success(request, _("Đã lưu thông tin văn bản."))
            return redirect(_next_or(request, _session_url(document)))
    else:
        form = MetadataForm(initial={f: getattr(document, f) for f in services.METADATA_FIELDS if f != "body"})
    return render(request, "library/office/edit.html", {"form": form, "document": document})


@never_cache
@documents_staff_required
def new_version_view(request, document_id: int):
    document = _document(document_id)

    def context(form):
        return {"form": form, "document": document, "max_bytes": settings.DOCUMENT_MAX_BYTES,
                "versions": document.versions.select_related("uploaded_by").order_by("-number")}

    if request.method == "POST":
        oversized = _too_large(request)
        if oversized:
            return _refusal(request, "library/office/version.html", context(VersionForm()), "too_large", oversized, status=413)
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version = services.add_version(request.user, document, upload, name=upload.name,
                                               note=form.cleaned_data["note"],
                                               classification=form.cleaned_data["classification"])
            except LibraryError as refused:
                return _refusal(request, "library/office/version.html", context(form), refused.code, refused.message)
            document.refresh_from_db()
            return _stored(request, document, version, _("Đã tải lên phiên bản %(n)d; các phiên bản trước vẫn được "
                                                         "lưu.") % {"n": version.number})
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": {"code": "invalid", "message": _form_errors(form)}}, status=400)
    else:
        form = VersionForm()
    return render(request, "library/office/version.html", context(form))


@documents_staff_required
def attach_view(request, document_id: int):
    """Tick the sittings and agenda items of the document's session it belongs to."""
    document = _document(document_id)
    session = document.session
    sittings = list(session.sittings.order_by("starts_at", "pk")) if session else []
    items = list(_agenda_items(session))
    sit_ct = ContentType.objects.get_for_model(Sitting)
    item_ct = ContentType.objects.get_for_model(AgendaItem)
    current = {(ct, obj) for ct, obj in document.attachments.values_list("content_type_id", "object_id")}
    targets = [(f"sitting:{s.pk}", s, (sit_ct.pk, s.pk) in current) for s in sittings]
    targets += [(f"item:{i.pk}", i, (item_ct.pk, i.pk) in current) for i in items]
    if request.method == "POST":
        wanted = set(request.POST.getlist("target"))
        try:
            for key, obj, attached in targets:
                if key in wanted and not attached:
                    services.attach(request.user, document, obj)
                elif key not in wanted and attached:
                    services.detach(request.user, document, obj)
        except LibraryError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Đã cập nhật nơi gắn tài liệu."))
        return redirect(_session_url(document))
    by_sitting = [{"sitting": s, "key": f"sitting:{s.pk}", "attached": (sit_ct.pk, s.pk) in current,
                   "items": [{"item": i, "key": f"item:{i.pk}", "attached": (item_ct.pk, i.pk) in current}
                             for i in items if i.sitting_id == s.pk]} for s in sittings]
    return render(request, "library/office/attach.html", {"document": document, "sittings": by_sitting})


@require_POST
@documents_staff_required
def publish_view(request, document_id: int):
    document = _document(document_id)
    try:
        done = services.publish(request.user, [document])
    except LibraryError as refused:
        messages.error(request, refused.message)
    else:
        if done and done[0].published_late:
            messages.warning(request, _("Đã phát hành “%(t)s”, sau hạn gửi tài liệu: được đánh dấu “muộn”.")
                             % {"t": document.summary})
        elif done:
            messages.success(request, _("Đã phát hành “%(t)s” tới đại biểu.") % {"t": document.summary})
        else:
            messages.info(request, _("Tài liệu này đã được phát hành trước đó."))
    return redirect(_next_or(request, _session_url(document)))


@require_POST
@documents_staff_required
def withdraw_view(request, document_id: int):
    document = _document(document_id)
    try:
        services.withdraw(request.user, document)
    except LibraryError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Đã thu hồi “%(t)s”: đại biểu không còn thấy tài liệu này.") % {"t": document.summary})
    return redirect(_next_or(request, _session_url(document)))


@documents_staff_required
def reads_view(request, document_id: int):
    """Who of the body has read this document, and which version."""
    document = _document(document_id)
    body_id = document.session.body_id if document.session_id else document.body_id
    members = ([m.member for m in Membership.objects.filter(body_id=body_id, active=True).select_related("member")]
               if body_id else [])
    members.sort(key=lambda m: person_key(m.full_name))  # by given name, as Vietnamese lists are
    receipts: dict[int, list] = {}
    for r in ReadReceipt.objects.filter(document=document).select_related("version", "user").order_by("-version__number"):
        receipts.setdefault(r.user_id, []).append(r)
    current = document.current_version
    rows, seen = [], set()
    for m in members:
        mine = receipts.get(m.user_id, []) if m.user_id else []
        seen.add(m.user_id)
        rows.append(_read_row(m.full_name, m.code, mine, current))
    others = [_read_row(rs[0].user.get_full_name() or rs[0].user.username, "", rs, current)
              for uid, rs in receipts.items() if uid not in seen]
    read = sum(1 for r in rows if r["read"])
    total, read_current = len(rows), sum(1 for r in rows if r["current"])
    unread_only = request.GET.get("unread") == "1"
    if unread_only:  # who still has to read it (or to read the new version)
        rows = [r for r in rows if not r["current"]]
    last_reminder = ReadReminder.objects.filter(document=document).order_by("-sent_at").first()
    return render(request, "library/office/reads.html", {
        "document": document, "rows": rows, "others": others, "total": total, "read": read, "unread": total - read,
        "read_current": read_current, "unread_only": unread_only,
        "to_remind": total - read_current, "last_reminder": last_reminder,
        "reminded_count": ReadReminder.objects.filter(document=document, sent_at=last_reminder.sent_at).count()
        if last_reminder else 0,
    })


@require_POST
@documents_staff_required
def remind_view(request, document_id: int):
    """Remind the members who have not read the current version (library.services.remind_unread)."""
    document = _document(document_id)
    try:
        reminded = services.remind_unread(request.user, document)
    except LibraryError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, ngettext(
            "Đã gửi lời nhắc đọc tới %(n)s đại biểu chưa đọc; họ thấy lời nhắc trên máy tính bảng.",
            "Đã gửi lời nhắc đọc tới %(n)s đại biểu chưa đọc; họ thấy lời nhắc trên máy tính bảng.",
            len(reminded)) % {"n": len(reminded)})
    return redirect(reverse("library:reads", args=[document.pk]) + ("?unread=1" if request.POST.get("unread") else ""))


def _read_row(name, code, receipts, current) -> dict:
    if not receipts:
        return {"name": name, "code": code, "read": False, "current": False}
    latest = max(receipts, key=lambda r: r.version.number)
    return {
        "name": name, "code": code, "read": True,
        "versions": sorted({r.version.number for r in receipts}),
        "latest": latest.version.number,
        "current": current is not None and any(r.version_id == current.pk for r in receipts),
        "first_at": min(r.first_at for r in receipts),
        "last_at": max(r.last_at for r in receipts),
        "count": sum(r.count for r in receipts),
    }


@never_cache
@documents_staff_required
def version_status(request, version_id: int):
    v = get_object_or_404(DocumentVersion, pk=version_id)
    held = v.state == DocumentVersion.State.HELD
    return JsonResponse({
        "id": v.pk, "document": v.document_id, "number": v.number,
        "state": v.state, "state_label": str(v.get_state_display()),
        "progress": v.progress, "pages_ready": v.pages_ready, "page_count": v.page_count,
        "error": v.error, "done": held or v.state in (DocumentVersion.State.READY, DocumentVersion.State.FAILED),
        "held": held, "unreadable": v.unreadable,
        "confirm_url": reverse("library:confirm", args=[v.pk]) if held else None,
    })


@never_cache
@documents_staff_required
def confirm_view(request, version_id: int):
    """A held file: what could not be read, and two choices for its uploader — confirm it is not
    classified (audited; then it is processed), or cancel the upload (the file is deleted)."""
    version = get_object_or_404(DocumentVersion.objects.select_related("document", "document__session", "uploaded_by"),
                                pk=version_id)
    document = version.document
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                if request.POST.get("not_classified") != "yes":
                    raise LibraryError("invalid", _("Hãy đánh dấu ô xác nhận tài liệu không chứa bí mật nhà nước."))
                services.confirm_unclassified(request.user, version)
            elif action == "discard":
                kept = services.discard_held(request.user, version)
            else:
                raise LibraryError("invalid", _("Hãy chọn xác nhận hoặc hủy tải lên."))
        except LibraryError as refused:
            return _refusal(request, "library/office/confirm.html", _confirm_context(request, version), refused.code,
                            refused.message, status=403 if refused.code == "forbidden" else 400)
        if action == "confirm":
            messages.success(request, _("Đã xác nhận “%(f)s” không chứa bí mật nhà nước. Hệ thống đang trích văn bản "
                                        "và tạo ảnh trang.") % {"f": version.original_name})
            return redirect(_session_url(document))
        messages.success(request, _("Đã hủy tải lên “%(f)s”: tệp đã bị xóa khỏi hệ thống.") % {"f": version.original_name})
        if kept is not None:
            return redirect(_session_url(kept))
        return redirect(reverse("library:session", args=[document.session_id]) if document.session_id
                        else reverse("library:upload"))
    return render(request, "library/office/confirm.html", _confirm_context(request, version))


def _confirm_context(request, version) -> dict:
    # Who may answer is decided by library.services; the page only names the uploader to others.
    return {"version": version, "document": version.document,
            "held": version.state == DocumentVersion.State.HELD,
            "someone_else": version.uploaded_by_id != request.user.pk}
