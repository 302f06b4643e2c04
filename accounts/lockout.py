"""Password sign-in lockout (django-axes, configured in config/settings.py).

After LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one client
address, password sign-in (ours and the admin's) is refused for
LOGIN_LOCKOUT_MINUTES. axes counts and logs the failures (logger "axes");
this module tells it the client's address and draws the page a locked
sign-in gets, writing an audit row for it. Pairing by QR code does not go
through a password and is not affected; the office unlocks with
`manage.py axes_reset_username USER` / `axes_reset_ip ADDRESS` or by deleting
the access attempt in the admin (docs/devices-and-members.md).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

LOCKED = "locked"


def client_address(request) -> str | None:
    """The client's address, as everything in the project reads it: REMOTE_ADDR.

    Daphne sets it from the TCP peer, or, started with --proxy-headers behind our
    nginx, from the proxy's X-Forwarded-For. A header the client sends is never read here.
    None when there is none (a request made in code, e.g. the test client's force_login):
    axes stores addresses in an IP address column."""
    return request.META.get("REMOTE_ADDR") or None


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, saying sign-in is locked and what to do (HTTP 429); audited."""
    username = str((credentials or {}).get("username") or "")[:150]
    _audit_lockout(username, client_address(request))
    return render(request, "accounts/login.html", {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked": True,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "next": request.POST.get("next", "") if request.method == "POST" else "",
    }, status=429)


def _audit_lockout(username: str, address: str | None) -> None:
    """One auth.lockout row per account and address per lockout, counting the refused guesses in
    it (detail["refused"]), so someone guessing on while locked cannot fill the audit log."""
    from django.db import transaction
    from django.utils import timezone

    from audit.models import AuditRecord

    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    with transaction.atomic():
        row = (AuditRecord.objects.select_for_update()
               .filter(action="auth.lockout", at__gte=since, detail__username=username, detail__address=address)
               .order_by("-at", "-id").first())
        if row is None:
            AuditRecord.objects.create(user=None, role="", action="auth.lockout", outcome=LOCKED,
                                       detail={"username": username, "address": address, "refused": 1})
        else:
            row.detail["refused"] = int(row.detail.get("refused", 1)) + 1
            row.save(update_fields=["detail"])
