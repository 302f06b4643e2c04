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


@pytest.mark.django_db(transaction=True)
def test_batches_sent_while_the_marker_is_busy_are_marked_together(sitting, monkeypatch):
    """What the publisher sent while the marker thread was busy is marked in one run of it: one
    UPDATE per sitting and kind, for every batch (a burst sends a batch every few milliseconds)."""
    import threading

    from realtime import publish
    from realtime.models import SittingEvent

    SittingEvent.objects.bulk_create([SittingEvent(sitting=sitting, seq=s, type="agenda.moved", data={})
                                      for s in range(1, 13)])
    MemberEvent.objects.bulk_create([MemberEvent(sitting=sitting, member_id=m, pseq=1, type="floor.mine", data={})
                                     for m in range(1, 7)])
    updates = []
    real = publish._mark_published
    monkeypatch.setattr(publish, "_mark_published", lambda sitting_id, seqs: (updates.append(seqs), real(sitting_id, seqs)))
    busy, release = threading.Event(), threading.Event()
    publish._marker.submit(lambda: (busy.set(), release.wait(10)))
    assert busy.wait(10)
    for k in range(4):  # four batches sent while the marker is busy
        publish._marks.add("events", sitting.pk, [3 * k + 1, 3 * k + 2, 3 * k + 3])
        publish._marks.add("members", sitting.pk, [(2 * k % 6 + 1, 1)])
    release.set()
    publish._marker.submit(lambda: None).result(10)  # the marker's queue drained
    assert updates == [list(range(1, 13))]
    assert not SittingEvent.objects.filter(sitting=sitting, published_at__isnull=True).exists()
    marked = set(MemberEvent.objects.filter(sitting=sitting, published_at__isnull=False).values_list("member_id", "pseq"))
    assert marked == {(1, 1), (3, 1), (5, 1)}
