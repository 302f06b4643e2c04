"""Two levels of local government since 1/7/2025 (issue 12, item 2): central / province / commune (xã,
phường, đặc khu); no district for new data, kept read-only on older records; statistics by the new levels.

Personas: a citizen (the Django test client), staff (donthu) and the admin (a superuser) from
service_fixtures and the demo council."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from petitions import reports, services
from petitions.models import AGENCY_LEVELS, Agency, Case, Level

from .service_fixtures import letter, media_folder, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_levels_are_central_province_and_commune():
    assert Case.Level.values == ["central", "province", "commune"]
    assert str(Case.Level.COMMUNE.label) == "Xã, phường, đặc khu"
    assert "district" not in Agency.Kind.values


def test_the_public_form_asks_for_the_commune_not_the_district(client, people):
    page = client.get(reverse("petitions:submit")).content.decode()
    assert "Xã/phường/đặc khu" in page and 'name="commune"' in page
    assert 'name="district"' not in page and "Huyện" not in page


def test_a_voter_meeting_needs_its_commune_and_no_district(people, users, sitting):
    group = users["alice"].member.delegate_group
    with pytest.raises(services.PetitionError) as refused:
        services.record_voter_meeting(people["staff"], held_on=timezone.localdate(), place="Nhà văn hóa thôn 2",
                                      commune="", delegate_group=group, session=sitting.session, when="before")
    assert (refused.value.code, refused.value.field) == ("invalid", "commune")
    meeting = services.record_voter_meeting(people["staff"], held_on=timezone.localdate(), place="Nhà văn hóa thôn 2",
                                            commune="Xã Yên Sơn", delegate_group=group, session=sitting.session,
                                            when="before",
                                            petitions=[{"subject": "Lịch thu gom rác thải", "level": "commune"}])
    assert (meeting.commune, meeting.district) == ("Xã Yên Sơn", "")
    with pytest.raises(services.PetitionError) as refused:
        services.record_voter_meeting(people["staff"], held_on=timezone.localdate(), place="Nhà văn hóa thôn 2",
                                      commune="Xã Yên Sơn", delegate_group=group, session=sitting.session, when="before",
                                      petitions=[{"subject": "Lịch thu gom rác thải", "level": "district"}])
    assert refused.value.code == "invalid"


def test_an_older_letter_keeps_its_district_read_only(client, people):
    # A letter imported from the register of before 1/7/2025 (services.submit's `district`).
    case = letter(commune="Phường Minh Xuân", district="Thành phố Tuyên Quang")
    client.force_login(people["staff"])
    page = client.get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Phường Minh Xuân, Thành phố Tuyên Quang" in page
    assert 'name="district"' not in page and 'name="commune"' in page  # the classify form: the commune only
    services.classify(people["staff"], case, commune="Phường Mỹ Lâm")
    case.refresh_from_db()
    assert (case.commune, case.district) == ("Phường Mỹ Lâm", "Thành phố Tuyên Quang")


def test_the_admin_offers_no_district_level_and_keeps_an_old_one_read_only(client, people):
    admin = get_user_model().objects.create_superuser("quantri", password="x")
    client.force_login(admin)
    page = client.get(reverse("admin:petitions_agency_add")).content.decode()
    assert 'value="commune"' in page and 'value="district"' not in page
    old = Agency.objects.create(name="Ủy ban nhân dân huyện Yên Sơn", kind=Agency.Kind.PEOPLES_COMMITTEE, level="district")
    page = client.get(reverse("admin:petitions_agency_change", args=[old.pk])).content.decode()
    assert 'name="level"' not in page and "Cấp huyện (trước 1/7/2025)" in page


def test_statistics_by_level(people):
    # Hand-counted: two letters at a provincial department (Sở TN&MT of the fixtures, level province), one at
    # a commune People's Committee, one at a district body of before 1/7/2025, one not yet forwarded.
    commune_pc = Agency.objects.create(name="Ủy ban nhân dân xã Yên Sơn", kind=Agency.Kind.PEOPLES_COMMITTEE,
                                       level=Level.COMMUNE)
    old_district = Agency.objects.create(name="Ủy ban nhân dân huyện Yên Sơn", kind=Agency.Kind.PEOPLES_COMMITTEE,
                                         level="district")
    for i, agency in enumerate([people["env"], people["env"], commune_pc, old_district]):
        services.decide(people["staff"], letter(subject=f"Đề nghị sửa đường liên thôn số {i}"), decision="forward",
                        agency=agency)
    letter(subject="Đề nghị chưa chuyển")
    rows = reports.statistics()["per_level"]
    assert [(row["key"], row["received"]) for row in rows] == [("province", 2), ("commune", 1), ("district", 1), ("", 1)]
    assert [row["name"] for row in rows] == ["Tỉnh", "Xã, phường, đặc khu", str(dict(AGENCY_LEVELS)["district"]),
                                             "Chưa xác định cấp"]


def test_the_demo_is_the_merged_tuyen_quang_of_2026(sitting, media_folder):  # noqa: F811
    from meeting.models import Body
    from petitions import localities
    from petitions.demo import load_demo_petitions
    from petitions.models import VoterMeeting

    load_demo_petitions(sitting.session)
    assert not Case.objects.exclude(district="").exists() and not VoterMeeting.objects.exclude(district="").exists()
    communes = set(Case.objects.exclude(commune="").values_list("commune", flat=True))
    assert communes and communes <= set(localities.UNITS)
    assert "Xã Mèo Vạc" in communes  # the former Hà Giang is part of the province
    assert set(Agency.objects.values_list("level", flat=True)) <= set(Level.values)
    names = " ".join(Agency.objects.values_list("name", flat=True)) + " ".join(
        Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP).values_list("name", flat=True))
    for gone in ("Sở Tài nguyên và Môi trường", "Sở Giao thông vận tải", "Sở Kế hoạch và Đầu tư", "huyện", "Huyện"):
        assert gone not in names
    assert "Sở Nông nghiệp và Môi trường" in names and "Ủy ban nhân dân xã Yên Sơn" in names
    assert len(localities.WARDS) == 7 and len(localities.COMMUNES) == 117 and len(set(localities.UNITS)) == 124
