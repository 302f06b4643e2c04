"""Personas and a resolution for the resolutions tests: `manager` follows resolutions for the office
(resolutions.manage_resolutions), `agent` works the desk of Sở Tài chính, `other_agent` that of Sở Y
tế, `clerk` handles letters only, `stranger` is staff of nothing. Import the fixtures with
`from tests.resolutions.fixtures import *  # noqa: F401,F403`."""

import datetime as dt

import pytest

from meeting.models import Term
from petitions.models import Agency, AgencyMember
from resolutions import services
from resolutions.models import Resolution, Status
from tests.petitions.test_office_pages import make_user

__all__ = ["finance", "health", "people", "term", "adopted", "make_user", "adopt"]


@pytest.fixture
def finance(db):
    return Agency.objects.create(name="Sở Tài chính", kind=Agency.Kind.DEPARTMENT)


@pytest.fixture
def health(db):
    return Agency.objects.create(name="Sở Y tế", kind=Agency.Kind.DEPARTMENT)


@pytest.fixture
def people(finance, health):
    out = {
        "manager": make_user("manager", "resolutions.manage_resolutions"),
        "clerk": make_user("clerk", "petitions.handle_cases"),
        "agent": make_user("agent"),
        "other_agent": make_user("other_agent"),
        "stranger": make_user("stranger"),
    }
    AgencyMember.objects.create(agency=finance, user=out["agent"])
    AgencyMember.objects.create(agency=health, user=out["other_agent"])
    return out


@pytest.fixture
def term(db):
    return Term.objects.create(name="2026–2031", start=dt.date(2026, 3, 15), end=dt.date(2031, 3, 14))


def adopt(user, resolution, number="12/2026/NQ-HĐND", decided_on=dt.date(2026, 7, 10)):
    """Through every step of the lifecycle to adopted."""
    for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
        resolution = services.transition(user, resolution, status)
    return services.transition(user, resolution, Status.ADOPTED, number=number, decided_on=decided_on)


@pytest.fixture
def adopted(people, term, finance):
    resolution = Resolution.objects.create(title="Quy định mức hỗ trợ học phí cho học sinh vùng khó khăn",
                                           term=term, planned_year=2026, lead_agency=finance)
    return adopt(people["manager"], resolution)
