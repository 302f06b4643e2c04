"""Following a public resolution by e-mail, double opt-in (petitions' Subscription pattern):

1. `subscribe` stores an unconfirmed Subscription and mails a confirmation link (after commit);
   nothing else is ever sent to an address that has not followed it;
2. `confirm` (the link's page, by POST: a mail scanner opening the link confirms nothing);
3. once confirmed, one mail on each status change of the resolution (a Transition row, told by
   services._record_step, after the commit) and on each agency report the office publishes
   (services_public.publish_report), each with the link to stop (`unsubscribe`).

Mails go after the change's commit, with fail_silently: a failed send never undoes or fails the
change. Abuse: a client (a keyed hash of its address, petitions.services.client_key) may ask at
most SUBSCRIBE_PER_CLIENT_HOUR times an hour, and a resolution takes at most
UNCONFIRMED_PER_RESOLUTION_HOUR new unconfirmed addresses an hour (refusal code `rate_limited`)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import public_resolutions
from petitions.models import SubmissionThrottle
from petitions.services import client_key, public_url

from .models import ProgressReport, Resolution, Status, Subscription, Transition
from .services import ResolutionError

SUBSCRIBE_PER_CLIENT_HOUR = 5
UNCONFIRMED_PER_RESOLUTION_HOUR = 10
EMAIL_MAX = 254
# A confirmation link not followed within this many days is dead; asking again sends a new one.
CONFIRM_WITHIN_DAYS = 7


def _count_request(client: str) -> bool:
    """Count one request of this client in the current hour; False once over the limit."""
    key = "ressub:" + client_key(client or "unknown")[:56]
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            row, created = SubmissionThrottle.objects.get_or_create(client=key, hour=hour, defaults={"count": 1})
    except IntegrityError:  # created by a concurrent request between the get and the create
        row, created = SubmissionThrottle.objects.get(client=key, hour=hour), False
    if not created:
        SubmissionThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)
        row.count += 1
    return row.count <= SUBSCRIBE_PER_CLIENT_HOUR


def _link(name: str, *args, base_url: str = "") -> str:
    return public_url(reverse(f"resolutions:{name}", args=args), base_url=base_url)


def _title(resolution: Resolution) -> str:
    return f"{resolution.number} — {resolution.title}"[:200] if resolution.number else resolution.title[:200]


def subscribe(resolution: Resolution, email: str, *, client: str = "", base_url: str = "") -> Subscription:
    """Ask to follow a public resolution: a confirmation mail is sent (after commit). An address
    already confirmed is told nothing new (no mail). Refusals: `not_found` (not public), `invalid`
    (not an address), `rate_limited`."""
    email = (email or "").strip().lower()
    if not public_resolutions(Resolution.objects.filter(pk=resolution.pk)).exists():
        raise ResolutionError("not_found", _("Không có nghị quyết công khai này."))
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ResolutionError("invalid", _("Địa chỉ email không hợp lệ.")) from None
    if not _count_request(client):
        raise ResolutionError("rate_limited", _("Đã có quá nhiều yêu cầu từ địa chỉ này trong một giờ. Xin thử lại sau."))
    with transaction.atomic():
        existing = Subscription.objects.select_for_update().filter(resolution=resolution, email=email).first()
        if existing is not None and existing.confirmed_at:
            return existing
        if existing is not None and _expired(existing):
            existing.delete()
            existing = None
        if existing is None:
            recent = Subscription.objects.filter(resolution=resolution, confirmed_at__isnull=True,
                                                 created_at__gte=timezone.now() - timezone.timedelta(hours=1)).count()
            if recent >= UNCONFIRMED_PER_RESOLUTION_HOUR:
                raise ResolutionError("rate_limited", _("Đã có quá nhiều yêu cầu theo dõi nghị quyết này trong một giờ. "
                                                        "Xin thử lại sau."))
        sub = existing or Subscription.objects.create(resolution=resolution, email=email,
                                                      token=secrets.token_urlsafe(32))
        link = _link("subscription_confirm", sub.token, base_url=base_url)
        subject = _("Xác nhận theo dõi nghị quyết %(n)s") % {"n": resolution.number}
        body = _("Bạn (hoặc ai đó) đã đề nghị nhận thông báo qua email về nghị quyết:\n%(title)s\n\n"
                 "Để xác nhận, mở liên kết sau và bấm nút xác nhận:\n%(link)s\n\n"
                 "Nếu không phải bạn, hãy bỏ qua thư này; bạn sẽ không nhận thêm thư nào.") % {
            "title": _title(resolution), "link": link}
        transaction.on_commit(lambda: mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email],
                                                     fail_silently=True))
    return sub


def held(token) -> Subscription | None:
    """The subscription of a link's token, whatever became of its resolution (to stop it)."""
    token = str(token or "")[:64]
    return Subscription.objects.filter(token=token).select_related("resolution").first() if token else None


