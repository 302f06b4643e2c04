"""Telling an agency that a case was forwarded to it: email or a signed webhook.

`notify_agency(transfer)` is called by petitions.services.decide(forward) after
the transfer is committed. What it sends is the case, never who sent it: no
Identity field is read here at all, and no attachment (a scan may carry a
denouncer's handwriting); the agency reads the files on its desk, where the
rules of accounts.permissions apply. Subject and text come from
services.agency_copy: for a case that is or was a denunciation, the redacted
copy the office prepared, never the letter as written.

- channel "email": a plain-text email to Agency.email;
- channel "api" with a webhook_url: POST a JSON body with a short timeout,
  signed with HMAC-SHA256 (header X-Petitions-Signature: "sha256=<hex>" over
  "<timestamp>.<body>", X-Petitions-Timestamp: the Unix time). The key is
  per agency and derived from SECRET_KEY (`webhook_key(agency)`): the office
  gives it to the agency once. docs/petitions-api.md shows how to verify.
- channel "desk": nothing to send (the agency works the desk).

Every attempt is an audit record (action "petitions.notify", outcome ok or
failed, detail: transfer, agency, channel, error). A failure is logged and
never raises: the daily job calls `retry_failed()` to try again.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Agency, Transfer

log = logging.getLogger(__name__)
ACTION = "petitions.notify"
TIMEOUT_S = 5
RETRY_DAYS = 7


def webhook_key(agency) -> str:
    """The agency's signing key (hex), derived from SECRET_KEY and the agency's id."""
    return hmac.new(settings.SECRET_KEY.encode(), f"petitions.webhook:{agency.pk}".encode(), hashlib.sha256).hexdigest()


def sign(agency, timestamp: int, body: bytes) -> str:
    mac = hmac.new(webhook_key(agency).encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _desk_url(transfer) -> str:
    try:
        path = reverse("petitions:agency_transfer", args=[transfer.pk])
    except NoReverseMatch:
        path = "/agency/"
    from .services import public_url

    return public_url(path)


def payload(transfer) -> dict:
    """What an agency is told: the case without its sender (services.agency_copy)."""
    from .services import agency_copy

    case = transfer.case
    copy = agency_copy(case)
    return {
        "event": "case.forwarded",
        "transfer": {
            "id": transfer.pk,
            "sent_at": timezone.localtime(transfer.sent_at).isoformat(timespec="seconds"),
            "due_on": transfer.due_on.isoformat() if transfer.due_on else None,
            "note": transfer.note,
            "url": _desk_url(transfer),
        },
        "case": {
            "tracking_code": case.tracking_code,
            "kind": case.kind,
            "kind_name": str(case.get_kind_display()),
            "subject": copy["subject"],
            "content": copy["content"],
            "field": case.field.name if case.field_id else None,
            "district": case.district or None,
            "commune": case.commune or None,
            "level": case.level or None,
            "received_at": timezone.localtime(case.received_at).isoformat(timespec="seconds"),
        },
    }


def _record(transfer, outcome: str, **detail):
    from audit.services import record

    record(None, ACTION, outcome=outcome, detail={"transfer": transfer.pk, "agency": transfer.agency_id, **detail})


def _email(transfer, data) -> None:
    case = data["case"]
    lines = [
        _("Văn phòng HĐND chuyển đến Quý cơ quan đơn thư, kiến nghị sau để xem xét, giải quyết theo thẩm quyền."),
        "",
        _("Mã hồ sơ: %(c)s") % {"c": case["tracking_code"]},
        _("Loại: %(k)s") % {"k": case["kind_name"]},
        _("Lĩnh vực: %(f)s") % {"f": case["field"] or "—"},
        _("Địa bàn: %(d)s") % {"d": ", ".join(p for p in (case["commune"], case["district"]) if p) or "—"},
        _("Hạn trả lời: %(d)s") % {"d": data["transfer"]["due_on"] or "—"},
        "",
        _("Tóm tắt: %(s)s") % {"s": case["subject"]},
        "",
        case["content"],
        "",
    ]
    if data["transfer"]["note"]:
        lines += [_("Ghi chú của Văn phòng: %(n)s") % {"n": data["transfer"]["note"]}, ""]
    lines.append(_("Xem hồ sơ và trả lời tại: %(u)s") % {"u": data["transfer"]["url"]})
    subject = _("[HĐND] Chuyển đơn thư, kiến nghị %(c)s") % {"c": case["tracking_code"]}
    send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [transfer.agency.email])


def _webhook(transfer, data) -> int:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = int(time.time())
    request = urllib.request.Request(transfer.agency.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "hdnd-petitions/1",
        "X-Petitions-Event": data["event"],
        "X-Petitions-Timestamp": str(timestamp),
        "X-Petitions-Signature": sign(transfer.agency, timestamp, body),
    })
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (the office sets the URL)
        return response.status


def notify_agency(transfer) -> bool | None:
    """Send the forwarded case to its agency. True sent, False failed (logged, audited), None nothing to send."""
    transfer = Transfer.objects.select_related("agency", "case__field").get(pk=transfer.pk)
    agency = transfer.agency
    if agency.channel == Agency.Channel.EMAIL and agency.email:
        channel = "email"
    elif agency.channel == Agency.Channel.API and agency.webhook_url.startswith(("https://", "http://")):
        channel = "api"
    else:
        return None
    data = payload(transfer)
    try:
        if channel == "email":
            _email(transfer, data)
            _record(transfer, "ok", channel=channel)
        else:
            status = _webhook(transfer, data)
            _record(transfer, "ok", channel=channel, status=status)
        return True
    except (OSError, urllib.error.URLError, ValueError) as exc:  # SMTP and HTTP errors are OSErrors
        log.warning("notify agency %s of transfer %s failed: %s", agency.pk, transfer.pk, exc)
        _record(transfer, "failed", channel=channel, error=str(exc)[:300])
        return False


def failed_transfers(days: int = RETRY_DAYS):
    """Transfers still waiting for their agency whose latest notification failed (last `days` days)."""
    from audit.models import AuditRecord

    since = timezone.now() - dt.timedelta(days=days)
    latest = {}
    for transfer_id, outcome in (AuditRecord.objects.filter(action=ACTION, at__gte=since)
                                 .order_by("at", "id").values_list("detail__transfer", "outcome")):
        latest[transfer_id] = outcome
    failed = [pk for pk, outcome in latest.items() if outcome != "ok"]
    return Transfer.objects.filter(pk__in=failed, status=Transfer.Status.SENT)


def retry_failed(days: int = RETRY_DAYS) -> tuple[int, int]:
    """For the daily job: notify again every transfer whose last attempt failed. (sent, still failing)."""
    sent = failing = 0
    for transfer in failed_transfers(days):
        if notify_agency(transfer):
            sent += 1
        else:
            failing += 1
    return sent, failing
