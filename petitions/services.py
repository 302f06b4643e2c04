"""Every change to the register goes through here.

Each call checks the permission (accounts.permissions), validates before
writing, writes rows + a public Milestone where the citizen should see a step
+ an audit record (audit.services.record) in one transaction, and computes
deadlines with petitions.deadlines. Refusals raise PetitionError(code, message)
with a stable code and a clear Vietnamese message; a refused privileged request
leaves an audit row (written outside the refused transaction).

Stable codes:
    invalid              a field is missing or wrong (`error.field` names it)
    anonymous_not_allowed  anonymity asked for a kind or source that does not allow it
    rate_limited         too many public submissions (or subscriptions) from one client in an hour
    too_many_files / file_refused  attachments (the check's own message follows)
    forbidden            the user may not do this (audited)
    bad_state            a step out of turn (answering a closed case, publishing an unreviewed answer…)
    duplicate            the case is a confirmed duplicate: it is never handled twice
    reason_required / note_required  a decision without its coded reason / its note
    evidence_required    information with denunciation content (anonymous or pseudonymous: Luật Tố cáo art. 25) forwarded
                         for inspection without naming the violator and the evidence
    information_only     accepting as a denunciation what art. 25 makes information (an anonymous or pseudonymous
                         letter), or opening the art. 25 route twice
    identity_in_note     a note on a case that is or was a denunciation (the covering note to an agency, a decision,
                         withdrawal or duplicate note, the reason for a changed kind) that repeats the denouncer
                         (any spelling: petitions.identity)
    identity_in_redaction  a redacted copy that still carries the denouncer's name, phone, ID number, email or address
    needs_identity_right  a step that concerns a denouncer's identity (changing a denunciation to another kind,
                         preparing the redacted copy, linking a duplicate that involves a protected case) by
                         someone without petitions.view_denouncer_identity (audited)
    redaction_required   forwarding a case that is or was a denunciation, or any letter of a sender who filed one,
                         before the office prepared its redacted copy
    not_found            an unknown subscription token
"""

import hashlib
from decimal import Decimal, InvalidOperation
import re
import secrets
import unicodedata
from contextlib import contextmanager

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import permissions as perms
from accounts.permissions import Actor
from audit.operations import ServiceError, operation, refuse
from audit.services import record
from library.files import FileRefused, check_upload
from library.text import fold

from . import codes, deadlines
from .deadlines import FIRST_STEP, DeadlineError
from .identity import IDENTITY_FIELDS, identity_hits, normalize_phone, person_keys  # noqa: F401 (part of this API)
from .models import (Answer, Case, CaseFile, Deadline, Identity, IdentityRead, Milestone, RedactedCopy, Subscription,
                     SubmissionThrottle, Transfer, VoterMeeting, choice)


class PetitionError(ServiceError):
    """A refused request; `code` is stable (see the module docstring); `field` names the form field, if any."""

    def __init__(self, code: str, message: str = "", field: str | None = None):
        super().__init__(code, message)
        self.field = field


K, S, ST = Case.Kind, Case.Source, Case.Status
PUBLIC_SOURCES = {S.WEB, S.API}
STAFF_SOURCES = {S.RECEPTION, S.POST, S.EMAIL}
OPEN = {ST.RECEIVED, ST.CLASSIFIED, ST.ACCEPTED, ST.FORWARDED, ST.ANSWERED}
UNDECIDED = {ST.RECEIVED, ST.CLASSIFIED}
SUBJECT_MIN, SUBJECT_MAX = 5, 500
CONTENT_MIN, CONTENT_MAX = 20, 20_000
SUBSCRIPTIONS_PER_CASE_HOUR = 10


# ---- small helpers -------------------------------------------------------------------

def _now():
    return timezone.now()


def _actor(user, role):
    return Actor(role=role, user=user)


def _role(user):
    if perms.is_petition_staff(user):
        return "petition_staff"
    if user is not None and user.is_authenticated and perms.agencies_of(user).exists():
        return "agency"
    return "public" if user is None or not user.is_authenticated else "user"


def _refuse(user, action, code, message, **detail):
    """Audit a refused privileged request and raise (audit.operations.refuse, the rule the library,
    the accounts and the sitting's write path follow)."""
    refuse(_actor(user, _role(user)), action, message, code=code, error=PetitionError,
           detail={k: v for k, v in detail.items() if v is not None})


def _require_staff(user, action, case=None):
    if not perms.is_petition_staff(user):
        _refuse(user, action, "forbidden", _("Bạn không có quyền xử lý đơn thư."), case=getattr(case, "pk", None))


@contextmanager
def _operation(user, action, *, role=None):
    """One change of the register: its transaction and its audit record together
    (audit.operations.operation, shared with the library, the accounts and the sitting's write path).
    The permission was asked before (`_require_staff`, `_refuse`); `_detail` says what was done."""
    with operation(_actor(user, role or _role(user)), action) as op:
        yield op


def _detail(op, case=None, **detail):
    """The audit detail of an operation on `case` (its id and tracking code first)."""
    if case is not None:
        detail = {"case": case.pk, "code": case.tracking_code, **detail}
    op.detail.update(detail)


def _audit(user, action, case=None, *, role=None, **detail):
    if case is not None:
        detail = {"case": case.pk, "code": case.tracking_code, **detail}
    record(_actor(user, role or _role(user)), action, detail=detail)


_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def clean_text(text, *, single_line=False) -> str:
    """NFC, no control or bidi characters, newlines as \\n, trimmed. Text stays text: never HTML."""
    text = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if single_line:
        text = " ".join(text.split())
    return text.strip()


def _length(value, field, low, high, label):
    if len(value) < low:
        raise PetitionError("invalid", _("%(label)s quá ngắn: cần ít nhất %(n)d ký tự.") % {"label": label, "n": low}, field)
    if len(value) > high:
        raise PetitionError("invalid", _("%(label)s quá dài: tối đa %(n)d ký tự.") % {"label": label, "n": high}, field)
    return value


def client_key(address: str) -> str:
    """What a public client is throttled by: a keyed hash of its address, never the address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|petitions|{address}".encode()).hexdigest()[:64]


def _clean_identity(identity: dict) -> dict:
    out = {}
    limits = {"full_name": 200, "id_number": 20, "address": 500, "phone": 30, "email": 254}
    labels = {"full_name": _("Họ và tên"), "id_number": _("Số CCCD"), "address": _("Địa chỉ"),
              "phone": _("Điện thoại"), "email": _("Email")}
    for key in IDENTITY_FIELDS:
        value = clean_text((identity or {}).get(key, ""), single_line=True)
        _length(value, key, 0, limits[key], labels[key])
        out[key] = value
    unknown = set(identity or {}) - set(IDENTITY_FIELDS)
    if unknown:
        raise PetitionError("invalid", _("Thông tin người gửi có trường không hợp lệ: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if out["email"]:
        try:
            validate_email(out["email"])
        except ValidationError:
            raise PetitionError("invalid", _("Địa chỉ email không hợp lệ."), "email") from None
    if out["phone"] and not (8 <= len(normalize_phone(out["phone"])) <= 15 and re.fullmatch(r"[0-9+ .()\-]+", out["phone"])):
        raise PetitionError("invalid", _("Số điện thoại không hợp lệ."), "phone")
    if out["id_number"] and not re.fullmatch(r"[0-9]{9}|[0-9]{12}", out["id_number"]):
        raise PetitionError("invalid", _("Số CCCD/CMND gồm 12 (hoặc 9) chữ số."), "id_number")
    return out


def _file_items(files, identifying_default):
    """(file object, name, identifying) for each item: an UploadedFile, (file, name) or (file, name, identifying)."""
    items = []
    for item in files or ():
        if isinstance(item, (tuple, list)):
            upload, name, *rest = item
            items.append((upload, name, bool(rest[0]) if rest else identifying_default))
        else:
            items.append((item, getattr(item, "name", ""), identifying_default))
    return items


def _check_files(items):
    """Check every file before anything is stored; returns [(upload, CheckedFile, identifying)]."""
    if len(items) > settings.PETITION_MAX_FILES:
        raise PetitionError("too_many_files", _("Chỉ được gửi kèm tối đa %(n)d tệp.") % {"n": settings.PETITION_MAX_FILES}, "files")
    limit = settings.PETITION_MAX_FILE_BYTES
    checked = []
    for upload, name, identifying in items:
        size = getattr(upload, "size", None)
        if size is None:
            stream = getattr(upload, "file", upload)
            stream.seek(0, 2)
            size = stream.tell()
            stream.seek(0)
        if size > limit:
            raise PetitionError("file_refused", _("Tệp “%(name)s” lớn hơn giới hạn %(mb)s MB cho mỗi tệp.")
                                % {"name": clean_text(name, single_line=True)[:80], "mb": round(limit / 1048576, 1)}, "files")
        try:
            result = check_upload(upload, name)
        except FileRefused as refused:
            raise PetitionError("file_refused", refused.message, "files") from None
        checked.append((upload, result, identifying))
    return checked


def _store_files(case, checked):
    from django.core.files import File

    for upload, result, identifying in checked:
        stream = getattr(upload, "file", upload)
        stream.seek(0)
        stored = CaseFile(case=case, original_name=result.display_name, content_type=result.content_type,
                          size=result.size, identifying=identifying)
        stored.file.save(f"{secrets.token_hex(8)}.{result.extension}", File(stream), save=False)
        stored.save()


def _throttle(client):
    hour = _now().replace(minute=0, second=0, microsecond=0)
    key = str(client)[:64]
    row, _created = SubmissionThrottle.objects.select_for_update().get_or_create(client=key, hour=hour)
    if row.count >= settings.PETITION_SUBMISSIONS_PER_HOUR:
        raise PetitionError("rate_limited", _("Đã có quá nhiều đơn gửi từ địa chỉ này trong một giờ. Xin vui lòng gửi lại sau "
                                              "ít phút; nội dung bạn đã nhập vẫn được giữ trên trang."))
    SubmissionThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)


def _locked(case):
    return Case.objects.select_for_update().get(pk=case.pk)


def _milestone(case, kind, message, args=None, *, public=True, at=None, notify=True):
    """A step of the case's timeline. `message`: its text's msgid (or msgids, read one after the
    other), marked gettext_noop, with %(name)s for `args`; a choice's code is passed as choice(name, code).
    The message and its arguments are kept untranslated (Milestone.params), so each reader sees
    the step in their language (Milestone.display_text); `text` keeps it in the site's language."""
    stone = Milestone(case=case, kind=kind, public=public, at=at or _now(),
                      params={"message": message if isinstance(message, list) else [message], "args": args or {}})
    with translation.override(settings.LANGUAGE_CODE):
        stone.text = stone.display_text()[:500]
    stone.save()
    if public and notify:
        notify_subscribers(case, stone)
    return stone


