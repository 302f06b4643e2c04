"""The receipt's link, its QR code and the citizen's e-mails carry the site's public address
(PUBLIC_BASE_URL), or the host the citizen's request came to when it is not set — never a fixed host and
port (issue 12, item 7: the old default sent citizens to http://127.0.0.1:8000).

Persona: a citizen (the Django test client) on the council's public site, hdnd.tuyenquang.gov.vn."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from petitions.models import Case

from .service_fixtures import WHO, media_folder, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FORM = {"kind": "petition", "subject": "Đề nghị sửa đường liên thôn bị sạt lở",
        "content": "Đoạn đường liên thôn từ thôn 3 đi thôn 5 bị sạt lở sau mưa lũ, đề nghị sửa chữa sớm.",
        "commune": "Xã Yên Sơn", "full_name": WHO["full_name"], "phone": WHO["phone"], "email": WHO["email"],
        "consent": "on"}
HOST = "hdnd.tuyenquang.gov.vn"


@pytest.fixture
def public_site(settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def _submit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:submit"), FORM, HTTP_HOST=HOST, secure=True)
    assert response.status_code == 302
    case = Case.objects.get()
    receipt = client.get(response["Location"], HTTP_HOST=HOST, secure=True).content.decode()
    return case, receipt


def test_without_the_setting_the_receipt_and_email_use_the_host_the_citizen_came_to(
        client, people, public_site, django_capture_on_commit_callbacks):
    public_site.PUBLIC_BASE_URL = ""
    case, receipt = _submit(client, django_capture_on_commit_callbacks)
    status = f"https://{HOST}/public/letters/{case.tracking_code}/"
    assert status in receipt and "127.0.0.1" not in receipt and ":8000" not in receipt
    [sent] = mail.outbox
    assert status in sent.body and "127.0.0.1" not in sent.body


def test_the_setting_wins_over_the_request_host(client, people, public_site, django_capture_on_commit_callbacks):
    public_site.PUBLIC_BASE_URL = "https://hdnd.example.gov.vn/"
    case, receipt = _submit(client, django_capture_on_commit_callbacks)
    assert f"https://hdnd.example.gov.vn/public/letters/{case.tracking_code}/" in receipt
    assert f"https://hdnd.example.gov.vn/public/letters/{case.tracking_code}/" in mail.outbox[0].body


def test_the_subscription_link_uses_the_host_the_citizen_came_to(client, people, public_site,
                                                                  django_capture_on_commit_callbacks):
    public_site.PUBLIC_BASE_URL = ""
    case, _receipt = _submit(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("petitions:status", args=[case.tracking_code]), {"email": "theo.doi@example.vn"},
                    HTTP_HOST=HOST, secure=True)
    [sent] = mail.outbox
    assert re.search(rf"https://{re.escape(HOST)}/public/letters/subscribe/[^/\s]+/", sent.body)
