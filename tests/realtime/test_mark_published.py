"""Per-member events sent are marked published exactly: those sent, no other (realtime.publish,
whichever way the condition is grouped: by member, or by pseq for a burst)."""

import pytest

from realtime.models import MemberEvent
from realtime.publish import _mark_members_published

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sent", [
    [(m, 1) for m in range(1, 41)] + [(3, 2), (4, 2)],  # a burst: many members, one pseq each
    [(1, p) for p in range(1, 30)] + [(2, 1)],  # one member, many events
])
def test_exactly_the_events_sent_are_marked_published(sitting, sent):
    rows = [MemberEvent(sitting=sitting, member_id=m, pseq=p, type="floor.mine", data={})
            for m in range(1, 42) for p in range(1, 31)]
    MemberEvent.objects.bulk_create(rows)
    _mark_members_published(sitting.pk, sent)
    marked = set(MemberEvent.objects.filter(sitting=sitting, published_at__isnull=False).values_list("member_id", "pseq"))
    assert marked == set(sent)
