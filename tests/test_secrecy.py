"""The secret hunt (tests/secrecy.py) finds a value wherever it is kept, and a denouncer's identity
is kept in one table only (docs/secrecy.md).

The hunt is first shown not to be blind: a marker announced in a sitting is found in the sitting's
row, the event log, the audit log, the application log, a stored file, and the pages of the
public, the staff and the admin. Then a denunciation filed through the public form, and driven by
an officer without the identity right and by an administrator who holds every right but that one,
leaves the denouncer's name, phone and ID number in `petitions.Identity` alone.
"""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client

from meeting import services as meeting
from tests.secrecy import SecretHunt, contains

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_hunt_sees_through_escapes_case_and_composition():
    assert contains("&lt;b&gt;Nguyễn&nbsp;Văn Tố", "NGUYỄN")
    assert contains('{"name": "Nguy\\u1ec5n V\\u0103n T\\u1ed1"}', "Nguyễn Văn Tố")
    decomposed = "Nguye\u0302\u0303n"  # the same name, its accents as combining marks
    assert contains(decomposed, "Nguyễn")
    assert not contains("Nguyen Van To", "Nguyễn Văn Tố")


def test_the_hunt_finds_a_marker_in_every_kind_of_store(sitting, actors, users, settings, tmp_path):
    from petitions import services
    from tests.petitions.test_identity_crawl import png_with_text

    settings.MEDIA_ROOT = str(tmp_path)
    marker = "Dấu-vết-7Q3Z-bí-mật"
    meeting.open_sitting(actors["chair"], sitting.pk)
    with SecretHunt() as hunt:
        meeting.announce(actors["chair"], sitting.pk, f"Thông báo {marker}")
        logging.getLogger("tests.secrecy").debug("a debug line with %s", marker)
        services.submit(None, kind="petition", source="web", subject="Kiến nghị sửa đường liên xã",
                        content="Đường liên xã xuống cấp.", identity={"full_name": "Người Gửi Thử", "phone": "0912000111"},
                        files=[(png_with_text(marker), "anh.png", False)])
    admin = get_user_model().objects.create_superuser("quantri-thu", password="x")
    # Hunted along with the marker in the same crawl, a value kept nowhere is found nowhere.
    nowhere = "nowhere-4F1X"
    found = hunt.find(marker, nowhere, clients={"public": Client(), "secretary": signed_in(users["secretary"]),
                                                "admin": signed_in(admin)})
    assert [p for p in found if p.endswith(f" [{nowhere}]")] == [], found
    places = [p.removesuffix(f" [{marker}]") for p in found]
    assert len(places) == len(found), found
    stores = {p.split("#")[0] if p.startswith(("table", "file")) else " ".join(p.split(" ")[:2]) for p in places}
    # The public and the console pages draw the sitting from the hub's snapshot, not from HTML: only
    # the admin serves the announcement as a page.
    assert {"table meeting.Sitting", "table realtime.SittingEvent", "table audit.AuditRecord",
            "file petitions.CaseFile", "log tests.secrecy:DEBUG", "page admin"} <= stores, places
    assert any(p.startswith("page admin /admin/meeting/sitting/") for p in places), places


IDENTITY = {"full_name": "Lò Thị Bích Ngọc Thử", "phone": "0915 246 813", "id_number": "008191007531",
            "email": "bichngoc.lo@example.vn", "address": "Bản Nà Hang 4, xã Thượng Lâm"}


@pytest.fixture
def denunciation(users):
    from petitions import services

    with SecretHunt() as hunt:
        case = services.submit(None, kind="denunciation", source="web",
                               subject="Tố cáo cán bộ xã thu tiền cấp giấy trái quy định",
                               content="Cán bộ địa chính xã thu 5 triệu đồng mỗi hồ sơ cấp giấy chứng nhận.",
                               identity=dict(IDENTITY), commune="Xã Thượng Lâm")
    return case, hunt


def test_a_denouncers_identity_is_kept_in_its_own_table_alone(denunciation, users):
    case, hunt = denunciation
    User = get_user_model()
    officer = User.objects.create(username="donthu-thu", is_staff=True)
    officer.user_permissions.add(Permission.objects.get(codename="handle_cases", content_type__app_label="petitions"))
    # An administrator with every permission of every app, but the one that reveals a denouncer.
    administrator = User.objects.create(username="quantri-khong-bao-mat", is_staff=True)
    administrator.user_permissions.set(Permission.objects.exclude(codename="view_denouncer_identity"))
    clients = {"public": Client(), "officer": signed_in(officer), "administrator": signed_in(administrator),
               "secretary": signed_in(users["secretary"])}
    her = [IDENTITY[key] for key in ("full_name", "id_number", "email", "address")]
    # One crawl hunts her identity and, to show it is not blind, the case's subject: found where
    # the officer works on the case, the crawl did read the pages that would show her.
    places = hunt.find(*her, case.subject, clients=clients, allowed={"petitions.Identity"})
    subject = f" [{case.subject}]"
    assert [p for p in places if not p.endswith(subject)] == []
    assert any(p.startswith("page officer /petitions/") for p in places), places
    assert hunt.find(IDENTITY["full_name"])[0].startswith("table petitions.Identity#")


def test_a_password_typed_at_sign_in_right_or_wrong_is_kept_nowhere(users):
    from meeting.demo import DEMO_PASSWORD

    wrong = "Sai-mat-khau-9K2W"
    with SecretHunt() as hunt:
        browser = Client()
        browser.post("/accounts/login/", {"username": users["alice"].username, "password": wrong})
        assert browser.post("/accounts/login/", {"username": users["alice"].username,
                                                 "password": DEMO_PASSWORD}).status_code == 302
    assert hunt.find(wrong, DEMO_PASSWORD, clients={"alice": browser}) == []
