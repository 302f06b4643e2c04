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


MARKER = "Dấu-vết-7Q3Z-bí-mật"
NOWHERE = "nowhere-4F1X"  # a value kept nowhere: found nowhere
IDENTITY = {"full_name": "Lò Thị Bích Ngọc Thử", "phone": "0915 246 813", "id_number": "008191007531",
            "email": "bichngoc.lo@example.vn", "address": "Bản Nà Hang 4, xã Thượng Lâm"}
HER = [IDENTITY[key] for key in ("full_name", "id_number", "email", "address")]
SUBJECT = "Tố cáo cán bộ xã thu tiền cấp giấy trái quy định"


@pytest.fixture(scope="module")
def one_hunt(django_db_setup, django_db_blocker, tmp_path_factory):
    """The two hunts below, over one world and one crawl: a crawl of the admin costs some 7 s, and
    each test crawled it once. The world holds both: a marker announced in the open demo sitting,
    logged and carried by a letter's scan, and a denunciation filed through the public form. The
    crawl's clients are the denouncer test's (the public, the officer without the identity right,
    the administrator with every right but that one, the secretary); the marker is hunted through
    the same pages, the administrator's admin standing for the superuser's that the marker test
    crawled before (the same admin pages, less the denouncers' identities, which hold no marker).
    Built in a transaction rolled back before the tests read the findings (plain lists), as the
    `db` fixture would roll it back."""
    from django.db import transaction
    from django.test import override_settings

    from accounts.permissions import actor_for
    from petitions import services
    from tests.conftest import SMALL_COUNCIL
    from tests.demo_copy import demo_copies
    from tests.petitions.test_identity_crawl import png_with_text

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))), \
            transaction.atomic():
        sitting = demo_copies.load(SMALL_COUNCIL)
        chair = actor_for(sitting, user=sitting.chair)
        meeting.open_sitting(chair, sitting.pk)
        with SecretHunt() as hunt:
            meeting.announce(chair, sitting.pk, f"Thông báo {MARKER}")
            logging.getLogger("tests.secrecy").debug("a debug line with %s", MARKER)
            services.submit(None, kind="petition", source="web", subject="Kiến nghị sửa đường liên xã",
                            content="Đường liên xã xuống cấp.",
                            identity={"full_name": "Người Gửi Thử", "phone": "0912000111"},
                            files=[(png_with_text(MARKER), "anh.png", False)])
            services.submit(None, kind="denunciation", source="web", subject=SUBJECT,
                            content="Cán bộ địa chính xã thu 5 triệu đồng mỗi hồ sơ cấp giấy chứng nhận.",
                            identity=dict(IDENTITY), commune="Xã Thượng Lâm")
        User = get_user_model()
        officer = User.objects.create(username="donthu-thu", is_staff=True)
        officer.user_permissions.add(Permission.objects.get(codename="handle_cases", content_type__app_label="petitions"))
        # An administrator with every permission of every app, but the one that reveals a denouncer.
        administrator = User.objects.create(username="quantri-khong-bao-mat", is_staff=True)
        administrator.user_permissions.set(Permission.objects.exclude(codename="view_denouncer_identity"))
        clients = {"public": Client(), "officer": signed_in(officer), "administrator": signed_in(administrator),
                   "secretary": signed_in(sitting.secretary)}
        found = hunt.find(MARKER, NOWHERE, *HER, SUBJECT, clients=clients, allowed={"petitions.Identity"})
        her_name_at = hunt.find(IDENTITY["full_name"])
        transaction.set_rollback(True)

    def of(*secrets):
        return [p.removesuffix(f" [{s}]") for p in found for s in secrets if p.endswith(f" [{s}]")]

    assert len(found) == len(of(MARKER, NOWHERE, *HER, SUBJECT)), found  # every place says what it found
    return {"found": found, "marker": of(MARKER), "nowhere": of(NOWHERE), "her": of(*HER), "subject": of(SUBJECT),
            "her_name_at": her_name_at}


def test_the_hunt_finds_a_marker_in_every_kind_of_store(one_hunt):
    # Hunted along with the marker in the same crawl, a value kept nowhere is found nowhere.
    assert one_hunt["nowhere"] == [], one_hunt["found"]
    places = one_hunt["marker"]
    stores = {p.split("#")[0] if p.startswith(("table", "file")) else " ".join(p.split(" ")[:2]) for p in places}
    # The public and the console pages draw the sitting from the hub's snapshot, not from HTML: only
    # the admin serves the announcement as a page.
    assert {"table meeting.Sitting", "table realtime.SittingEvent", "table audit.AuditRecord",
            "file petitions.CaseFile", "log tests.secrecy:DEBUG", "page administrator"} <= stores, places
    assert any(p.startswith("page administrator /admin/meeting/sitting/") for p in places), places


def test_a_denouncers_identity_is_kept_in_its_own_table_alone(one_hunt):
    # Nowhere but petitions.Identity (allowed): no table, file, log line or page of the public, the
    # officer without the identity right, the administrator with every right but that one, the secretary.
    assert one_hunt["her"] == [], one_hunt["found"]
    # Not blind: the same crawl hunted the case's subject, found where the officer works on the case,
    # so it did read the pages that would show her.
    assert any(p.startswith("page officer /petitions/") for p in one_hunt["subject"]), one_hunt["subject"]
    assert one_hunt["her_name_at"][0].startswith("table petitions.Identity#")


def test_a_password_typed_at_sign_in_right_or_wrong_is_kept_nowhere(users):
    from meeting.demo import DEMO_PASSWORD

    wrong = "Sai-mat-khau-9K2W"
    with SecretHunt() as hunt:
        browser = Client()
        browser.post("/accounts/login/", {"username": users["alice"].username, "password": wrong})
        assert browser.post("/accounts/login/", {"username": users["alice"].username,
                                                 "password": DEMO_PASSWORD}).status_code == 302
    assert hunt.find(wrong, DEMO_PASSWORD, clients={"alice": browser}) == []