def _open_step(case, step, starts_on):
    try:
        return deadlines.open_step(case, step, starts_on)  # keeps case.due_on
    except DeadlineError as refused:
        raise PetitionError(refused.code, refused.message) from None


def _close_open_steps(case):
    deadlines.close_all(case)  # keeps case.due_on


def _open_deadline(case):
    return case.deadlines.filter(met_at__isnull=True).order_by("-starts_on", "-id").first()


INSTANCE_STEPS = {1: "complaint.first_instance", 2: "complaint.second_instance"}


def _resolve_step(case):
    if case.kind == K.COMPLAINT:
        return "complaint.second_instance" if case.instance == 2 else "complaint.first_instance"
    if case.kind == K.DENUNCIATION:
        return "denunciation.resolve"
    return FIRST_STEP[case.kind]


def _not_duplicate(case):
    if case.status == ST.DUPLICATE:
        raise PetitionError("duplicate", _("Đơn này là đơn trùng, đã được gắn với đơn gốc %(code)s và không được xử lý lại.")
                            % {"code": case.duplicate_of.tracking_code if case.duplicate_of_id else ""})


def _bad_state(case, what):
    return PetitionError("bad_state", _("Không thể %(what)s: đơn đang ở trạng thái “%(status)s”.")
                         % {"what": what, "status": case.get_status_display()})


def _fold_case(subject, content):
    return fold(f"{subject}\n{content}")


# ---- intake --------------------------------------------------------------------------

def submit(user, *, kind, source, subject, content, identity: dict | None = None, field=None, commune="", district="",
           anonymous=False, remote_area=False, files=(), client=None, forwarded_by_member=None,
           identifying_files=False, latitude=None, longitude=None, base_url="") -> Case:
    """Record a letter. Public sources (web, api): `user` None, `client` = client_key(address) for
    throttling. Reception desk, post, email: petition staff. Delegate forwarding: staff or the delegate.
    `identifying_files`: the files are scans of the letter or of an ID (they follow the identity's rules);
    a file given as (file, name, identifying) says it for itself.
    `commune`: the xã, phường or đặc khu (two levels since 1/7/2025); `district` only for a letter of the
    old register imported as it was (no form offers it). `latitude`/`longitude`: WGS 84 degrees, both or
    neither (Open311). `base_url`: the site's address as the request saw it, for the receipt e-mail when
    PUBLIC_BASE_URL is not set (public_url).
    The case is committed when this returns: show the receipt only then."""
    if kind not in K.values or kind == K.VOTER_PETITION:
        raise PetitionError("invalid", _("Loại đơn không hợp lệ."), "kind")
    if source not in S.values or source == S.VOTER_MEETING:
        raise PetitionError("invalid", _("Nguồn đơn không hợp lệ."), "source")
    if source in STAFF_SOURCES:
        _require_staff(user, "petitions.submit")
    elif source == S.DELEGATE:
        member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
        if not perms.may_forward_letter(user):
            _refuse(user, "petitions.submit", "forbidden", _("Chỉ đại biểu hoặc cán bộ xử lý đơn được chuyển đơn của công dân."))
        if forwarded_by_member is None and member is not None:
            forwarded_by_member = member
    subject = _length(clean_text(subject, single_line=True), "subject", SUBJECT_MIN, SUBJECT_MAX, _("Tóm tắt nội dung"))
    content = _length(clean_text(content), "content", CONTENT_MIN, CONTENT_MAX, _("Nội dung đơn"))
    district = _length(clean_text(district, single_line=True), "district", 0, 120, _("Huyện (trước 1/7/2025)"))
    commune = _length(clean_text(commune, single_line=True), "commune", 0, 120, _("Xã, phường, đặc khu"))
    latitude, longitude = _position(latitude, longitude)
    who = _clean_identity(identity or {})
    if anonymous:
        if any(who.values()):
            raise PetitionError("invalid", _("Đơn nặc danh không ghi thông tin người gửi: hãy bỏ chọn “nặc danh” hoặc xóa "
                                             "các thông tin đó."), "anonymous")
        if source in PUBLIC_SOURCES and kind not in (K.DENUNCIATION, K.FEEDBACK):
            raise PetitionError("anonymous_not_allowed", _("Chỉ đơn tố cáo và phản ánh được gửi không ghi tên. Khiếu nại và "
                                                           "kiến nghị cần họ tên và cách liên hệ để trả lời."), "anonymous")
    elif source in PUBLIC_SOURCES:
        if not who["full_name"]:
            raise PetitionError("invalid", _("Xin ghi họ và tên người gửi."), "full_name")
        if not (who["phone"] or who["email"]):
            raise PetitionError("invalid", _("Xin ghi số điện thoại hoặc email để nhận trả lời."), "phone")
    checked = _check_files(_file_items(files, identifying_files))

    if kind == K.DENUNCIATION:
        subject, content = _shield_subject(subject, content, who)
    elif not anonymous and _denouncer(who):
        # A denouncer's later letter: its words are a denouncer's too (accounts.permissions.case_protected).
        subject, content = _shield_subject(subject, content, who, neutral=_(
            "Đơn (tóm tắt của người gửi có thông tin nhận diện, đã chuyển vào nội dung đơn)"))
    with transaction.atomic():
        if client is not None and source in PUBLIC_SOURCES:
            _throttle(client)
        now = _now()
        case = Case(kind=kind, source=source, subject=subject, content=content, folded=_fold_case(subject, content),
                    field=field, district=district, commune=commune, remote_area=bool(remote_area),
                    latitude=latitude, longitude=longitude, anonymous=bool(anonymous),
                    forwarded_by_member=forwarded_by_member, received_at=now,
                    identity_protected=kind == K.DENUNCIATION,
                    # Luật Tố cáo art. 25: not a denunciation handled under that law, no time limit.
                    information_only=kind == K.DENUNCIATION and bool(anonymous),
                    created_by=user if user is not None and user.is_authenticated else None)
        _save_with_code(case)
        if not anonymous:
            keys = person_keys(who)
            Identity.objects.create(case=case, person_key=keys[0] if keys else "",
                                    person_key_alt=keys[1] if len(keys) > 1 else "", **who)
        _store_files(case, checked)
        if kind == K.DENUNCIATION and not anonymous:
            _shield_other_letters(user, case)
        _milestone(case, "received", gettext_noop("Đã tiếp nhận đơn (%(source)s)."), {"source": choice("source", case.source)},
                   at=now, notify=False)  # nobody can follow a case before it exists
        if not case.information_only:
            _open_step(case, FIRST_STEP[kind], timezone.localdate(now))
        _audit(user, "petitions.submit", case, kind=kind, source=source, files=len(checked), anonymous=bool(anonymous))
        if who.get("email"):
            _send_receipt(case, who["email"], base_url)
    return case


