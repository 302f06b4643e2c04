"""Every change to the library goes through here: upload, new version,
metadata, attach, publish, withdraw, read receipts, reminders to read.

Each call checks the permission (accounts.permissions), validates fully
before storing anything, writes its rows and its audit record in one
transaction, and tells the live sittings concerned (through the hub's one
write path, realtime.service.change) so terminals and consoles update.
"""

import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import (Actor, actor_for, may_answer_held_upload, may_manage_documents, may_read_document,
                                 system_actor)
from audit.operations import ServiceError, operation, refuse
from audit.services import record

from . import files
from .models import Attachment, Document, DocumentVersion, ReadReceipt, ReadReminder

# Classification marks (độ mật) a clerk may declare; any of them refuses the upload.
CLASSIFIED = {
    "mat": "Mật",
    "toi_mat": "Tối mật",
    "tuyet_mat": "Tuyệt mật",
}

METADATA_FIELDS = ("kind", "number", "issued_on", "issuer", "summary", "signer", "access", "session", "body")


class LibraryError(ServiceError):
    """A refused library request; `code` is stable (docs/library.md)."""


def _staff_actor(user) -> Actor:
    return Actor(role="secretary" if may_manage_documents(user) else "", user=user)


def _require_staff(user, action: str):
    if not may_manage_documents(user):
        refuse(Actor(role="", user=user), action, _("Chỉ cán bộ Văn phòng HĐND được quản lý tài liệu."), error=LibraryError)


def _staff_operation(user, action: str, **detail):
    """The office's change of the library: permission, transaction, audit, after-commit (audit.operations)."""
    allowed = may_manage_documents(user)
    return operation(_staff_actor(user), action, allowed=allowed, error=LibraryError, detail=detail,
                     refusal=_("Chỉ cán bộ Văn phòng HĐND được quản lý tài liệu."))


def classified_message(level: str) -> str:
    name = CLASSIFIED.get(level, level)
    # Luật Bảo vệ bí mật nhà nước số 117/2025/QH15 (in force 01/3/2026, replacing 29/2018/QH14),
    # art. 5 cl. 2: no drafting or storing of state-secret documents on a networked device.
    return _("Không thể tải lên tài liệu có độ mật “%(level)s”. Luật Bảo vệ bí mật nhà nước (Luật số "
             "117/2025/QH15, Điều 5) cấm soạn thảo, lưu giữ tài liệu bí mật nhà nước trên máy tính, thiết bị "
             "đang kết nối mạng máy tính, mạng Internet, mạng viễn thông. Hãy phát hành bản giấy theo quy trình "
             "tài liệu mật; chương trình họp vẫn có thể ghi tên nội dung này là “tài liệu giấy”.") % {"level": name}


def refuse_classified(level: str | None):
    if level and level != "none":
        raise LibraryError("classified", classified_message(level))


def due_date(session):
    """Documents of a session are due this day (DOCUMENTS_DUE_DAYS before it opens)."""
    return session.start_date - timedelta(days=settings.DOCUMENTS_DUE_DAYS)


def is_late(session, when=None) -> bool:
    if session is None:
        return False
    when = timezone.localdate(when or timezone.now())
    return when > due_date(session)


# ---- storing files ---------------------------------------------------------------

def _store(checked: "files.CheckedFile", upload) -> str:
    """Save the checked file under a name of ours (never the uploader's)."""
    storage = DocumentVersion._meta.get_field("file").storage
    key = uuid.uuid4().hex
    name = f"files/{key[:2]}/{key}.{checked.extension}"
    upload.seek(0)
    return storage.save(name, upload)


def _delete_quietly(name: str):
    storage = DocumentVersion._meta.get_field("file").storage
    try:
        storage.delete(name)
    except OSError:
        pass


def _new_version(document: Document, checked, stored_name: str, user, note: str) -> DocumentVersion:
    """The version row. A file part of which could not be read for a classification stamp is
    held: not current, not processed, until its uploader confirms it (confirm_unclassified)."""
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    held = bool(checked.unreadable)
    version = DocumentVersion.objects.create(
        document=document, number=number, file=stored_name, original_name=checked.display_name,
        file_kind=checked.kind, size=checked.size, sha256=checked.sha256, note=note, uploaded_by=user,
        page_count=checked.page_count or 0, unreadable=checked.unreadable[:500],
        state=DocumentVersion.State.HELD if held else DocumentVersion.State.QUEUED,
    )
    if not held:
        _make_current(document, version)
        _enqueue(version)
    return version


def _make_current(document: Document, version: DocumentVersion):
    Document.objects.filter(pk=document.pk).update(current_version=version)
    document.current_version = version


