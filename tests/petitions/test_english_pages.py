"""A letter's timeline and its field on the English side (issue 11, item 7).

Personas: a citizen reading the status page in English (the language cookie), the petition
officer (donthu) working the case in Vietnamese. A step of the timeline is written once, in
whatever language its writer reads, and shown to each reader in theirs: its message and its
arguments are kept untranslated (Milestone.params), a choice of the case (its source, its kind)
translated as the page is drawn, a field by its English name (Field.name_en).
"""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from petitions import services
from petitions.models import Milestone

from .service_fixtures import letter, media_folder, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people):
    people["land"].name_en = "Land"
    people["land"].save()
    case = letter()
    services.classify(people["staff"], case, kind="petition", field=people["land"])
    services.decide(people["staff"], case, decision="forward", agency=people["env"])
    return case


def status_in(client, case, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("petitions:status", args=[case.tracking_code])).content.decode()


def test_the_status_page_shows_the_timeline_in_english(client, case):
    page = status_in(client, case, "en")
    assert "Letter received (Portal)." in page
    assert "Letter classified: Petition, field Land." in page
    assert "Forwarded to Sở Tài nguyên và Môi trường for consideration and resolution." in page
    for vietnamese in ("Đã tiếp nhận đơn", "Đơn đã được phân loại", "lĩnh vực Đất đai", "Đã chuyển đến"):
        assert vietnamese not in page
    assert "· Land" in page  # the case's field, beside its kind


def test_the_same_steps_read_in_vietnamese_and_the_stored_text_stays_vietnamese(client, case):
    page = status_in(client, case, "vi")
    assert "Đơn đã được phân loại: Kiến nghị, lĩnh vực Đất đai." in page
    assert "Đã chuyển đến Sở Tài nguyên và Môi trường để xem xét, giải quyết." in page
    assert "· Đất đai" in page
    stored = dict(Milestone.objects.filter(case=case).values_list("kind", "text"))
    assert stored["classified"] == "Đơn đã được phân loại: Kiến nghị, lĩnh vực Đất đai."


def test_a_step_written_by_an_english_reader_is_still_kept_in_vietnamese(people):
    people["land"].name_en = "Land"
    people["land"].save()
    case = letter()
    with translation.override("en"):
        services.classify(people["staff"], case, kind="petition", field=people["land"])
    step = Milestone.objects.get(case=case, kind="classified")
    assert step.text == "Đơn đã được phân loại: Kiến nghị, lĩnh vực Đất đai."
    with translation.override("en"):
        assert step.display_text().startswith("Letter classified: ")
        assert step.display_text().endswith(", field Land.")


def test_a_field_without_an_english_name_keeps_its_own(people):
    assert people["health"].name_en == ""
    with translation.override("en"):
        assert str(people["health"]) == "Y tế"
    people["land"].name_en = "Land"
    with translation.override("en"):
        assert str(people["land"]) == "Land" and people["land"].label == "Land"
    with translation.override("vi"):
        assert str(people["land"]) == "Đất đai"


def test_a_step_stored_before_its_message_was_kept_shows_its_text(case):
    old = Milestone.objects.create(case=case, kind="accepted", text="Đơn đã được thụ lý.", at=case.received_at)
    with translation.override("en"):
        assert old.display_text() == "Đơn đã được thụ lý."