def _position(latitude, longitude):
    """Both coordinates as Decimals of 6 places in range, or both None; anything else is `invalid`."""
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat, lon = (Decimal(str(v).strip()).quantize(Decimal("0.000001")) for v in (latitude, longitude))
    except (InvalidOperation, TypeError, ValueError):
        raise PetitionError("invalid", _("Tọa độ không hợp lệ: cần cả vĩ độ và kinh độ, là số."), "lat") from None
    if not (lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise PetitionError("invalid", _("Tọa độ không hợp lệ: vĩ độ từ -90 đến 90, kinh độ từ -180 đến 180."), "lat")
    return lat, lon


def _denouncer(who: dict) -> bool:
    """The sender `who` (same folded name with the same phone or email) filed a case that is or was a
    denunciation (accounts.permissions.sender_filed_denunciation, before the new case exists)."""
    keys = person_keys(who)
    if not keys:
        return False
    return Identity.objects.filter(Q(person_key__in=keys) | Q(person_key_alt__in=keys)).filter(
        Q(case__kind=K.DENUNCIATION) | Q(case__identity_protected=True)).exists()


def _shield_other_letters(user, case):
    """`case` made its sender a denouncer: the summary line of each of their other letters that names
    them is shielded as a later letter's is at intake (every officer reads summaries in the register)."""
    from .access import other_cases_of_sender

    others = other_cases_of_sender(case).select_for_update()
    for other in others:
        subject, content = _shield_subject(other.subject, other.content, _identity_of(other), neutral=_(
            "Đơn (tóm tắt của người gửi có thông tin nhận diện, đã chuyển vào nội dung đơn)"))
        if subject != other.subject:
            Case.objects.filter(pk=other.pk).update(subject=subject, content=content,
                                                    folded=_fold_case(subject, content))
            _audit(user, "petitions.shield_summary", other, by_case=case.pk)


def _shield_subject(subject: str, content: str, who: dict, neutral=None) -> tuple[str, str]:
    """A denouncer's summary line is read by every officer in the register; when the one who
    wrote it put themselves in it (name, phone, ID number…), it moves, word for word, to the top of
    the letter's text, which only the identity right reads, and a neutral line takes its place."""
    if not identity_hits(subject, who):
        return subject, content
    kept = _("Tóm tắt do người gửi ghi: %(subject)s") % {"subject": subject}
    if neutral is None:
        neutral = _("Đơn tố cáo (tóm tắt của người gửi có thông tin nhận diện, đã chuyển vào nội dung đơn)")
    return neutral, f"{kept}\n\n{content}"


def _send_receipt(case, email, base_url=""):
    """The confirmation a citizen keeps: the tracking code and where to follow the case (after commit)."""
    link = _link(f"/public/letters/{case.tracking_code}/", base_url)
    subject = _("Đã tiếp nhận đơn của bạn — mã theo dõi %(code)s") % {"code": case.tracking_code}
    body = _("Hội đồng nhân dân tỉnh đã tiếp nhận đơn của bạn (%(kind)s) lúc %(at)s.\n\n"
             "Mã theo dõi: %(code)s\nXem tiến độ giải quyết: %(link)s\n\n"
             "Hãy giữ mã này: chỉ người có mã mới xem được tiến độ đơn.") % {
        "kind": case.get_kind_display().lower(), "at": timezone.localtime(case.received_at).strftime("%H:%M %d/%m/%Y"),
        "code": case.tracking_code, "link": link}
    transaction.on_commit(lambda: mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True))


def _save_with_code(case):
    for attempt in range(5):
        case.tracking_code = codes.new_code()
        try:
            with transaction.atomic():
                case.save()
            return
        except IntegrityError:
            if attempt == 4 or not Case.objects.filter(tracking_code=case.tracking_code).exists():
                raise
            case.pk = None


# ---- duplicates ----------------------------------------------------------------------

STOPWORDS = set(("va cua cho cac nhung mot la co khong duoc da dang se bi voi tai tren trong tu den ve nay do "
                 "toi chung ong ba anh chi em xin de nghi kinh gui ngay nam thang theo nhu vi con rat").split())
DUPLICATE_THRESHOLD = 0.3
CANDIDATES = 400


def _tokens(folded: str) -> set[str]:
    words = [w for w in re.findall(r"[a-z0-9]+", folded) if len(w) > 1 and w not in STOPWORDS]
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _distinctive(subject_folded: str, n=3) -> list[str]:
    words = sorted({w for w in re.findall(r"[a-z0-9]+", subject_folded) if len(w) > 2 and w not in STOPWORDS},
                   key=lambda w: (-len(w), w))
    return words[:n]


def likely_duplicates(case_or_fields, limit=5) -> list[tuple[Case, float, str]]:
    """Cases probably about the same thing: the same sender (folded name + phone/email) and/or a
    similar subject and content (Jaccard over folded words and word pairs). Candidates come from an
    indexed prefilter (same person key; same commune, old district or field, or a distinctive subject word), the
    400 most recent of them, so the cost does not grow with the register.
    `case_or_fields`: a Case, or a dict (subject, content, commune, field, identity) before intake."""
    if isinstance(case_or_fields, Case):
        case = case_or_fields
        subject, content, district, field_id = case.subject, case.content, case.district, case.field_id
        commune = case.commune
        identity = Identity.objects.filter(case=case).values(*IDENTITY_FIELDS).first() or {}
        exclude = case.pk
    else:
        data = case_or_fields
        subject, content = clean_text(data.get("subject", ""), single_line=True), clean_text(data.get("content", ""))
        district = clean_text(data.get("district", ""), single_line=True)
        commune = clean_text(data.get("commune", ""), single_line=True)
        field = data.get("field")
        field_id = getattr(field, "pk", field)
        identity, exclude = data.get("identity") or {}, None
    base = Case.objects.exclude(status=ST.DUPLICATE)
    if exclude:
        base = base.exclude(pk=exclude)
    keys = person_keys(identity)
    same_person = set()
    if keys:
        same_person = set(base.filter(Q(identity__person_key__in=keys) | Q(identity__person_key_alt__in=keys))
                          .order_by("-received_at").values_list("pk", flat=True)[:50])
    words = _distinctive(fold(subject))
    scope = Q()
    if commune:
        scope |= Q(commune=commune)
    if district:
        scope |= Q(district=district)
    if field_id:
        scope |= Q(field_id=field_id)
    text = Q()
    for w in words:
        text |= Q(folded__contains=w)
    if scope and words:
        query = scope & text
    elif words:
        query = text & Q(received_at__gte=_now() - timezone.timedelta(days=3 * 365))
    else:
        query = scope or Q(pk__in=[])
    similar = set(base.filter(query).order_by("-received_at").values_list("pk", flat=True)[:CANDIDATES])
    mine = _tokens(fold(f"{subject}\n{content}"))
    found = []
    for other in Case.objects.filter(pk__in=same_person | similar).only("pk", "folded", "tracking_code", "subject",
                                                                          "status", "kind", "received_at"):
        sim = _jaccard(mine, _tokens(other.folded))
        whys = []
        if other.pk in same_person:
            whys.append(_("cùng người gửi"))
        if sim >= DUPLICATE_THRESHOLD:
            whys.append(_("nội dung tương tự (%(p)d%%)") % {"p": round(sim * 100)})
        if not whys:
            continue
        score = min(1.0, sim + (0.4 if other.pk in same_person else 0.0))
        found.append((other, round(score, 3), "; ".join(whys)))
    found.sort(key=lambda t: (-t[1], -t[0].received_at.timestamp()))
    return found[:limit]


def duplicates_for(user, case, limit=5) -> list[dict]:
    """likely_duplicates(case) as `user` may see them: {"case", "score", "why"} each; where either side
    involves a protected identity and `user` lacks the right, only {"case": None} — a duplicate exists,
    never which case or why (that would link a sender to their denunciation)."""
    out = []
    for other, score, why in likely_duplicates(case, limit):
        if perms.may_see_duplicate_link(user, case, other):
            out.append({"case": other, "score": score, "why": why})
        else:
            out.append({"case": None, "score": None, "why": ""})
    return out