def _enqueue(version: DocumentVersion):
    from .tasks import process_version

    # Enqueued in the same transaction: the job exists exactly when the (processable) version does.
    process_version.enqueue(version.pk)


def upload(user, upload, *, name: str | None = None, classification: str = "", **meta) -> Document:
    """A new document with its first version. Nothing is stored if anything is refused."""
    _require_staff(user, "library.upload")
    refuse_classified(classification)
    meta = _clean_meta(meta)
    checked = _check(upload, name)
    stored = _store(checked, upload)
    try:
        with transaction.atomic():
            document = Document.objects.create(created_by=user, **meta)
            version = _new_version(document, checked, stored, user, note="")
            record(_staff_actor(user), "library.upload", detail={
                "document": document.pk, "version": version.number, "file": checked.display_name,
                "sha256": checked.sha256, "size": checked.size} | _held_detail(version))
            notify(user, document)
    except BaseException:
        _delete_quietly(stored)
        raise
    return document


def add_version(user, document: Document, upload, *, name: str | None = None, note: str = "",
                classification: str = "") -> DocumentVersion:
    """Replace the file; the earlier one stays in the history."""
    _require_staff(user, "library.version")
    refuse_classified(classification)
    checked = _check(upload, name)
    stored = _store(checked, upload)
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document.pk)
            version = _new_version(document, checked, stored, user, note=note[:500])
            Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
            record(_staff_actor(user), "library.version", detail={
                "document": document.pk, "version": version.number, "file": checked.display_name,
                "sha256": checked.sha256} | _held_detail(version))
            notify(user, document)
    except BaseException:
        _delete_quietly(stored)
        raise
    return version


def _held_detail(version: DocumentVersion) -> dict:
    return {"held": True, "unreadable": version.unreadable} if version.state == DocumentVersion.State.HELD else {}


# ---- a file that could not be read whole: its uploader confirms it is not classified ----------

def _may_answer(user, version: DocumentVersion, action: str):
    """Office staff, and the one who uploaded this file: only the person who had the paper in
    hand knows whether it carried a stamp. A refusal is audited (outside the refused transaction)."""
    _require_staff(user, action)
    uploader = DocumentVersion.objects.filter(pk=version.pk).values_list("uploaded_by_id", flat=True).first()
    if not may_answer_held_upload(user, uploader):
        with transaction.atomic():
            record(_staff_actor(user), action, outcome="forbidden",
                   detail={"document": version.document_id, "version": version.number})
        raise LibraryError("forbidden", _("Chỉ người đã tải tệp lên mới xác nhận hoặc hủy được tệp này."))


def _locked_held(version: DocumentVersion) -> DocumentVersion:
    version = DocumentVersion.objects.select_for_update().filter(pk=version.pk).first()
    if version is None or version.state != DocumentVersion.State.HELD:
        raise LibraryError("not_held", _("Tệp này không chờ xác nhận (đã được xác nhận hoặc hủy trước đó)."))
    return version


def confirm_unclassified(user, version: DocumentVersion) -> DocumentVersion:
    """The uploader confirms that the held file, which the system could not read whole, carries
    no classification: audited, then it becomes current (if newest) and is processed."""
    _may_answer(user, version, "library.confirm_unclassified")
    with transaction.atomic():
        version = _locked_held(version)
        document = Document.objects.select_for_update().get(pk=version.document_id)
        version.state = DocumentVersion.State.QUEUED
        version.save(update_fields=["state"])
        newest = not document.versions.filter(number__gt=version.number).exclude(
            state=DocumentVersion.State.HELD).exists()
        if newest:
            _make_current(document, version)
            Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
        _enqueue(version)
        record(_staff_actor(user), "library.confirm_unclassified", detail={
            "document": document.pk, "version": version.number, "file": version.original_name,
            "sha256": version.sha256, "unreadable": version.unreadable})
        notify(user, document)
    return version


def discard_held(user, version: DocumentVersion) -> Document | None:
    """The uploader withdraws a held file (it may be classified): the file and its version are
    deleted; a document left with no version at all is deleted too. Returns the document kept."""
    _may_answer(user, version, "library.discard_held")
    with transaction.atomic():
        version = _locked_held(version)
        document = Document.objects.select_for_update().get(pk=version.document_id)
        name = version.file.name
        record(_staff_actor(user), "library.discard_held", detail={
            "document": document.pk, "version": version.number, "file": version.original_name,
            "sha256": version.sha256, "unreadable": version.unreadable})
        version.delete()
        kept = document if document.versions.exists() else None
        if kept is None:
            sittings = sittings_for([document])
            document.delete()
            if sittings:
                notify_many(user, [], extra_sittings=sittings)
        transaction.on_commit(lambda: _delete_quietly(name))
    return kept


