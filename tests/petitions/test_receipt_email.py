"""The citizen's confirmation: an email with the tracking code once the letter is in the register."""

import pytest
from django.core import mail

from .service_fixtures import WHO, letter, media_folder, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_a_letter_with_an_email_gets_its_tracking_code_by_email_after_commit(people, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_BASE_URL = "https://hdnd.example.gov.vn"
    with django_capture_on_commit_callbacks(execute=True):
        case = letter(identity={**WHO, "email": "cong.dan@example.vn"})
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["cong.dan@example.vn"] and case.tracking_code in sent.subject
    assert f"https://hdnd.example.gov.vn/public/letters/{case.tracking_code}/" in sent.body


def test_no_email_no_receipt_and_an_anonymous_denunciation_sends_nothing(people, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        letter(identity={**WHO, "email": "", "phone": "0912345678"})
        letter(kind="denunciation", anonymous=True, subject="Tố cáo cán bộ xã nhận tiền",
               content="Cán bộ địa chính xã nhận tiền của người dân khi làm thủ tục cấp giấy chứng nhận.")
    assert mail.outbox == []