def mark_duplicate(user, case, original, note="") -> Case:
    """Link `case` to the case it repeats; it is never handled on its own again. A link that involves
    a protected identity needs the identity right."""
    _require_staff(user, "petitions.mark_duplicate", case)
    if not perms.may_see_duplicate_link(user, case, original):
        _refuse(user, "petitions.mark_duplicate", "needs_identity_right",
                _("Chỉ cán bộ có quyền xem thông tin người tố cáo được xác nhận đơn trùng này."), case=case.pk)
    _no_identity_in_note(case, clean_text(note))
    _no_identity_in_note(original, clean_text(note))
    with _operation(user, "petitions.mark_duplicate") as op:
        case = _locked(case)
        _not_duplicate(case)
        root = Case.objects.get(pk=original.pk)
        while root.duplicate_of_id:
            root = root.duplicate_of
        if root.pk == case.pk:
            raise PetitionError("invalid", _("Không thể đánh dấu một đơn trùng với chính nó."))
        if case.status not in UNDECIDED:
            raise _bad_state(case, _("đánh dấu trùng"))
        case.status, case.duplicate_of = ST.DUPLICATE, root
        case.decision_note = clean_text(note)[:2000]
        case.save(update_fields=["status", "duplicate_of", "decision_note", "updated_at"])
        _close_open_steps(case)
        _milestone(case, "duplicate", gettext_noop("Đơn trùng nội dung với đơn đã tiếp nhận trước đó; được theo dõi, giải quyết "
                                         "cùng đơn đó."))
        _milestone(case, "duplicate_of", gettext_noop("Trùng với đơn %(code)s."), {"code": root.tracking_code}, public=False)
        _detail(op, case, original=root.pk)
    return case


# ---- voter meetings -------------------------------------------------------------------

def record_voter_meeting(user, *, held_on, place, commune, delegate_group, session, when, voters=0,
                         delegates=(), petitions: list[dict] = ()) -> VoterMeeting:
    """A voter-contact meeting with its petitions: one Case each (answered on the spot: answer approved,
    case closed; pending: the voter_petition.answer deadline). Where: the xã, phường or đặc khu (no district
    since 1/7/2025)."""
    if delegate_group is None or delegate_group.kind != "group":
        raise PetitionError("invalid", _("Hãy chọn một tổ đại biểu."), "delegate_group")
    if not perms.may_enter_voter_meeting(user, delegate_group):
        _refuse(user, "petitions.voter_meeting", "forbidden",
                _("Chỉ cán bộ xử lý đơn hoặc đại biểu của tổ được nhập buổi tiếp xúc cử tri của tổ."), group=delegate_group.pk)
    if when not in VoterMeeting.When.values:
        raise PetitionError("invalid", _("Hãy chọn trước hay sau kỳ họp."), "when")
    place = _length(clean_text(place, single_line=True), "place", 2, 300, _("Địa điểm"))
    commune = _length(clean_text(commune, single_line=True), "commune", 2, 120, _("Xã, phường, đặc khu"))
    if not isinstance(voters, int) or voters < 0:
        raise PetitionError("invalid", _("Số cử tri dự không hợp lệ."), "voters")
    rows = []
    for i, p in enumerate(petitions or ()):
        subject = _length(clean_text(p.get("subject", ""), single_line=True), f"petitions.{i}.subject", SUBJECT_MIN,
                          SUBJECT_MAX, _("Tóm tắt kiến nghị"))
        content = _length(clean_text(p.get("content", "")) or subject, f"petitions.{i}.content", SUBJECT_MIN, CONTENT_MAX,
                          _("Nội dung kiến nghị"))
        level = p.get("level") or ""
        if level not in Case.Level.values:
            raise PetitionError("invalid", _("Kiến nghị %(n)d: hãy chọn cấp có thẩm quyền.") % {"n": i + 1}, f"petitions.{i}.level")
        on_spot = bool(p.get("answered_on_spot"))
        answer_text = clean_text(p.get("answer_text", ""))
        if on_spot and not answer_text:
            raise PetitionError("invalid", _("Kiến nghị %(n)d đã trả lời tại hội nghị: hãy ghi nội dung trả lời.") % {"n": i + 1},
                                f"petitions.{i}.answer_text")
        rows.append((subject, content, p.get("field"), level, on_spot, answer_text))
    with _operation(user, "petitions.voter_meeting") as op:
        meeting = VoterMeeting.objects.create(held_on=held_on, place=place, commune=commune,
                                              delegate_group=delegate_group, session=session, when=when, voters=voters,
                                              created_by=user)
        if delegates:
            meeting.delegates.set(delegates)
        now = _now()
        for subject, content, field, level, on_spot, answer_text in rows:
            case = Case(kind=K.VOTER_PETITION, source=S.VOTER_MEETING, subject=subject, content=content,
                        folded=_fold_case(subject, content), field=field, commune=commune,
                        meeting=meeting, level=level, answered_on_spot=on_spot, received_at=now, created_by=user)
            _save_with_code(case)
            _milestone(case, "received", gettext_noop("Kiến nghị của cử tri tại buổi tiếp xúc cử tri ngày %(d)s."),
                       {"d": held_on.strftime("%d/%m/%Y")}, at=now, notify=False)
            if on_spot:
                Answer.objects.create(case=case, text=answer_text, answered_by=user, answered_at=now,
                                      review=Answer.Review.APPROVED, reviewed_by=user, reviewed_at=now, published_at=now)
                Case.objects.filter(pk=case.pk).update(status=ST.CLOSED)
                _milestone(case, "answered", gettext_noop("Đã được trả lời tại hội nghị tiếp xúc cử tri."), at=now, notify=False)
            else:
                _open_step(case, FIRST_STEP[K.VOTER_PETITION], held_on)
        _detail(op, None, meeting=meeting.pk, petitions=len(rows))
    return meeting


# ---- office decisions -------------------------------------------------------------------

def classify(user, case, *, kind=None, field=None, complexity=None, remote_area=None, instance=None, commune=None,
             kind_reason="", multi_site=None) -> Case:
    """Set kind, field, complexity, area, instance, commune and whether a denunciation must be checked at
    several places (None: unchanged). A changed kind restarts its first step; a complaint set to another
    instance follows that instance's rule (Luật Khiếu nại art. 28 / art. 37); `multi_site` is the one ground
    for a denunciation's 10 working days to accept (Luật Tố cáo art. 24(1)).
    Changing a denunciation to another kind is its own decision: it needs the identity right and a reason
    (`kind_reason`), and is audited apart; the case stays protected (Case.identity_protected) whatever it becomes."""
    _require_staff(user, "petitions.classify", case)
    kind_reason = clean_text(kind_reason)[:2000]
    current_kind = Case.objects.filter(pk=case.pk).values_list("kind", flat=True).first()
    leaves_denunciation = kind is not None and current_kind == K.DENUNCIATION and kind != K.DENUNCIATION
    if leaves_denunciation:
        if not perms.may_handle_protected_identity(user):
            _refuse(user, "petitions.classify", "needs_identity_right",
                    _("Chỉ cán bộ có quyền xem thông tin người tố cáo được chuyển đơn tố cáo sang loại khác."),
                    case=case.pk, kind=str(kind)[:30])
        if not kind_reason:
            raise PetitionError("reason_required", _("Hãy ghi lý do chuyển đơn tố cáo sang loại khác."), "kind_reason")
        _no_identity_in_note(case, kind_reason, "kind_reason")
    with transaction.atomic():
        case = _locked(case)
        _not_duplicate(case)
        if case.status not in (ST.RECEIVED, ST.CLASSIFIED, ST.ACCEPTED, ST.FORWARDED):
            raise _bad_state(case, _("phân loại lại"))
        if kind is not None and (kind not in K.values or (kind == K.VOTER_PETITION) != (case.kind == K.VOTER_PETITION)):
            raise PetitionError("invalid", _("Loại đơn không hợp lệ."), "kind")
        if complexity is not None and complexity not in Case.Complexity.values:
            raise PetitionError("invalid", _("Tính chất vụ việc không hợp lệ."), "complexity")
        if instance is not None and instance not in (1, 2):
            raise PetitionError("invalid", _("Lần giải quyết khiếu nại là 1 hoặc 2."), "instance")
        old_kind = case.kind
        if kind is not None:
            if old_kind == K.DENUNCIATION and kind != K.DENUNCIATION and not leaves_denunciation:
                raise _bad_state(case, _("phân loại lại"))  # it became a denunciation meanwhile: ask again
            case.kind = kind
        if case.kind == K.DENUNCIATION:
            case.identity_protected = True
            subject, content = _shield_subject(case.subject, case.content, _identity_of(case))
            if subject != case.subject:
                case.subject, case.content, case.folded = subject, content, _fold_case(subject, content)
            if old_kind != K.DENUNCIATION:
                _shield_other_letters(user, case)
        if field is not None:
            case.field = field
        if complexity is not None:
            case.complexity = complexity
        if remote_area is not None:
            case.remote_area = bool(remote_area)
        old_instance = case.instance
        if instance is not None:
            case.instance = instance
        if commune is not None:
            case.commune = _length(clean_text(commune, single_line=True), "commune", 0, 120, _("Xã, phường, đặc khu"))
        if multi_site is not None:
            case.multi_site = bool(multi_site)
        # Luật Tố cáo art. 25: an anonymous letter classified as a denunciation is information, not a case
        # with a deadline; one that stops being a denunciation is handled as its new kind.
        case.information_only = case.kind == K.DENUNCIATION and (case.anonymous or case.information_only)
        if case.status == ST.RECEIVED:
            case.status = ST.CLASSIFIED
        case.save()
        if case.kind != old_kind and case.status in UNDECIDED:
            _close_open_steps(case)
            if not case.information_only:
                _open_step(case, FIRST_STEP[case.kind], timezone.localdate(case.received_at))
        if case.kind == K.COMPLAINT and case.instance != old_instance:
            deadlines.switch_step(case, INSTANCE_STEPS[old_instance], INSTANCE_STEPS[case.instance])
        deadlines.recompute_open(case)  # and case.due_on
        if case.field_id:
            _milestone(case, "classified",
                       [gettext_noop("Đơn đã được phân loại: %(kind)s"), gettext_noop(", lĩnh vực %(field)s"), "."],
                       {"kind": choice("kind", case.kind), "field": {"field": case.field_id}})
        else:
            _milestone(case, "classified", [gettext_noop("Đơn đã được phân loại: %(kind)s"), "."],
                       {"kind": choice("kind", case.kind)})
        if old_kind == K.DENUNCIATION and case.kind != K.DENUNCIATION:
            _milestone(case, "reclassified", gettext_noop("Đơn tố cáo được chuyển sang loại “%(kind)s”: %(reason)s"),
                       {"kind": choice("kind", case.kind), "reason": kind_reason}, public=False)
            _audit(user, "petitions.reclassify_denunciation", case, **{"from": old_kind, "to": case.kind,
                                                                         "reason": kind_reason})
        _audit(user, "petitions.classify", case, kind=case.kind, field=case.field_id, complexity=case.complexity)
    return case


