"""Mail backends of our own.

UnsentMailBackend is the production default when no mail server is configured
(config/env.py: mail_backend). Django's console backend would print every
message into the server's log, and a citizen's receipt carries the tracking code
(enough to read the letter's progress) and the citizen's e-mail address. This
backend sends nothing and logs only how many messages and recipients were not
sent, never an address, a subject or a body.
"""

import logging
import smtplib

from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger(__name__)


class NoMailServer(smtplib.SMTPException):
    """No mail server is configured. An OSError, like every SMTP failure, so callers that
    record a failed notification and retry it later treat it the same way."""


class UnsentMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        messages = list(email_messages or [])
        if not messages:
            return 0
        if not self.fail_silently:
            raise NoMailServer("mail not sent: no mail server is configured (set EMAIL_HOST or EMAIL_BACKEND)")
        recipients = sum(len(m.recipients()) for m in messages)
        log.warning("%d mail message(s) to %d recipient(s) not sent: no mail server is configured "
                    "(set EMAIL_HOST or EMAIL_BACKEND)", len(messages), recipients)
        return 0