def _check(upload, name):
    try:
        return files.check_upload(upload, name or getattr(upload, "name", "") or "")
    except files.FileRefused as refused:
        raise LibraryError(refused.code, refused.message) from None


def _clean_meta(meta: dict) -> dict:
    unknown = set(meta) - set(METADATA_FIELDS)
    if unknown:
        raise LibraryError("invalid", _("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    out = dict(meta)
    if not (out.get("summary") or "").strip():
        raise LibraryError("invalid", _("Cần nhập trích yếu của văn bản."))
    out["summary"] = out["summary"].strip()
    if out.get("access", Document.Access.DELEGATES) not in Document.Access.values:
        raise LibraryError("invalid", _("Mức truy cập không hợp lệ."))
    if out.get("kind", Document.Kind.OTHER) not in Document.Kind.values:
        raise LibraryError("invalid", _("Loại văn bản không hợp lệ."))
    session = out.get("session")
    if session is not None and out.get("body") is None:
        out["body"] = session.body
    return out


def update_metadata(user, document: Document, **meta) -> Document:
    _require_staff(user, "library.edit")
    meta = _clean_meta({**{f: getattr(document, f) for f in METADATA_FIELDS}, **meta})
    with _staff_operation(user, "library.edit", document=document.pk) as op:
        document = Document.objects.select_for_update().get(pk=document.pk)
        before = {f: str(getattr(document, f)) for f in meta}
        shown_in = sittings_for([document])  # moved to another session: the old sittings are told too
        for f, v in meta.items():
            setattr(document, f, v)
        document.save()
        op.detail["changed"] = {f: [before[f], str(v)] for f, v in meta.items() if before[f] != str(v)}
        notify(user, document, extra_sittings=shown_in)
        op.after_commit(partial(_index_now, document.pk))
    return document


def _reindex(document):
    transaction.on_commit(partial(_index_now, document.pk))


def _index_now(document_id: int):
    from . import search

    search.index_document(document_id)


# ---- where documents belong ------------------------------------------------------

def attach(user, document: Document, target) -> Attachment:
    """Attach to a sitting, an agenda item, or any later target (poll, question)."""
    ct = ContentType.objects.get_for_model(target)
    with _staff_operation(user, "library.attach", document=document.pk, target=f"{ct.model}:{target.pk}"):
        position = Attachment.objects.filter(content_type=ct, object_id=target.pk).count()
        link, _created = Attachment.objects.get_or_create(document=document, content_type=ct, object_id=target.pk,
                                                          defaults={"position": position})
        notify(user, document, extra_sittings=_sittings_of_target(target))
    return link


def detach(user, document: Document, target) -> None:
    ct = ContentType.objects.get_for_model(target)
    with _staff_operation(user, "library.detach", document=document.pk, target=f"{ct.model}:{target.pk}"):
        Attachment.objects.filter(document=document, content_type=ct, object_id=target.pk).delete()
        notify(user, document, extra_sittings=_sittings_of_target(target))


def _sittings_of_target(target) -> set[int]:
    from agenda.models import AgendaItem
    from meeting.models import Sitting

    if isinstance(target, Sitting):
        return {target.pk}
    if isinstance(target, AgendaItem):
        return {target.sitting_id}
    sitting_id = getattr(target, "sitting_id", None)
    return {sitting_id} if sitting_id else set()


# ---- publishing ------------------------------------------------------------------

def publish(user, documents) -> list[Document]:
    """Send documents to delegates: each terminal is told at once; late ones are flagged."""
    _require_staff(user, "library.publish")
    done = []
    with transaction.atomic():
        now = timezone.now()
        for document in Document.objects.select_for_update(of=("self",)).filter(pk__in=[d.pk for d in documents]).select_related("session"):
            if document.status == Document.Status.PUBLISHED:
                continue
            if document.current_version_id is None:
                raise LibraryError("no_file", _("Tài liệu “%(t)s” chưa có tệp.") % {"t": document.summary})
            document.status = Document.Status.PUBLISHED
            document.published_at = now
            document.published_by = user
            document.published_late = is_late(document.session, now)
            document.save(update_fields=["status", "published_at", "published_by", "published_late", "updated_at"])
            done.append(document)
        if done:
            record(_staff_actor(user), "library.publish", detail={
                "documents": [d.pk for d in done], "late": [d.pk for d in done if d.published_late]})
            notify_many(user, done, published=[d.pk for d in done])
    for d in done:
        _reindex(d)
    return done


def publish_session(user, session) -> list[Document]:
    """Publish every draft of the session that has a file."""
    _require_staff(user, "library.publish")
    drafts = list(Document.objects.filter(session=session, status=Document.Status.DRAFT, current_version__isnull=False))
    return publish(user, drafts)


def withdraw(user, document: Document) -> Document:
    with _staff_operation(user, "library.withdraw", document=document.pk) as op:
        document = Document.objects.select_for_update().get(pk=document.pk)
        document.status = Document.Status.WITHDRAWN
        document.save(update_fields=["status", "updated_at"])
        notify(user, document)
        op.after_commit(partial(_index_now, document.pk))
    return document


# ---- reading ---------------------------------------------------------------------

def record_read(user, document: Document, version: DocumentVersion | None = None, *, device=None) -> ReadReceipt | None:
    """Note that this person opened this version (the secretary's read receipts).

    Staff opening a draft is not a read receipt; nor is an anonymous reader.
    """
    if not (user and user.is_authenticated) or not may_read_document(user, document, device=device):
        return None
    if document.status != Document.Status.PUBLISHED:
        return None
    version = version or document.current_version
    if version is None:
        return None
    now = timezone.now()
    member = getattr(user, "member", None)
    with transaction.atomic():
        receipt, created = ReadReceipt.objects.select_for_update().get_or_create(
            version=version, user=user,
            defaults={"document": document, "member": member, "first_at": now, "last_at": now})
        if not created:
            receipt.last_at = now
            receipt.count += 1
            receipt.save(update_fields=["last_at", "count"])
    return receipt


# ---- reminding the delegates who have not read a document --------------------------------

# A delegate is reminded of a document at most once in this time (a double click, two clerks at once).
REMINDER_INTERVAL = timedelta(minutes=30)
# How long a terminal shows a reminder of a document still unread.
REMINDER_SHOWN = timedelta(days=7)


def unread_members(document: Document) -> list:
    """The active members of the document's body (its session's) with an account who may read it and
    have not read its current version: whom the read receipts page lists as not having read it."""
    from meeting.models import Membership

    body_id = document.session.body_id if document.session_id else document.body_id
    if not body_id or document.current_version_id is None:
        return []
    read = set(ReadReceipt.objects.filter(version_id=document.current_version_id).values_list("user_id", flat=True))
    members = [m.member for m in Membership.objects.filter(body_id=body_id, active=True)
               .select_related("member__user").order_by("member_id")]
    return [m for m in members if m.user_id and m.user_id not in read and m.user.is_active
            and may_read_document(m.user, document)]


def remind_unread(user, document: Document) -> list:
    """Remind every member who has not read the current version of a published document to read it:
    a notice on their terminal (stored, shown until they read it; told at once to the terminals
    following a sitting that shows the document). Audited `library.remind`; a member reminded of it
    less than REMINDER_INTERVAL ago is not reminded again. Returns the members reminded."""
    _require_staff(user, "library.remind")

    def refused(code, message):
        refuse(_staff_actor(user), "library.remind", message, code=code, error=LibraryError,
               detail={"document": document.pk})

    if document.status != Document.Status.PUBLISHED or document.current_version_id is None:
        refused("not_published", _("Chỉ nhắc đọc được tài liệu đã phát hành."))
    class Nobody(Exception):
        pass

    unread: list = []
    try:
        with _staff_operation(user, "library.remind", document=document.pk) as op:
            Document.objects.select_for_update().filter(pk=document.pk).first()  # one at a time per document
            now = timezone.now()
            unread = unread_members(document)
            recent = set(ReadReminder.objects.filter(document=document, sent_at__gt=now - REMINDER_INTERVAL)
                         .values_list("user_id", flat=True))
            due = [m for m in unread if m.user_id not in recent]
            if not due:
                raise Nobody  # nothing written, nothing recorded: the refusal below is
            ReadReminder.objects.bulk_create([
                ReadReminder(document=document, version_id=document.current_version_id, user_id=m.user_id, member=m,
                             sent_by=user, sent_at=now) for m in due])
            op.detail.update(version=document.current_version.number, members=[m.pk for m in due])
            op.after_commit(partial(tell_reminded, document.pk, [m.pk for m in due], now))
    except Nobody:
        if not unread:
            refused("all_read", _("Mọi đại biểu đã đọc bản hiện hành; không có ai để nhắc."))
        refused("too_soon", _("Những đại biểu chưa đọc vừa được nhắc trong %(n)s phút qua; hãy chờ rồi nhắc lại.")
                % {"n": int(REMINDER_INTERVAL.total_seconds() // 60)})
    return due


def reminder_json(document: Document, sent_at) -> dict:
    from django.urls import reverse

    return {"document_id": document.pk, "kind": document.kind, "number": document.number, "summary": document.summary,
            "url": reverse("library:view", args=[document.pk]), "sent_at": sent_at.isoformat()}


def tell_reminded(document_id: int, member_ids: list[int], sent_at) -> None:
    """Tell the reminded members' terminals at once: a never-stored per-member event in each sitting
    not yet closed that shows the document (the stored reminder is what a terminal opened later shows)."""
    from meeting.models import Sitting
    from realtime.service import change

    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return
    data = reminder_json(document, sent_at)
    open_ = Sitting.objects.filter(pk__in=sittings_for([document])).exclude(status=Sitting.Status.CLOSED)
    for sitting_id in sorted(open_.values_list("pk", flat=True)):
        with change(system_actor(), "library.tell_reminded", sitting_id, live=False,
                    detail={"document": document_id, "members": member_ids}) as c:
            for member_id in member_ids:
                c.emit_to(member_id, "library.reminded", data)


def pending_reminders(user) -> list[dict]:
    """What this person's terminal shows: the documents they were reminded of in the last
    REMINDER_SHOWN and have not read since (the version named, or a later one), newest first."""
    if not (user and user.is_authenticated):
        return []
    rows = (ReadReminder.objects.filter(user=user, sent_at__gt=timezone.now() - REMINDER_SHOWN,
                                        document__status=Document.Status.PUBLISHED)
            .select_related("document", "version").order_by("-sent_at"))
    read = {}
    for doc_id, number in ReadReceipt.objects.filter(user=user, document_id__in={r.document_id for r in rows}) \
            .values_list("document_id", "version__number"):
        read[doc_id] = max(number, read.get(doc_id, 0))
    out, seen = [], set()
    for r in rows:
        if r.document_id in seen or read.get(r.document_id, 0) >= r.version.number:
            continue
        if not may_read_document(user, r.document):
            continue
        seen.add(r.document_id)
        out.append(reminder_json(r.document, r.sent_at))
    return out


def audit_read(user, document: Document, version: DocumentVersion, *, device=None, what: str = "download"):
    """Audit a download or view of a non-public document (accounts.permissions.audit_download)."""
    from accounts.permissions import audit_download

    if audit_download(document):
        with transaction.atomic():
            record(Actor(role="reader", user=user, device=device), f"library.{what}", detail={
                "document": document.pk, "version": version.number, "access": document.access})


# ---- telling the live sittings -----------------------------------------------------

def sittings_for(documents) -> set[int]:
    """Sittings that show these documents: of their session, or attached to them or their items."""
    from agenda.models import AgendaItem
    from meeting.models import Sitting

    ids = [d.pk for d in documents]
    sessions = {d.session_id for d in documents if d.session_id}
    out = set(Sitting.objects.filter(session_id__in=sessions).values_list("pk", flat=True))
    links = Attachment.objects.filter(document_id__in=ids)
    sit_ct = ContentType.objects.get_for_model(Sitting)
    item_ct = ContentType.objects.get_for_model(AgendaItem)
    out |= set(links.filter(content_type=sit_ct).values_list("object_id", flat=True))
    item_ids = links.filter(content_type=item_ct).values_list("object_id", flat=True)
    out |= set(AgendaItem.objects.filter(pk__in=list(item_ids)).values_list("sitting_id", flat=True))
    return out


def notify_processed(document_id: int) -> None:
    """A version finished processing: its pages and state change what terminals show."""
    document = Document.objects.filter(pk=document_id).first()
    if document is not None and document.status != Document.Status.WITHDRAWN:
        notify(None, document)


def notify(user, document, *, extra_sittings=(), published=()):
    notify_many(user, [document], extra_sittings=extra_sittings, published=published)


def notify_many(user, documents, *, extra_sittings=(), published=()):
    """Emit documents.changed in every sitting concerned (after commit, through the hub)."""
    from meeting.models import Sitting
    from realtime.service import change

    from .state import documents_state

    for sitting_id in sorted(sittings_for(documents) | set(extra_sittings)):
        sitting = Sitting.objects.select_related("session").get(pk=sitting_id)
        # user None: the office's own background processing tells the sittings (audited as "system").
        actor = actor_for(sitting, user=user) if user is not None else system_actor()
        detail = {"documents": [d.pk for d in documents]} | ({} if user is not None else {"by": "processing"})
        with change(actor, "documents.update", sitting_id, live=False, detail=detail) as c:
            c.emit("documents.changed", {"documents": documents_state(sitting_id), "published": list(published)})