def _identity_of(case) -> dict:
    return Identity.objects.filter(case=case).values(*IDENTITY_FIELDS).first() or {}


def _no_identity_in_note(case, note, field="note"):
    """A note on a case that is or was a denunciation is read by officers without the identity right
    (the case page) or by the agency: refused when it repeats the denouncer (`identity_in_note`)."""
    if note and perms.case_protected(case):
        hits = identity_hits(note, _identity_of(case))
        if hits:
            raise PetitionError("identity_in_note", _("Ghi chú có thông tin nhận diện người tố cáo (%(what)s): hãy xóa "
                                                      "thông tin đó.") % {"what": _hit_labels(hits)}, field)


# ---- the redacted copy an agency reads ------------------------------------------------------

def prepare_redacted_copy(user, case, *, subject, content, files=()) -> RedactedCopy:
    """The copy of a case that is or was a denunciation an agency reads: the office writes it without
    anything that identifies the denouncer (the original stays with the office). The text is checked
    for the sender's name, phone, ID number, email and address in any spelling (`identity_in_redaction`).
    `files`: scans the office has redacted; they are the only files of the case an agency reads.
    Needs the identity right (whoever redacts reads the original). Preparing it again replaces the text."""
    if not perms.may_handle_protected_identity(user):
        _refuse(user, "petitions.prepare_redacted_copy", "needs_identity_right",
                _("Chỉ cán bộ có quyền xem thông tin người tố cáo được lập bản sao đã che thông tin."), case=case.pk)
    if not perms.case_protected(case):
        raise _bad_state(case, _("lập bản sao đã che"))
    subject = _length(clean_text(subject, single_line=True), "redacted_subject", SUBJECT_MIN, SUBJECT_MAX,
                      _("Tóm tắt nội dung (bản đã che)"))
    content = _length(clean_text(content), "redacted_content", CONTENT_MIN, CONTENT_MAX, _("Nội dung (bản đã che)"))
    hits = identity_hits(f"{subject}\n{content}", _identity_of(case))
    if hits:
        raise PetitionError("identity_in_redaction", _("Bản sao vẫn còn thông tin nhận diện người tố cáo (%(what)s): hãy "
                                                       "che hết trước khi lưu.") % {"what": _hit_labels(hits)},
                            "redacted_content")
    checked = _check_files(_file_items(files, False))
    with _operation(user, "petitions.prepare_redacted_copy") as op:
        case = _locked(case)
        copy, _created = RedactedCopy.objects.update_or_create(
            case=case, defaults={"subject": subject, "content": content, "prepared_by": user, "prepared_at": _now()})
        before = set(case.files.values_list("pk", flat=True))
        _store_files(case, checked)
        case.files.exclude(pk__in=before).update(redacted=True, identifying=False)
        _milestone(case, "redacted", gettext_noop("Văn phòng đã lập bản sao đã che thông tin người tố cáo để chuyển cơ quan."),
                   public=False)
        _detail(op, case, files=len(checked))
    return copy


def _hit_labels(hits) -> str:
    labels = {"full_name": _("họ tên"), "phone": _("số điện thoại"), "id_number": _("số CCCD"), "email": _("email"),
              "address": _("địa chỉ")}
    return ", ".join(str(labels[h]) for h in hits)


def agency_copy(case) -> dict:
    """What any agency channel (desk, email, webhook) carries of `case`: its subject, text and files.
    A case that is or was a denunciation: only the office's redacted copy and redacted scans (empty
    text when none was prepared); any other case: its own text and the files not marked identifying."""
    files = [f for f in case.files.order_by("uploaded_at", "id") if perms.agency_may_read_file(case, f)]
    if perms.case_protected(case):
        copy = RedactedCopy.objects.filter(case=case).first()
        return {"subject": copy.subject if copy else "", "content": copy.content if copy else "", "files": files,
                "redacted": True}
    return {"subject": case.subject, "content": case.content, "files": files, "redacted": False}


