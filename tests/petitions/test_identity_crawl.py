"""The identity crawl (issue 8, item 8): a denouncer's identity reaches nobody but the guardian who
gives a purpose — after every state change, as every role, over every page, file, export, API and
e-mail the petitions module serves.

The denouncer, Hoàng Thị Kim Thoa, writes her name, ID number, phone and address into her letter
and her scans carry them too. Her denunciation is then driven through a refused and an allowed
reclassification, a redacted copy and a forward (e-mail and webhook), a second letter of hers
(a duplicate), the agency's answer and the publication. After each step (one test per step, the
steps before it driven again) every role GETs every
URL of petitions/urls.py (collected from the URL patterns, not a hand list: a new route fails
`test_the_crawl_covers_every_route` until it is crawled or excluded with a reason) and every
e-mail and webhook body so far is read, looking for her in any spelling.

Personas:
- anonymous — a citizen or a scraper, signed in as nobody;
- staff     — "donthu", petition officer WITHOUT the identity right (the attacker of the issue);
- guardian  — "baomat", petition officer holding petitions.view_denouncer_identity;
- desk      — "sotnmt", the desk of the agency the case is forwarded to; other_desk — "soyte";
- delegate  — alice (db010), a council delegate; secretary — thuky, office staff of the sittings.
"""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import URLPattern, URLResolver, reverse

from library.text import fold
from petitions import notify, services
from petitions import urls as petition_urls
from petitions.models import Agency, AgencyMember, Case, CaseFile, IdentityRead, Subscription, Transfer
from tests.petitions.test_export import _Hook, hook_server  # noqa: F401  (the webhook receiver)
from tests.secrecy import response_text as body_text

pytestmark = pytest.mark.django_db

THOA = {"full_name": "Hoàng Thị Kim Thoa", "id_number": "008190004321", "phone": "0936 112 358",
        "email": "kimthoa.hoang@example.vn", "address": "Số 17 ngõ Chùa Đông, phường Phan Thiết"}
LETTER = ("Tôi tên là Hoàng Thị Kim Thoa, CCCD số 008190004321, điện thoại 0936.112.358, ở Số 17 ngõ Chùa Đông, "
          "phường Phan Thiết. Tôi tố cáo ông Phó Chủ tịch UBND phường Phan Thiết nhận 50 triệu đồng của chủ thầu để "
          "nghiệm thu công trình kè suối Khuôn Lăn không đúng khối lượng.")
REDACTED = ("Người tố cáo (đã che thông tin) tố cáo ông Phó Chủ tịch UBND phường Phan Thiết nhận 50 triệu đồng của "
            "chủ thầu để nghiệm thu công trình kè suối Khuôn Lăn không đúng khối lượng.")
SUBJECT = "Tố cáo Phó Chủ tịch UBND phường nhận tiền khi nghiệm thu kè suối Khuôn Lăn"
ANSWER = "UBND tỉnh đã thành lập đoàn xác minh; kết luận nội dung tố cáo đúng một phần, đã xử lý kỷ luật."


def _perm(codename):
    return Permission.objects.get(codename=codename, content_type__app_label="petitions")


