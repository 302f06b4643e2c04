"""Deployment checks: a production start (DEBUG off) that would lose citizens' mail or print
wrong links says so loudly.

- hdnd.W001: no real mail backend. Unset EMAIL_BACKEND without EMAIL_HOST sends nothing
  (config/mail.py: counts only in the log); the console, locmem, dummy and file backends never
  deliver either. Citizens then get no receipt, agencies no notice, and nobody is reminded.
- hdnd.W002: PUBLIC_BASE_URL is empty. Receipts and QR codes then point at whatever Host the
  request came with, and the daily job's e-mails carry paths only.

Both are Warnings, not Errors (a sitting does not need mail): shown by
`manage.py check --deploy`, and by every Daphne worker when it starts (config/asgi.py logs
them through the "hdnd.deploy" logger, at WARNING, so they reach the worker's log).
"""

import logging

from django.conf import settings
from django.core import checks

TAG = "hdnd"

NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "config.mail.UnsentMailBackend",
}

log = logging.getLogger("hdnd.deploy")


@checks.register(TAG, deploy=True)
def mail_and_public_address(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    found = []
    if settings.EMAIL_BACKEND in NOT_DELIVERING:
        found.append(checks.Warning(
            f"No mail is delivered: EMAIL_BACKEND is {settings.EMAIL_BACKEND}. Citizens get no receipt, "
            "agencies no forwarded case, nobody a reminder.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS) in .env "
                 "(docs/deploy.md, \"Mail\").",
            id="hdnd.W001"))
    if not settings.PUBLIC_BASE_URL.strip():
        found.append(checks.Warning(
            "PUBLIC_BASE_URL is empty: receipts and QR codes point at the Host each request came with, "
            "and the daily job's e-mails carry paths without an address.",
            hint="Set PUBLIC_BASE_URL=https://<the public site> in .env (docs/deploy.md).",
            id="hdnd.W002"))
    return found


def warn_at_start():
    """Log this project's deployment warnings (a Daphne worker's start, config/asgi.py)."""
    messages = checks.run_checks(tags=[TAG], include_deployment_checks=True)
    for message in messages:
        log.warning("%s", message)
    return messages