def _expired(sub: Subscription) -> bool:
    return sub.confirmed_at is None and sub.created_at < timezone.now() - timezone.timedelta(days=CONFIRM_WITHIN_DAYS)


def find(token) -> Subscription | None:
    """The subscription of a confirmation link's token: its resolution still public, and either
    confirmed or asked less than CONFIRM_WITHIN_DAYS ago; None otherwise."""
    sub = held(token)
    if sub is None or _expired(sub) or not public_resolutions(Resolution.objects.filter(pk=sub.resolution_id)).exists():
        return None
    return sub


def confirm(token) -> Subscription:
    sub = find(token)
    if sub is None:
        raise ResolutionError("not_found", _("Liên kết xác nhận không đúng hoặc đã hết hiệu lực."))
    if sub.confirmed_at is None:
        Subscription.objects.filter(pk=sub.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        sub.refresh_from_db(fields=["confirmed_at"])
    return sub


def unsubscribe(token) -> bool:
    """Stop following (the link in every mail). True if there was something to stop."""
    token = str(token or "")[:64]
    return bool(token) and Subscription.objects.filter(token=token).delete()[0] > 0


# ---- the notifications -------------------------------------------------------------------

def _send(resolution: Resolution, subject: str, text: str) -> int:
    """One mail to each confirmed subscriber of a public resolution, each with its own link to stop."""
    if not public_resolutions(Resolution.objects.filter(pk=resolution.pk)).exists():
        return 0
    subs = list(Subscription.objects.filter(resolution=resolution, confirmed_at__isnull=False)
                .values_list("email", "token"))
    if not subs:
        return 0
    page = _link("public_resolution", resolution.pk)
    messages = []
    for email, token in subs:
        body = _("%(text)s\n\nXem nghị quyết và tiến độ thực hiện: %(page)s\n"
                 "Thôi nhận thông báo: %(stop)s") % {"text": text, "page": page, "stop": _link("unsubscribe", token)}
        messages.append(mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    with mail.get_connection(fail_silently=True) as connection:
        connection.send_messages(messages)
    return len(messages)


def notify_transition(transition_id: int) -> int:
    transition = Transition.objects.select_related("resolution").filter(pk=transition_id).first()
    if transition is None:
        return 0
    resolution = transition.resolution
    with translation.override(settings.LANGUAGE_CODE):
        label = Status(transition.to_status).label
        subject = _("Nghị quyết %(n)s: %(s)s") % {"n": resolution.number, "s": label}
        text = _("Nghị quyết %(title)s chuyển sang tình trạng “%(s)s” ngày %(at)s.") % {
            "title": _title(resolution), "s": label, "at": timezone.localtime(transition.at).strftime("%d/%m/%Y")}
        return _send(resolution, subject, str(text))


def notify_report(report_id: int) -> int:
    report = (ProgressReport.objects.select_related("task__resolution", "agency")
              .filter(pk=report_id, published_at__isnull=False, task__resolution__isnull=False).first())
    if report is None:
        return 0
    resolution = report.task.resolution
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Nghị quyết %(n)s: báo cáo mới của %(a)s") % {"n": resolution.number, "a": report.agency.name}
        text = _("%(a)s báo cáo tiến độ nhiệm vụ “%(t)s” của nghị quyết %(title)s (ngày %(at)s):\n\n%(body)s") % {
            "a": report.agency.name, "t": report.task.title[:200], "title": _title(resolution),
            "at": timezone.localtime(report.reported_at).strftime("%d/%m/%Y"), "body": report.text[:2000]}
        return _send(resolution, subject, str(text))
