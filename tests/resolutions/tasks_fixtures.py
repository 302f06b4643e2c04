"""Fixtures of the tasks' tests, beside tests/resolutions/fixtures.py's personas: `co_agent` works
the desk of Sở Giáo dục và Đào tạo, the co-operating agency of `task` (led by `agent`'s Sở Tài
chính); `other_agent` (Sở Y tế) has no part in it. Import with
`from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403`."""

import datetime as dt
from decimal import Decimal

import pytest

from petitions.models import Agency, AgencyMember
from resolutions import services_tasks
from tests.resolutions.fixtures import *  # noqa: F401,F403
from tests.resolutions.fixtures import make_user

__all__ = ["education", "co_agent", "task", "steps_task", "DUE", "make_task",
           "finance", "health", "people", "term", "adopted"]

DUE = dt.date(2026, 12, 31)


@pytest.fixture
def education(db):
    return Agency.objects.create(name="Sở Giáo dục và Đào tạo", kind=Agency.Kind.DEPARTMENT)


@pytest.fixture
def co_agent(education, people):
    user = make_user("co_agent")
    AgencyMember.objects.create(agency=education, user=user)
    return user


def make_task(manager, resolution, lead, *, co=(), due_on=DUE, indicators=None, milestones=(), title="Hỗ trợ học phí"):
    if indicators is None:
        indicators = [{"name": "Học sinh được hỗ trợ", "unit": "học sinh", "target": Decimal(2000)}]
    return services_tasks.create_resolution_task(manager, resolution, title=title, lead_agency=lead, co_agencies=list(co),
                                                 due_on=due_on, indicators=indicators, milestones=list(milestones))


@pytest.fixture
def task(people, adopted, finance, education):
    return make_task(people["manager"], adopted, finance, co=[education])


@pytest.fixture
def steps_task(people, adopted, finance):
    return make_task(people["manager"], adopted, finance, indicators=[], title="Ban hành hướng dẫn",
                     milestones=[{"title": "Dự thảo hướng dẫn"}, {"title": "Ban hành", "weight": 3}])