def png_with_text(text):
    """A scan whose bytes carry `text` (as a handwritten letter or an ID card carries a name)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("Comment", text)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG", pnginfo=info)
    out.seek(0)
    return out


# ---- finding her -------------------------------------------------------------------------------

DIGITS = [re.sub(r"\D", "", THOA["phone"])[-9:], THOA["id_number"]]


def _words(text):
    return " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "


def leaks(text: str) -> list[str]:
    """What of her `text` carries: name and address folded (any case, diacritics, spacing), e-mail,
    phone and ID number compared digit by digit after dropping every other character."""
    found = []
    words = _words(text)
    for key in ("full_name", "address"):
        if _words(THOA[key]) in words:
            found.append(key)
    if THOA["email"] in text.lower():
        found.append("email")
    digits = re.sub(r"\D", "", text)
    found += [key for key, value in zip(("phone", "id_number"), DIGITS) if value in digits]
    return found


# ---- the world -----------------------------------------------------------------------------------

@pytest.fixture
def world(users, settings, tmp_path, hook_server):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path / "media")
    User = get_user_model()
    staff = User.objects.create(username="donthu", first_name="Nguyễn Thị Hoa")
    staff.user_permissions.add(_perm("handle_cases"))
    guardian = User.objects.create(username="baomat", first_name="Trần Văn Bảo")
    guardian.user_permissions.add(_perm("handle_cases"), _perm("view_denouncer_identity"))
    province = Agency.objects.create(name="Thanh tra tỉnh", short_name="Thanh tra", kind=Agency.Kind.DEPARTMENT,
                                     channel=Agency.Channel.EMAIL, email="vanthu@thanhtra.example.vn")
    health = Agency.objects.create(name="Sở Y tế (thử)", short_name="Sở Y tế", kind=Agency.Kind.DEPARTMENT)
    desk = User.objects.create(username="sotnmt", first_name="Cán bộ Thanh tra")
    other_desk = User.objects.create(username="soyte", first_name="Cán bộ Sở Y tế")
    AgencyMember.objects.create(agency=province, user=desk)
    AgencyMember.objects.create(agency=health, user=other_desk)
    fresh = {u.username: User.objects.get(pk=u.pk) for u in (staff, guardian, desk, other_desk)}
    return {
        "roles": {"anonymous": None, "staff": fresh["donthu"], "guardian": fresh["baomat"], "desk": fresh["sotnmt"],
                  "other_desk": fresh["soyte"], "delegate": users["alice"], "secretary": users["secretary"]},
        "agency": province, "hook": hook_server,
    }


# ---- every URL ---------------------------------------------------------------------------------------

def route_names(patterns=None) -> set[str]:
    names = set()
    for entry in petition_urls.urlpatterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            names |= route_names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(entry.name)
    return names


# Routes that answer only a POST (every GET is a 405 or 404): the state changes the steps drive.
POST_ONLY = {"case_action": "decisions, driven through the steps", "agency_action": "the agency's acts, driven too",
             "reveal_identity": "the guardian's reveal, checked on its own below"}


def urls_of(name):
    """Every URL of route `name` over the current register."""
    cases = list(Case.objects.order_by("pk"))
    files = list(CaseFile.objects.order_by("pk"))
    transfers = list(Transfer.objects.order_by("pk"))
    codes = [c.tracking_code for c in cases]
    url = lambda *args: reverse(f"petitions:{name}", args=args)  # noqa: E731
    by_name = {
        "case": lambda: [url(c.pk) for c in cases],
        "case_file": lambda: [url(f.case_id, f.pk) for f in files],
        "agency_transfer": lambda: [url(t.pk) for t in transfers],
        "agency_file": lambda: [url(t.pk, f.pk) for t in transfers for f in files if f.case_id == t.case_id],
        "status": lambda: [url(c) for c in codes],
        "receipt": lambda: [url(c) for c in codes],
        "subscribe_confirm": lambda: [url(s.token) for s in Subscription.objects.all()],
        "unsubscribe": lambda: [url(s.token) for s in Subscription.objects.all()],
        "meeting": lambda: [],  # no voter-contact meeting in this world
        "report_session_pdf": lambda: [],  # a PDF's text is compressed; the XLSX of the same report is read
        "report_session_xlsx": lambda: [url(s.pk) for s in _sessions()],
        # The office's compilation of a session's voters' petitions, and its Front summary file (none here: 404).
        "voter_session": lambda: [url(s.pk) for s in _sessions()],
        "voter_front_file": lambda: [url(s.pk) for s in _sessions()],
        "open311_service": lambda: [url(code, "json") for code in ("petition", "feedback")],
        "open311_request": lambda: [url(c, fmt) for c in codes for fmt in ("json", "xml")],
        "open311_discovery": lambda: [url("json")],
        "open311_services": lambda: [url("json")],
        "open311_requests": lambda: [url(fmt) + q for fmt in ("json", "xml")
                                     for q in ("", "?service_request_id=" + ",".join(codes))],
        # Searches by words of the case (a search by her name would echo the searcher's own words: the
        # register's search by a denouncer's name is tested in test_denouncer_protection).
        "register": lambda: [url() + q for q in ("", "?q=Khuon+Lan", "?kind=feedback")],
        "answers": lambda: [url() + q for q in ("", "?q=Khuon+Lan")],
        "agency_desk": lambda: [url() + q for q in ("", "?tab=all")],
    }
    if name in POST_ONLY:
        return []
    return by_name[name]() if name in by_name else [url()]


def _sessions():
    from meeting.models import Session

    return Session.objects.all()[:1]


def crawl(client, world, step):
    """GET every URL as every role; returns the findings (empty when nothing leaked)."""
    findings = []
    for role, user in world["roles"].items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name in sorted(route_names()):
            for url in urls_of(name):
                response = client.get(url, follow=True)
                assert response.status_code < 500, (step, role, url)
                found = leaks(body_text(response))
                if found:
                    findings.append((step, role, url, found))
    for message in mail.outbox:
        found = leaks(f"{message.subject}\n{message.body}")
        if message.to != [THOA["email"]]:
            found += ["email"] if THOA["email"] in " ".join(message.to + message.cc + message.bcc).lower() else []
        if found:
            findings.append((step, "mail", message.subject, found))
    for _headers, body in _Hook.received:
        found = leaks(body.decode("utf-8"))
        if found:
            findings.append((step, "webhook", json.loads(body)["event"], found))
    return findings


# ---- the tests ---------------------------------------------------------------------------------------

def test_the_crawl_covers_every_route(world):
    names = route_names()
    assert "case" in names and "open311_request" in names and "agency_file" in names
    for name in names:
        urls_of(name)  # every route has a generator (or a reason in POST_ONLY): a new one fails here


STEPS = ("received", "reclassified", "forwarded", "second letter", "duplicate", "answered", "published")


def drive(client, world, until, capture):
    """Her denunciation through the steps, up to `until` (each step's refusals checked on the way)."""
    roles, agency = world["roles"], world["agency"]
    staff, guardian, desk = roles["staff"], roles["guardian"], roles["desk"]
    with capture(execute=True):
        case = services.submit(None, kind="denunciation", source="web", subject=SUBJECT, content=LETTER,
                               identity=dict(THOA), district="Thành phố Tuyên Quang",
                               files=[(png_with_text(f"Đơn viết tay của {THOA['full_name']}"), "don-viet-tay.png", True),
                                      (png_with_text(f"Biên lai, người nộp ĐT {THOA['phone']}"), "bien-lai.png", False)])
        services.subscribe(case, THOA["email"])
    services.confirm_subscription(Subscription.objects.get().token)
    if until == "received":
        return

    # Reclassify: refused without the right; the guardian does it, with a reason (it may go public as feedback).
    with pytest.raises(services.PetitionError) as refused:
        services.classify(staff, case, kind="feedback", kind_reason="Chỉ là phản ánh")
    assert refused.value.code == "needs_identity_right"
    with capture(execute=True):
        services.classify(guardian, case, kind="feedback", kind_reason="Nội dung là phản ánh về công trình")
    if until == "reclassified":
        return

    # Forward: only once the office prepared the redacted copy; e-mail, then the webhook (as the retry job would).
    with pytest.raises(services.PetitionError) as refused:
        services.decide(staff, case, decision="forward", agency=agency)
    assert refused.value.code == "redaction_required"
    with capture(execute=True):
        services.prepare_redacted_copy(guardian, case, subject=SUBJECT, content=REDACTED,
                                       files=[(png_with_text("Biên lai đã che"), "bien-lai-da-che.png")])
        services.decide(staff, case, decision="forward", agency=agency, note="Đề nghị xác minh; giữ bí mật người tố cáo.")
    transfer = case.transfers.get()
    Agency.objects.filter(pk=agency.pk).update(channel=Agency.Channel.API, webhook_url=world["hook"])
    assert notify.notify_agency(transfer) is True
    assert any("Khuôn Lăn" in m.body for m in mail.outbox) and _Hook.received
    if until == "forwarded":
        return

    # Her second letter, entered at the reception desk by the officer without the right.
    client.force_login(staff)
    with capture(execute=True):
        response = client.post(reverse("petitions:reception"), {
            "source": "reception", "kind": "petition", "subject": "Đề nghị kiểm tra công trình kè suối Khuôn Lăn",
            "content": "Kè suối Khuôn Lăn mới làm đã sạt một đoạn, đề nghị kiểm tra chất lượng công trình.",
            "full_name": "HOANG THI KIM THOA", "phone": "+84 936 112 358"})
    assert response.status_code == 302
    second = Case.objects.get(kind="petition")
    page = client.get(reverse("petitions:case", args=[second.pk]) + "?new=1").content.decode()
    assert case.tracking_code not in page and "Có thể trùng đơn" in page
    if until == "second letter":
        return
    with pytest.raises(services.PetitionError):
        services.mark_duplicate(staff, second, case)
    with capture(execute=True):
        services.mark_duplicate(guardian, second, case, note="Cùng người gửi, cùng công trình.")
    if until == "duplicate":
        return

    # The agency answers; the office approves and publishes.
    with capture(execute=True):
        services.acknowledge(desk, transfer)
        reply = services.answer(desk, transfer, ANSWER)
    if until == "answered":
        return
    with capture(execute=True):
        services.review_answer(staff, reply, approve=True)
        services.publish_answer(staff, case)


@pytest.mark.parametrize("step", STEPS)
def test_her_identity_reaches_nobody_after_the_step(client, world, django_capture_on_commit_callbacks, step):
    mail.outbox.clear()
    drive(client, world, step, django_capture_on_commit_callbacks)
    assert crawl(client, world, step) == []
    assert not IdentityRead.objects.exists()  # nobody read her identity by crawling


def test_only_the_guardian_with_a_purpose_sees_her_and_the_read_is_logged(client, world):
    roles = world["roles"]
    case = services.submit(None, kind="denunciation", source="web", subject=SUBJECT, content=LETTER,
                           identity=dict(THOA), files=[(png_with_text(THOA["full_name"]), "don-viet-tay.png", True)])
    services.classify(roles["guardian"], case, kind="petition", kind_reason="Nội dung là kiến nghị")
    url = reverse("petitions:reveal_identity", args=[case.pk])
    scan = case.files.get()
    for role in ("staff", "desk", "delegate", "secretary"):
        client.force_login(roles[role])
        for target in (url, reverse("petitions:case_file", args=[case.pk, scan.pk])):
            response = client.post(target, {"purpose": "Tò mò"})
            assert response.status_code in (403, 404) and not leaks(body_text(response)), (role, target)
    client.logout()
    response = client.post(url, {"purpose": "Tò mò"})
    assert response.status_code in (302, 403) and not leaks(body_text(response))
    assert not IdentityRead.objects.exists()
    client.force_login(roles["guardian"])
    page = body_text(client.post(url, {"purpose": "Thông báo thụ lý cho người tố cáo"}))
    assert {"full_name", "phone", "id_number", "email", "address"} <= set(leaks(page))
    read = IdentityRead.objects.get()
    assert read.user == roles["guardian"] and read.case == case and read.purpose == "Thông báo thụ lý cho người tố cáo"