def decide(user, case, *, decision, reason="", note="", agency=None) -> Case:
    """accept | forward (a Transfer to `agency`, never carrying any identity) | guide (note required) |
    not_eligible (a reason from Case.Reason required). Never deletes."""
    _require_staff(user, "petitions.decide", case)
    if decision not in Case.Decision.values:
        raise PetitionError("invalid", _("Quyết định xử lý không hợp lệ."), "decision")
    note = clean_text(note)[:5000]
    _no_identity_in_note(case, note)
    with _operation(user, "petitions.decide") as op:
        case = _locked(case)
        _not_duplicate(case)
        allowed = UNDECIDED | ({ST.ACCEPTED} if decision == Case.Decision.FORWARD else set())
        if case.status not in allowed:
            raise _bad_state(case, _("quyết định xử lý"))
        if decision == Case.Decision.NOT_ELIGIBLE and reason not in Case.Reason.values:
            raise PetitionError("reason_required", _("Hãy chọn lý do đơn không đủ điều kiện xử lý."), "reason")
        if decision == Case.Decision.GUIDE and not note:
            raise PetitionError("note_required", _("Hãy ghi nội dung hướng dẫn công dân."), "note")
        information = case.kind == K.DENUNCIATION and (case.information_only or case.anonymous)
        if information and decision == Case.Decision.ACCEPT:
            raise PetitionError("information_only", _("Thông tin có nội dung tố cáo không rõ hoặc mạo danh người tố cáo không "
                                                      "được thụ lý như một tố cáo (Luật Tố cáo, Điều 25): hãy chuyển để thanh "
                                                      "tra, kiểm tra nếu nêu rõ người vi phạm và có chứng cứ, hoặc lưu đơn."),
                                "decision")
        if information and decision == Case.Decision.FORWARD and not note:
            raise PetitionError("evidence_required", _("Thông tin tố cáo nặc danh, mạo danh chỉ được chuyển để thanh tra, kiểm "
                                                       "tra khi nêu rõ người vi phạm và có tài liệu, chứng cứ cụ thể: hãy ghi "
                                                       "rõ trong phần ghi chú."), "note")
        step_date = timezone.localdate()
        if decision == Case.Decision.FORWARD:
            if agency is None or not agency.active:
                raise PetitionError("invalid", _("Hãy chọn cơ quan có thẩm quyền đang hoạt động."), "agency")
            if perms.case_protected(case):
                who = _identity_of(case)
                copy = RedactedCopy.objects.filter(case=case).first()
                if copy is None and perms.was_denunciation(case):
                    raise PetitionError("redaction_required", _("Đơn tố cáo chỉ được chuyển bằng bản sao đã che thông tin "
                                                                "người tố cáo: hãy lập bản sao đó trước."), "agency")
                if copy is None:  # a later letter of a denouncer
                    raise PetitionError("redaction_required", _("Người gửi đơn này là người tố cáo được bảo vệ: đơn chỉ được "
                                                                "chuyển bằng bản sao đã che thông tin người gửi; hãy lập "
                                                                "bản sao đó trước."), "agency")
                if identity_hits(f"{copy.subject}\n{copy.content}", who):
                    raise PetitionError("identity_in_redaction", _("Bản sao đã che vẫn còn thông tin nhận diện người tố "
                                                                   "cáo: hãy lập lại bản sao."), "agency")
            due_on = _forward_steps(case, step_date, information)
            transfer = Transfer.objects.create(case=case, agency=agency, sent_at=_now(), sent_by=user,
                                               due_on=due_on, note=note)
            transaction.on_commit(lambda: _notify_agency(transfer))
            case.status, case.agency, case.decision = ST.FORWARDED, agency, decision
            if information:
                _milestone(case, "forwarded", gettext_noop("Đã chuyển thông tin đến %(agency)s để thanh tra, kiểm tra."),
                           {"agency": agency.name})
            else:
                _milestone(case, "forwarded", gettext_noop("Đã chuyển đến %(agency)s để xem xét, giải quyết."),
                           {"agency": agency.name})
        elif decision == Case.Decision.ACCEPT:
            first = FIRST_STEP[case.kind]
            if first != _resolve_step(case):
                deadlines.close_step(case, first)
                if case.kind == K.DENUNCIATION:
                    # The denouncer is told of the acceptance, the accused of the denunciation's content,
                    # within 5 working days (Luật Tố cáo 2018, Điều 29).
                    _open_step(case, NOTICE_STEP, step_date)
                    _open_step(case, ACCUSED_NOTICE_STEP, step_date)
                _open_step(case, _resolve_step(case), step_date)
            case.status, case.decision = ST.ACCEPTED, decision
            _milestone(case, "accepted", gettext_noop("Đơn đã được thụ lý."))
        elif decision == Case.Decision.GUIDE:
            case.status, case.decision = ST.GUIDED, decision
            _close_open_steps(case)
            _milestone(case, "guided", gettext_noop("Đã hướng dẫn người gửi đến cơ quan có thẩm quyền."))
        else:
            case.status, case.decision, case.reason = ST.NOT_ELIGIBLE, decision, reason
            _close_open_steps(case)
            _milestone(case, "not_eligible", gettext_noop("Đơn không đủ điều kiện xử lý: %(reason)s."),
                       {"reason": choice("reason", case.reason)})
        case.decision_note = note
        case.save()
        _detail(op, case, decision=decision, reason=reason or None, agency=getattr(agency, "pk", None))
    return case


# The office's own notices, open until it records them: forwarding a case does not close them.
NOTICE_STEP = "denunciation.notify"
FORWARD_STEP = "denunciation.forward"
FORWARD_NOTICE_STEP = "denunciation.forward_notice"
ACCUSED_NOTICE_STEP = "denunciation.notify_accused"
OFFICE_NOTICES = (NOTICE_STEP, FORWARD_NOTICE_STEP, ACCUSED_NOTICE_STEP)
# Kinds whose agency counts its own steps from its receipt and acceptance (issue 12: a forwarded
# case does not inherit what is left of the office's time). Voters' petitions follow their session.
AGENCY_COUNTED = (K.COMPLAINT, K.DENUNCIATION, K.PETITION, K.FEEDBACK)


def _forward_steps(case, step_date, information):
    """The deadlines when `case` is forwarded today (`step_date`); returns the agency's due date.

    - Information with denunciation content (art. 25): no time limit of that law; nothing opens.
    - A denunciation not yet accepted is outside the office's competence: its acceptance step
      becomes the 5 working days to forward it from receipt (Luật Tố cáo art. 24(2)), met now, and
      the denouncer is notified of the forward within the same 5 working days (a step of its own,
      closed by record_denouncer_notice).
    - The office's other open steps are met by the forward (its own notices stay open), and the
      agency's first step opens from today, the day it receives the case: complaint acceptance
      (10 days, Luật Khiếu nại art. 27), denunciation acceptance (7 working days, art. 24(1)),
      a petition's 10 working days (Luật Tiếp công dân art. 28(1)) — fresh, not what is left of
      the office's. The resolution counts from the agency's acceptance (`acknowledge`).
    - A voter's petition keeps its step (answered for the session)."""
    if information:
        _close_open_steps(case)
        return None
    if case.kind not in AGENCY_COUNTED:
        first = FIRST_STEP[case.kind]
        deadline = case.deadlines.filter(step=first, met_at__isnull=True).first() or _open_step(case, first, step_date)
        return deadline.due_on
    if case.kind == K.DENUNCIATION and deadlines.switch_step(case, FIRST_STEP[K.DENUNCIATION], FORWARD_STEP):
        received = timezone.localdate(case.received_at)
        if not case.anonymous:
            _open_step(case, FORWARD_NOTICE_STEP, received)
    now = _now()
    for deadline in case.deadlines.filter(met_at__isnull=True).exclude(step__in=OFFICE_NOTICES):
        deadlines.close_step(case, deadline.step, at=now)
    return _open_step(case, FIRST_STEP[case.kind], step_date).due_on


def _notify_agency(transfer):
    from .notify import notify_agency

    notify_agency(transfer)


def extend_deadline(user, case, note) -> Deadline:
    """Extend the open step by the rule's extension, by a written decision (`note`)."""
    _require_staff(user, "petitions.extend_deadline", case)
    note = clean_text(note)
    if not note:
        raise PetitionError("note_required", _("Hãy ghi số, ngày của quyết định gia hạn và lý do."), "note")
    with _operation(user, "petitions.extend_deadline") as op:
        case = _locked(case)
        if case.status not in OPEN:
            raise _bad_state(case, _("gia hạn"))
        current = _open_deadline(case)
        if current is None:
            raise _bad_state(case, _("gia hạn"))
        try:
            deadline = deadlines.extend_step(case, current.step)
        except DeadlineError as refused:
            raise PetitionError(refused.code, refused.message) from None
        _milestone(case, "extended", gettext_noop("Thời hạn giải quyết được gia hạn đến %(d)s."),
                   {"d": deadline.due_on.strftime("%d/%m/%Y")})
        _detail(op, case, step=current.step, due_on=str(deadline.due_on), note=note[:500])
    return deadline


def record_denouncer_notice(user, case, note) -> Case:
    """The office notified the denouncer that the denunciation was accepted (Luật Tố cáo art. 29) or
    forwarded to the competent body (art. 24(2)) — the written notice's number and date in `note`:
    closes that step's deadline (the forward's notice first, if both were open)."""
    _require_staff(user, "petitions.notice", case)
    note = clean_text(note)
    if not note:
        raise PetitionError("note_required", _("Hãy ghi số, ngày của văn bản thông báo thụ lý."), "note")
    _no_identity_in_note(case, note)
    with _operation(user, "petitions.notice") as op:
        case = _locked(case)
        open_steps = set(case.deadlines.filter(step__in=(FORWARD_NOTICE_STEP, NOTICE_STEP), met_at__isnull=True)
                         .values_list("step", flat=True))
        if not open_steps:
            raise _bad_state(case, _("thông báo cho người tố cáo"))
        step = FORWARD_NOTICE_STEP if FORWARD_NOTICE_STEP in open_steps else NOTICE_STEP
        deadlines.close_step(case, step)
        if step == FORWARD_NOTICE_STEP:
            _milestone(case, "notified", gettext_noop("Đã thông báo cho người tố cáo việc chuyển tố cáo đến cơ quan có "
                                                      "thẩm quyền."))
        else:
            _milestone(case, "notified", gettext_noop("Đã thông báo việc thụ lý tố cáo cho người tố cáo."))
        _detail(op, case, step=step, note=note[:500])
    return case


def record_accused_notice(user, case, note) -> Case:
    """The office notified the accused party of the denunciation's content after accepting it
    (Luật Tố cáo art. 29): the notice's number and date in `note`. Never names the denouncer."""
    _require_staff(user, "petitions.accused_notice", case)
    note = clean_text(note)
    if not note:
        raise PetitionError("note_required", _("Hãy ghi số, ngày của văn bản thông báo cho người bị tố cáo."), "note")
    _no_identity_in_note(case, note)
    with _operation(user, "petitions.accused_notice") as op:
        case = _locked(case)
        if not case.deadlines.filter(step=ACCUSED_NOTICE_STEP, met_at__isnull=True).exists():
            raise _bad_state(case, _("thông báo cho người bị tố cáo"))
        deadlines.close_step(case, ACCUSED_NOTICE_STEP)
        _milestone(case, "accused_notified", gettext_noop("Đã thông báo nội dung tố cáo cho người bị tố cáo."), public=False)
        _detail(op, case, note=note[:500])
    return case


