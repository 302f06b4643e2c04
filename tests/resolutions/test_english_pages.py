"""The resolutions' pages on the English side: every label, button and message from the catalog,
nothing Vietnamese left but the data (a resolution's title, an agency's name, a task's text).

Personas: `manager` (the office's resolution staff) and `agent` (Sở Tài chính's desk) read in
English; a citizen reads the public pages in English."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from meeting.models import Term
from petitions.models import Agency
from resolutions.models import Indicator, Milestone, Resolution, Task, Transition
from tests.config.test_english import VIETNAMESE, visible_vietnamese
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403

pytestmark = pytest.mark.django_db


def data_values() -> list[str]:
    values = set()
    for model, fields in ((Resolution, ("title", "number")), (Task, ("title", "description")), (Agency, ("name", "short_name")),
                          (Indicator, ("name", "unit")), (Milestone, ("title",)), (Term, ("name",)),
                          # a step's note is the record as written (the office's language), as a letter's note is
                          (Transition, ("note",))):
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    return sorted((v for v in values if VIETNAMESE.search(v)), key=len, reverse=True)


def english_vietnamese_left(client, url) -> list[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    for value in data_values():
        page = page.replace(value, " ")
    return visible_vietnamese(page)


@pytest.mark.parametrize("name,args", [("programme", []), ("resolution", ["adopted"]), ("create", []),
                                       ("tasks", []), ("task", ["task"]), ("supervisions", []), ("report", []),
                                       ("commitments", []), ("voter_petitions", [])])
def test_the_office_pages_in_english(client, people, adopted, task, name, args):
    client.force_login(people["manager"])
    ids = [{"adopted": adopted.pk, "task": task.pk}[a] for a in args]
    assert english_vietnamese_left(client, reverse(f"resolutions:{name}", args=ids)) == []


def test_the_agency_desk_in_english(client, people, task):
    client.force_login(people["agent"])
    assert english_vietnamese_left(client, reverse("resolutions:desk")) == []
    assert english_vietnamese_left(client, reverse("resolutions:desk_task", args=[task.pk])) == []


def test_the_public_pages_in_english(client, adopted, task):
    assert english_vietnamese_left(client, reverse("resolutions:public_list")) == []
    left = english_vietnamese_left(client, reverse("resolutions:public_resolution", args=[adopted.pk]))
    assert [x for x in left if not re.search(r"NQ-HĐND", x)] == []
