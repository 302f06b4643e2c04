"""Service fixtures: a live sitting, a controllable clock, and a fingerprint of
everything a service could change (to prove a refused call changed nothing)."""

import datetime as dt

import pytest
from django.utils import timezone

from agenda.models import AgendaItem
from audit.models import AuditRecord
from displays.models import Display
from meeting import services as meeting
from meeting.models import Attendance, Sitting
from realtime.models import SittingEvent


class Clock:
    """timezone.now() under the test's control: `clock.advance(90)` moves it 90 s."""

    def __init__(self):
        self.now = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: int):
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def live(sitting, actors):
    """The demo sitting, opened by the chair."""
    meeting.open_sitting(actors["chair"], sitting.pk)
    sitting.refresh_from_db()
    return sitting


def fingerprint(sitting_id: int) -> dict:
    """Every row a hub service may write, for before/after comparison."""
    return {
        "sitting": list(Sitting.objects.filter(pk=sitting_id).values()),
        "agenda": list(AgendaItem.objects.filter(sitting_id=sitting_id).order_by("id").values()),
        "attendance": list(Attendance.objects.filter(sitting_id=sitting_id).order_by("id").values()),
        "displays": list(Display.objects.order_by("id").values()),
        "events": list(SittingEvent.objects.filter(sitting_id=sitting_id).order_by("seq").values("seq", "type", "data")),
        "audit_ok": AuditRecord.objects.filter(outcome="ok").count(),
    }


def items(sitting_id: int) -> list[AgendaItem]:
    """The sitting's agenda in reading order."""
    from agenda.state import ordered_items

    return ordered_items(sitting_id)