def treat_as_information(user, case, note) -> Case:
    """A named denunciation found to use another person's name (mạo danh) goes the art. 25 way:
    information for inspection or verification, not a denunciation handled under Luật Tố cáo, no
    time limit. `note` says how it was found (checked: it never repeats the sender). The sender's
    identity stays protected."""
    _require_staff(user, "petitions.information_only", case)
    note = clean_text(note)
    if not note:
        raise PetitionError("note_required", _("Hãy ghi căn cứ xác định đơn mạo danh."), "note")
    _no_identity_in_note(case, note)
    with _operation(user, "petitions.information_only") as op:
        case = _locked(case)
        _not_duplicate(case)
        if case.kind != K.DENUNCIATION or case.status not in UNDECIDED:
            raise _bad_state(case, _("xử lý như thông tin có nội dung tố cáo"))
        if case.information_only:
            raise PetitionError("information_only", _("Đơn này đã được xử lý như thông tin có nội dung tố cáo."))
        case.information_only = True
        case.save(update_fields=["information_only", "updated_at"])
        _close_open_steps(case)
        _milestone(case, "information_only", gettext_noop("Đơn được xử lý như thông tin có nội dung tố cáo (Luật Tố cáo, "
                                                          "Điều 25): %(note)s"), {"note": note}, public=False)
        _detail(op, case, note=note[:500])
    return case


def withdraw(user, case, note) -> Case:
    """The sender withdraws the letter (in writing: `note` says how it was received)."""
    _require_staff(user, "petitions.withdraw", case)
    note = clean_text(note)
    if not note:
        raise PetitionError("note_required", _("Hãy ghi văn bản rút đơn đã nhận (ngày, hình thức)."), "note")
    _no_identity_in_note(case, note)
    with _operation(user, "petitions.withdraw") as op:
        case = _locked(case)
        _not_duplicate(case)
        if case.status not in OPEN:
            raise _bad_state(case, _("rút đơn"))
        case.status, case.decision_note = ST.WITHDRAWN, note[:5000]
        case.save(update_fields=["status", "decision_note", "updated_at"])
        _close_open_steps(case)
        _milestone(case, "withdrawn", gettext_noop("Người gửi đã rút đơn."))
        _detail(op, case)
    return case


def review_answer(user, answer, *, approve: bool, note="") -> Answer:
    """The office approves an agency's answer (it may then be published) or returns it to the agency."""
    _require_staff(user, "petitions.review_answer", answer.case)
    note = clean_text(note)[:5000]
    if not approve and not note:
        raise PetitionError("note_required", _("Hãy ghi lý do trả lại để cơ quan bổ sung."), "note")
    with _operation(user, "petitions.review_answer") as op:
        case = _locked(answer.case)
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        if case.status != ST.ANSWERED or answer.review != Answer.Review.PENDING:
            raise _bad_state(case, _("duyệt trả lời"))
        answer.review = Answer.Review.APPROVED if approve else Answer.Review.RETURNED
        answer.reviewed_by, answer.reviewed_at, answer.review_note = user, _now(), note
        answer.save()
        if answer.transfer_id:
            Transfer.objects.filter(pk=answer.transfer_id).update(
                status=Transfer.Status.ACCEPTED if approve else Transfer.Status.RETURNED)
        if approve:
            stone = case.milestones.filter(kind="answered", public=False).order_by("-at", "-id").first()
            if stone is not None:
                stone.public = True
                stone.save(update_fields=["public"])
                notify_subscribers(case, stone)
        else:
            case.status = ST.FORWARDED
            case.save(update_fields=["status", "updated_at"])
            _milestone(case, "returned", gettext_noop("Trả lời chưa đạt, đã trả lại cơ quan: %(note)s"), {"note": note},
                       public=False)
        _detail(op, case, answer=answer.pk, approve=bool(approve))
    return answer


def publish_answer(user, case) -> Case:
    """Publish the approved answer (without any personal data) and close the case's deadlines."""
    _require_staff(user, "petitions.publish_answer", case)
    with _operation(user, "petitions.publish_answer") as op:
        case = _locked(case)
        answer = case.answers.filter(review=Answer.Review.APPROVED, published_at__isnull=True).order_by("-answered_at").first()
        if case.status != ST.ANSWERED or answer is None:
            raise PetitionError("bad_state", _("Chỉ công khai được trả lời đã được duyệt."))
        now = _now()
        answer.published_at = now
        answer.save(update_fields=["published_at"])
        case.status = ST.PUBLISHED
        case.save(update_fields=["status", "updated_at"])
        _close_open_steps(case)
        _milestone(case, "published", gettext_noop("Kết quả giải quyết đã được công khai."), at=now)
        _detail(op, case, answer=answer.pk)
    return case


def mark_unsatisfactory(user, case, *, questioning_candidate: bool) -> Case:
    """An answer judged unsatisfactory; it may become a questioning topic at the next session."""
    _require_staff(user, "petitions.mark_unsatisfactory", case)
    with _operation(user, "petitions.mark_unsatisfactory") as op:
        case = _locked(case)
        if case.status not in (ST.PUBLISHED, ST.CLOSED, ST.ANSWERED) or not case.answers.exists():
            raise _bad_state(case, _("đánh giá trả lời"))
        case.unsatisfactory, case.questioning_candidate = True, bool(questioning_candidate)
        case.save(update_fields=["unsatisfactory", "questioning_candidate", "updated_at"])
        _milestone(case, "unsatisfactory", gettext_noop("Trả lời được đánh giá chưa thỏa đáng."), public=False)
        _detail(op, case, questioning_candidate=bool(questioning_candidate))
    return case


def reveal_identity(user, case, *, purpose, where) -> Identity | None:
    """Who sent `case` (None for an anonymous letter). A denouncer's identity needs its own permission;
    every read of it is logged (IdentityRead) and audited; a refusal is audited."""
    if not perms.may_view_identity(user, case):
        _refuse(user, "petitions.reveal_identity", "forbidden",
                _("Bạn không có quyền xem thông tin người gửi đơn này."), case=case.pk, where=str(where)[:100])
    purpose = clean_text(purpose, single_line=True)
    if not purpose:
        raise PetitionError("invalid", _("Hãy ghi mục đích xem thông tin người gửi."), "purpose")
    identity = Identity.objects.filter(case=case).first()
    if perms.identity_protected(case):
        with _operation(user, "petitions.reveal_identity") as op:
            IdentityRead.objects.create(case=case, user=user, purpose=purpose[:300], where=str(where)[:100])
            _detail(op, case, where=str(where)[:100])
    return identity


# ---- agency desk ----------------------------------------------------------------------

def _agency_turn(user, transfer, action):
    if not perms.may_work_transfer(user, transfer):
        _refuse(user, action, "forbidden", _("Chỉ cán bộ của cơ quan được chuyển đơn mới được xử lý đơn này."),
                transfer=transfer.pk, case=transfer.case_id)


WORKABLE = {Transfer.Status.SENT, Transfer.Status.ACKNOWLEDGED, Transfer.Status.CLARIFICATION, Transfer.Status.RETURNED}


def forwarded_content(user, transfer) -> dict:
    """What an agency desk shows of a forwarded case: never any identity (agency_copy: a denunciation's
    redacted copy only, never its original text or scans)."""
    _agency_turn(user, transfer, "petitions.agency_view")
    case = transfer.case
    copy = agency_copy(case)
    out = {"tracking_code": case.tracking_code, "kind": case.kind, "kind_label": case.get_kind_display(),
           "subject": copy["subject"], "content": copy["content"], "redacted": copy["redacted"],
           "field": case.field.name if case.field_id else "",
           "district": case.district, "commune": case.commune, "received_at": case.received_at,
           "due_on": transfer.due_on, "note": transfer.note, "status": transfer.status,
           "files": copy["files"]}
    return out


