"""Moving a hall display between sittings (displays.services.assign) is all or nothing."""

import datetime as dt

import pytest

from audit.models import AuditRecord
from displays import services as displays
from displays.models import Display
from meeting.models import Member, Sitting
from realtime.models import SittingEvent
from realtime.service import ServiceError


@pytest.fixture
def foreign_sitting(sitting):
    """A sitting of the same body chaired by someone else: the demo chair is only a delegate there."""
    other_chair = Member.objects.get(code="DB002").user
    return Sitting.objects.create(body=sitting.body, session=sitting.session, title="Phiên chiều", chair=other_chair,
                                  starts_at=sitting.starts_at + dt.timedelta(hours=6))


def test_a_move_refused_in_the_sitting_it_joins_leaves_the_display_where_it_was(sitting, foreign_sitting, users):
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    with pytest.raises(ServiceError) as e:
        displays.assign(users["chair"], display.pk, foreign_sitting.pk)
    assert e.value.code == "forbidden"
    display.refresh_from_db()
    assert display.sitting_id == sitting.pk
    assert not SittingEvent.objects.filter(type="display.updated").exists()
    assert Sitting.objects.get(pk=sitting.pk).seq == 0


def test_a_move_refused_in_the_sitting_it_joins_is_audited_there(sitting, foreign_sitting, users):
    display = Display.objects.get(sitting=sitting, name="Màn hình chính")
    with pytest.raises(ServiceError):
        displays.assign(users["chair"], display.pk, foreign_sitting.pk)
    refusal = AuditRecord.objects.get(outcome="forbidden")
    assert (refusal.action, refusal.sitting_id, refusal.role) == ("display.control", foreign_sitting.pk, "delegate")
