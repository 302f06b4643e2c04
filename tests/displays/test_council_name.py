"""The hall's header names the council with its province (issue 11, item 5): COUNCIL_NAME when it
names one, else the plenary body of the sitting's term."""

import pytest

from displays.views import council_name
from meeting.models import Sitting

pytestmark = pytest.mark.django_db


def test_the_default_council_name_gives_way_to_the_plenary_body_with_its_province(sitting, settings):
    settings.COUNCIL_NAME = "Hội đồng nhân dân tỉnh"
    assert council_name(sitting) == sitting.body.name == "Hội đồng nhân dân tỉnh Tuyên Quang"
    standing = Sitting.objects.exclude(pk=sitting.pk).get()  # the standing committee's sitting: its term's plenary
    assert standing.body.kind != "plenary"
    assert council_name(standing) == "Hội đồng nhân dân tỉnh Tuyên Quang"


def test_a_council_name_setting_that_names_the_province_is_kept(sitting, settings):
    settings.COUNCIL_NAME = "HĐND tỉnh Hà Giang"
    assert council_name(sitting) == "HĐND tỉnh Hà Giang"


def test_the_hall_page_and_its_config_carry_the_name(client, sitting, users, settings):
    from displays.models import Display

    settings.COUNCIL_NAME = "Hội đồng nhân dân tỉnh"
    display = Display.objects.filter(sitting=sitting).first()
    client.force_login(users["chair"])
    page = client.get(f"/display/preview/{display.pk}/")
    assert page.status_code == 200
    assert page.context["hall_config"]["councilName"] == "Hội đồng nhân dân tỉnh Tuyên Quang"
    assert "Hội đồng nhân dân tỉnh Tuyên Quang" in page.content.decode()
