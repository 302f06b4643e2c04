"""The JSON export of published cases (api/cases.json) and the agency notification (email, signed webhook).

Personas: an open-data client (anonymous), staff (petition staff: forwards,
reviews, publishes), desk (Sở TN&MT: answers).
"""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditRecord
from petitions import notify, services
from petitions.models import Agency, Transfer
from tests.petitions.service_fixtures import WHO, letter, media_folder, people, redact  # noqa: F401 (fixtures)

ANSWER = "Sở TN&MT đã kiểm tra, yêu cầu cơ sở chế biến dừng xả thải ra suối Nậm Mu."


def published(people, **kw):
    staff = people["staff"]
    case = services.decide(staff, letter(**kw), decision="forward", agency=people["env"])
    reply = services.answer(people["desk"], case.transfers.get(), ANSWER)
    services.review_answer(staff, reply, approve=True)
    return services.publish_answer(staff, case)


def test_export_lists_published_cases_with_milestones_and_answer(client, people):
    case = published(people, field=people["land"], district="Huyện Lâm Bình")
    letter(subject="Chưa công khai: đề nghị sửa cầu treo thôn Bản Pài")  # not published: not exported
    response = client.get(reverse("petitions:api_cases"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content.decode("utf-8"))
    assert data["count"] == 1 and data["next"] is None
    [row] = data["results"]
    assert row["tracking_code"] == case.tracking_code and row["kind"] == "petition"
    assert row["field"] == {"code": "dat-dai", "name": "Đất đai"} and row["district"] == "Huyện Lâm Bình"
    assert row["received_at"].endswith("+07:00")
    assert [m["kind"] for m in row["milestones"]][:2] == ["received", "forwarded"]
    assert row["answers"][0]["text"] == ANSWER and row["answers"][0]["agency"] == "Sở Tài nguyên và Môi trường"
    text = response.content.decode("utf-8")
    for private in (WHO["full_name"], WHO["phone"], WHO["email"], WHO["address"]):
        assert private not in text


def test_export_pages_with_next_links(client, people):
    codes = {published(people).tracking_code for _ in range(3)}
    first = client.get(reverse("petitions:api_cases"), {"page_size": 2}).json()
    assert first["count"] == 3 and first["pages"] == 2 and len(first["results"]) == 2
    second = client.get(first["next"]).json()
    assert second["next"] is None and second["previous"]
    assert {r["tracking_code"] for r in first["results"] + second["results"]} == codes
    assert client.get(reverse("petitions:api_cases"), {"page": 9}).status_code == 404


def test_export_never_has_complaints_or_denunciations(client, people):
    published(people, kind="complaint", subject="Khiếu nại quyết định thu hồi đất số 12")
    assert client.get(reverse("petitions:api_cases")).json()["count"] == 0


def test_export_filters(client, people):
    published(people, field=people["land"], district="Huyện Lâm Bình")
    published(people, kind="feedback", field=people["health"], district="Huyện Na Hang")
    url = reverse("petitions:api_cases")
    assert client.get(url, {"kind": "feedback"}).json()["count"] == 1
    assert client.get(url, {"field": "dat-dai"}).json()["count"] == 1
    assert client.get(url, {"district": "Huyện Na Hang"}).json()["results"][0]["kind"] == "feedback"
    assert client.get(url, {"since": "hôm qua"}).status_code == 400


# ---- notifying the agency ---------------------------------------------------------------------------

def forward(people, agency, **kw):
    case = letter(**kw)
    if case.kind == "denunciation":
        redact(people, case)  # agencies read a denunciation only as the office's redacted copy
    case = services.decide(people["staff"], case, decision="forward", agency=agency)
    return Transfer.objects.get(case=case)


@pytest.mark.django_db(transaction=True)
def test_email_agency_gets_the_case_never_the_sender(people):
    env = people["env"]
    Agency.objects.filter(pk=env.pk).update(channel="email", email="vanthu@stnmt.example.vn")
    mail.outbox.clear()
    transfer = forward(people, env, kind="denunciation", subject="Tố cáo cán bộ địa chính xã nhận tiền",
                       content="Cán bộ địa chính xã Tràng Đà nhận tiền để hợp thức hóa đất lấn chiếm.")
    # Sent after commit by decide(forward); the citizen's own receipt goes to the citizen only.
    [message] = [m for m in mail.outbox if m.to != [WHO["email"]]]
    assert message.to == ["vanthu@stnmt.example.vn"] and transfer.case.tracking_code in message.subject
    assert "hợp thức hóa đất lấn chiếm" in message.body
    for private in (WHO["full_name"], WHO["phone"], WHO["email"], "Thôn 5"):
        assert private not in message.body
    assert AuditRecord.objects.filter(action="petitions.notify", outcome="ok", detail__transfer=transfer.pk).exists()


class _Hook(BaseHTTPRequestHandler):
    received = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((dict(self.headers), body))
        self.send_response(_Hook.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received, _Hook.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def test_webhook_is_signed_and_carries_no_identity(people, hook_server):
    env = people["env"]
    Agency.objects.filter(pk=env.pk).update(channel="api", webhook_url=hook_server)
    transfer = forward(people, env)
    assert notify.notify_agency(transfer) is True
    headers, body = _Hook.received[-1]
    data = json.loads(body)
    assert data["event"] == "case.forwarded" and data["case"]["tracking_code"] == transfer.case.tracking_code
    key = notify.webhook_key(env).encode()
    expected = hmac.new(key, headers["X-Petitions-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Petitions-Signature"] == "sha256=" + expected
    for private in (WHO["full_name"], WHO["phone"], WHO["email"]):
        assert private not in body.decode("utf-8")
    assert AuditRecord.objects.filter(action="petitions.notify", outcome="ok", detail__transfer=transfer.pk).exists()


def test_failed_webhook_is_audited_and_retried(people, hook_server):
    env = people["env"]
    Agency.objects.filter(pk=env.pk).update(channel="api", webhook_url=hook_server)
    transfer = forward(people, env)
    _Hook.status = 500
    assert notify.notify_agency(transfer) is False
    assert AuditRecord.objects.filter(action="petitions.notify", outcome="failed", detail__transfer=transfer.pk).exists()
    assert list(notify.failed_transfers()) == [transfer]
    _Hook.status = 200
    assert notify.retry_failed() == (1, 0)
    assert list(notify.failed_transfers()) == []


def test_desk_agencies_get_nothing_sent(people):
    transfer = forward(people, people["env"])
    assert notify.notify_agency(transfer) is None


def test_the_daily_job_sends_a_failed_agency_notification_again(people, hook_server):
    from petitions.tasks import run_daily

    env = people["env"]
    Agency.objects.filter(pk=env.pk).update(channel="api", webhook_url=hook_server)
    transfer = forward(people, env)
    _Hook.status = 500
    assert notify.notify_agency(transfer) is False
    assert run_daily()["still_failing"] == 1
    _Hook.status = 200
    assert run_daily()["renotified"] == 1
    assert list(notify.failed_transfers()) == []