def acknowledge(user, transfer) -> Transfer:
    _agency_turn(user, transfer, "petitions.acknowledge")
    with _operation(user, "petitions.acknowledge", role="agency") as op:
        case = _locked(transfer.case)
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if case.status != ST.FORWARDED or transfer.status != Transfer.Status.SENT:
            raise _bad_state(case, _("xác nhận đã nhận"))
        transfer.status, transfer.acknowledged_at = Transfer.Status.ACKNOWLEDGED, _now()
        # The agency's acceptance: a complaint's or a denunciation's resolution counts from it
        # (Luật Khiếu nại art. 28, 37; Luật Tố cáo art. 30), not from the forward.
        if case.kind in (K.COMPLAINT, K.DENUNCIATION) and not case.information_only:
            accepted_on = timezone.localdate(transfer.acknowledged_at)
            deadlines.close_step(case, FIRST_STEP[case.kind], at=transfer.acknowledged_at)
            transfer.due_on = _open_step(case, _resolve_step(case), accepted_on).due_on
        transfer.save(update_fields=["status", "acknowledged_at", "due_on"])
        _milestone(case, "acknowledged", gettext_noop("%(agency)s đã nhận đơn."), {"agency": transfer.agency.name})
        _detail(op, case, transfer=transfer.pk)
    return transfer


def ask_clarification(user, transfer, text) -> Transfer:
    _agency_turn(user, transfer, "petitions.ask_clarification")
    text = _length(clean_text(text), "text", 5, 5000, _("Nội dung đề nghị làm rõ"))
    with _operation(user, "petitions.ask_clarification", role="agency") as op:
        case = _locked(transfer.case)
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if case.status != ST.FORWARDED or transfer.status not in WORKABLE:
            raise _bad_state(case, _("đề nghị làm rõ"))
        transfer.status, transfer.clarification = Transfer.Status.CLARIFICATION, text
        transfer.acknowledged_at = transfer.acknowledged_at or _now()
        transfer.save(update_fields=["status", "clarification", "acknowledged_at"])
        _milestone(case, "clarification", gettext_noop("%(agency)s đề nghị làm rõ nội dung đơn."),
                   {"agency": transfer.agency.name}, public=False)
        _detail(op, case, transfer=transfer.pk)
    return transfer


def answer(user, transfer, text, files=()) -> Answer:
    """The agency's answer; the office reviews it before anything is published. Anyone but that
    agency's desk users is refused and audited (a forged answer)."""
    _agency_turn(user, transfer, "petitions.answer")
    text = _length(clean_text(text), "text", 20, CONTENT_MAX, _("Nội dung trả lời"))
    checked = _check_files(_file_items(files, False))
    with _operation(user, "petitions.answer", role="agency") as op:
        case = _locked(transfer.case)
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if case.status != ST.FORWARDED or case.agency_id != transfer.agency_id or transfer.status not in WORKABLE:
            raise _bad_state(case, _("trả lời"))
        now = _now()
        reply = Answer.objects.create(case=case, transfer=transfer, text=text, answered_by=user, answered_at=now)
        transfer.status = Transfer.Status.ANSWERED
        transfer.acknowledged_at = transfer.acknowledged_at or now
        transfer.save(update_fields=["status", "acknowledged_at"])
        case.status = ST.ANSWERED
        case.save(update_fields=["status", "updated_at"])
        _store_files(case, checked)
        # Public once the office approves it (review_answer).
        _milestone(case, "answered", gettext_noop("%(agency)s đã trả lời."), {"agency": transfer.agency.name},
                   public=False, at=now)
        _detail(op, case, transfer=transfer.pk, answer=reply.pk)
    return reply


# ---- citizens --------------------------------------------------------------------------

def public_url(path: str, request=None, base_url: str = "") -> str:
    """The address a citizen or an agency follows: PUBLIC_BASE_URL when it is set (the site's public
    address), else the host the request came to (`request`, or `base_url` taken from one), never a fixed
    host or port. Without either (the daily job with the setting unset) the path alone."""
    base = (settings.PUBLIC_BASE_URL or "").rstrip("/")
    if not base and request is not None:
        base = request.build_absolute_uri("/").rstrip("/")
    return (base or (base_url or "").rstrip("/")) + path


def _link(path, base_url=""):
    return public_url(path, base_url=base_url)


def record_citizen_view(case, *, satisfied: bool, comment: str = "") -> Case:
    """The citizen says whether the published answer resolved the matter: once, from the public status
    page (the unguessable tracking code is the access secret). Only for a case whose answer is published and
    shown there (not any letter of a denouncer, whose page shows no answer: accounts.permissions.case_protected).
    Refused: `bad_state` (nothing published to judge), `already_said` (said before; the first word stays)."""
    comment = _length(clean_text(comment), "comment", 0, 2000, _("Ý kiến thêm"))
    with transaction.atomic():
        case = _locked(case)
        published = case.answers.filter(published_at__isnull=False).exists()
        if case.status != ST.PUBLISHED or not published or perms.case_protected(case):
            raise PetitionError("bad_state", _("Chỉ cho ý kiến được khi kết quả trả lời đã được công khai."))
        if case.citizen_said_at is not None:
            raise PetitionError("already_said", _("Bạn đã cho ý kiến về kết quả này rồi; mỗi đơn chỉ cho ý kiến một lần."))
        case.citizen_satisfied, case.citizen_comment, case.citizen_said_at = bool(satisfied), comment, _now()
        case.save(update_fields=["citizen_satisfied", "citizen_comment", "citizen_said_at", "updated_at"])
        _milestone(case, "citizen_view", gettext_noop("Công dân cho biết kết quả đã giải quyết được việc của mình.")
                   if satisfied else gettext_noop("Công dân cho biết kết quả chưa giải quyết được việc của mình."),
                   public=False, notify=False)
        _audit(None, "petitions.citizen_view", case, satisfied=bool(satisfied), comment=bool(comment))
    return case


def subscribe(case, email, base_url="") -> Subscription:
    """Follow a case by email: a confirmation link is sent; nothing else until it is followed.
    `base_url`: the site's address as the request saw it (public_url)."""
    email = clean_text(email, single_line=True).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise PetitionError("invalid", _("Địa chỉ email không hợp lệ."), "email") from None
    with transaction.atomic():
        existing = Subscription.objects.filter(case=case, email=email).first()
        if existing is not None and existing.confirmed_at:
            return existing
        recent = Subscription.objects.filter(case=case, confirmed_at__isnull=True,
                                             created_at__gte=_now() - timezone.timedelta(hours=1)).count()
        if existing is None and recent >= SUBSCRIPTIONS_PER_CASE_HOUR:
            raise PetitionError("rate_limited", _("Đã có quá nhiều yêu cầu theo dõi đơn này trong một giờ. Xin thử lại sau."))
        sub = existing or Subscription.objects.create(case=case, email=email, token=secrets.token_urlsafe(32))
        link = _link(f"/public/letters/subscribe/{sub.token}/", base_url)
        body = _("Bạn (hoặc ai đó) đã đề nghị nhận thông báo về đơn có mã theo dõi %(code)s.\n\n"
                 "Để xác nhận, mở liên kết sau:\n%(link)s\n\nNếu không phải bạn, hãy bỏ qua thư này.") \
            % {"code": case.tracking_code, "link": link}
        subject = _("Xác nhận theo dõi đơn %(code)s") % {"code": case.tracking_code}
        transaction.on_commit(lambda: mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True))
    return sub


def confirm_subscription(token) -> Subscription:
    sub = Subscription.objects.filter(token=str(token or "")[:64]).select_related("case").first()
    if sub is None:
        raise PetitionError("not_found", _("Liên kết xác nhận không đúng hoặc đã hết hiệu lực."))
    if sub.confirmed_at is None:
        sub.confirmed_at = _now()
        sub.save(update_fields=["confirmed_at"])
    return sub


def unsubscribe(token) -> bool:
    """Stop following a case (the link in every notification)."""
    return Subscription.objects.filter(token=str(token or "")[:64]).delete()[0] > 0


def notify_subscribers(case, milestone) -> int:
    """Email a public milestone to the case's confirmed subscribers (after commit). The text is the
    milestone's own, which never carries personal data. Returns how many will be sent."""
    if not milestone.public:
        return 0
    subs = list(Subscription.objects.filter(case=case, confirmed_at__isnull=False).values_list("email", "token"))
    if not subs:
        return 0
    subject = _("Đơn %(code)s: %(text)s") % {"code": case.tracking_code, "text": milestone.text[:80]}
    messages = []
    for email, token in subs:
        body = _("Đơn có mã theo dõi %(code)s có bước mới (%(at)s):\n%(text)s\n\nXem tiến độ: %(track)s\n"
                 "Thôi nhận thông báo: %(stop)s") % {
            "code": case.tracking_code, "at": timezone.localtime(milestone.at).strftime("%d/%m/%Y %H:%M"),
            "text": milestone.text, "track": _link("/public/letters/"),
            "stop": _link(f"/public/letters/unsubscribe/{token}/")}
        messages.append(mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))

    def send():
        with mail.get_connection(fail_silently=True) as connection:
            connection.send_messages(messages)

    transaction.on_commit(send)
    return len(messages)
