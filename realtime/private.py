"""What one person alone may see: the snapshot's `you` and per-member events (docs/decisions/0008).

Snapshots and events are per audience, encoded once for everyone in it. What one member alone
may see ("your request is number 4", "your ballot is recorded") goes apart:

- `you`: the snapshot's own part of each connection — who it is (role, member_id, display_id),
  the member's counter `pseq`, and every registered `you` part (registry.register_you), built
  for that connection at connect and for each snapshot answering `sync`, checked against the
  shared snapshot's seq and the member's pseq (`you_for`). Never built per broadcast; the shared
  snapshot cache (realtime.snapshot) stays shared.
- per-member events (`Change.emit_to`, registry.register_member_event): no seq of the sitting;
  a stored one takes the member's next `pseq` (MemberCounter) and is stored (MemberEvent) in the
  change's transaction; after commit each is published once to the sitting's private group
  (realtime.publish.members_group), and each process's relay hands it to that member's own
  connections only. One registered never stored takes no pseq and is never replayed.
- catch-up: a gap in pseq, or a ping reply whose `pseq` is above the client's, makes it send
  `sync` with `since_pseq`: the member's stored events after it (`member_events_since`), or a
  snapshot. Events committed and never published are republished by the heartbeat's recovery
  (`unpublished_member_events`), as the sitting's are.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, PositiveBigIntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import registry
from .models import MemberCounter, MemberEvent
from .publish import member_message, publish_members_after_commit
from .rows import insert_rows, update_rows


# ---- writing (inside realtime.service.change, under the sitting's lock) ---------------------

def store_member_events(sitting, events: list[tuple[int, str, dict, bool]]) -> None:
    """Number the stored ones per member, store them with the change, publish all after commit.
    The sitting's row is locked (change()), so two changes never take the same pseq."""
    members = sorted({member_id for member_id, _t, _d, store in events if store})
    current = dict(MemberCounter.objects.filter(sitting=sitting, member_id__in=members).values_list("member_id", "pseq"))
    last = dict(current)
    rows, outgoing = [], []
    for member_id, type_, data, store in events:
        pseq = None
        if store:
            pseq = last[member_id] = last.get(member_id, 0) + 1
            rows.append(MemberEvent(sitting=sitting, member_id=member_id, pseq=pseq, type=type_, data=data))
        outgoing.append((member_id, pseq, type_, data))
    if rows:
        insert_rows(MemberEvent, rows)
        insert_rows(MemberCounter, [MemberCounter(sitting=sitting, member_id=m, pseq=last[m])
                                    for m in members if m not in current])
        # The members told before: their counters moved on (one statement run for each, realtime.rows).
        update_rows(MemberCounter, ("pseq",), ("sitting", "member_id"),
                    [MemberCounter(sitting=sitting, member_id=m, pseq=last[m]) for m in members if m in current])
    publish_members_after_commit(sitting.pk, outgoing)


# ---- reading --------------------------------------------------------------------------------

def _with_pseq(sittings, member_id: int):
    counter = MemberCounter.objects.filter(sitting_id=OuterRef("pk"), member_id=member_id).values("pseq")[:1]
    return sittings.annotate(_pseq=Coalesce(Subquery(counter), Value(0), output_field=PositiveBigIntegerField()))


def marks(sitting_id: int, member_id: int | None) -> tuple[int, int | None] | None:
    """(the sitting's seq, the member's pseq) in one query; pseq None without a member, None when
    there is no such sitting."""
    sittings = registry.sitting_model().objects.filter(pk=sitting_id)
    if member_id is None:
        seq = sittings.values_list("seq", flat=True).first()
        return None if seq is None else (seq, None)
    return _with_pseq(sittings, member_id).values_list("seq", "_pseq").first()


def _sitting_and_marks(sitting_id: int, member_id: int | None):
    """The sitting's row and its marks (seq, pseq) in one query: (None, None) without the sitting."""
    sittings = registry.sitting_model().objects.filter(pk=sitting_id).order_by()
    if member_id is None:
        sitting = sittings.first()
        return sitting, (None if sitting is None else (sitting.seq, None))
    sitting = _with_pseq(sittings, member_id).first()
    return sitting, (None if sitting is None else (sitting.seq, sitting._pseq))


def member_pseq(sitting_id: int, member_id: int) -> int:
    """The pseq of the member's last stored event in the sitting (0: none)."""
    return MemberCounter.objects.filter(sitting_id=sitting_id, member_id=member_id).values_list(
        "pseq", flat=True).first() or 0


def you_for(actor, sitting_id: int, audience: str, seq: int) -> dict | None:
    """This connection's `you`, consistent with the shared snapshot at `seq`; None when the sitting
    has moved past `seq` meanwhile (the caller takes a fresh snapshot and asks again).

    With registered parts, the seq and the member's pseq are read before and after the parts are
    built: equal, no change committed in between (every stored per-member event bumps the pseq in
    its change's transaction, every event the seq), so `you` is exact at (seq, pseq). Without
    parts, `you` is the counter alone: one read for a member, none for anyone else."""
    you = {"role": actor.role, "member_id": actor.member_id, "display_id": actor.display_id, "pseq": None}
    parts = registry.you_parts(audience)
    if not parts:
        # Nothing built: only the member's counter, which needs no agreement with the seq (a stored
        # event after it, committed meanwhile, reaches the connection: its relay was joined first).
        if actor.member_id is None:
            return you  # the public, displays, staff: nothing of their own, no read at all
        if not any(part.store for part in registry.member_events()):
            return {**you, "pseq": 0}  # no module stores what it tells members: no counter to read
        return {**you, "pseq": member_pseq(sitting_id, actor.member_id)}
    for _attempt in range(20):
        sitting, before = _sitting_and_marks(sitting_id, actor.member_id)
        if before is None or before[0] != seq:
            return None
        built = {part.key: part.build(actor, sitting) for part in parts}
        after = marks(sitting_id, actor.member_id)
        if after == before:
            return {**you, "pseq": before[1], **built}
        if after is None or after[0] != seq:
            return None
    raise RuntimeError(f"the private state of sitting {sitting_id} changed during 20 attempts")


def member_events_since(sitting_id: int, member_id: int | None, since: int) -> list[dict] | None:
    """The member's stored events after pseq `since`, in order; None when a snapshot is better
    (more than HUB_MAX_REPLAY, pruned, or `since` ahead of the server). Nothing for a connection
    that is no member."""
    if member_id is None:
        return []
    current = member_pseq(sitting_id, member_id)
    if since > current or current - since > settings.HUB_MAX_REPLAY:
        return None
    rows = (MemberEvent.objects.filter(sitting_id=sitting_id, member_id=member_id, pseq__gt=since, pseq__lte=current)
            .order_by("pseq").values_list("pseq", "type", "data"))
    events = [member_message(pseq, type_, data) for pseq, type_, data in rows]
    return events if len(events) == current - since else None


# ---- the recovery and retention ----------------------------------------------------------

def unpublished_member_events(sitting_ids: list[int], older_than: timedelta, limit: int
                              ) -> dict[int, list[tuple[int, int, str, dict]]]:
    """sitting id -> its stored per-member events committed but never published (member id, pseq,
    type, data), oldest first (the partial index member_event_unpublished answers it)."""
    before = timezone.now() - older_than
    rows = (MemberEvent.objects.filter(sitting_id__in=sitting_ids, published_at__isnull=True, at__lt=before)
            .order_by("sitting_id", "member_id", "pseq")
            .values_list("sitting_id", "member_id", "pseq", "type", "data")[:limit])
    lost: dict[int, list[tuple[int, int, str, dict]]] = {}
    for sitting_id, member_id, pseq, type_, data in rows:
        lost.setdefault(sitting_id, []).append((member_id, pseq, type_, data))
    return lost


def prune_member_events(now=None) -> int:
    """Delete the per-member events of sittings closed more than HUB_EVENT_RETENTION_DAYS ago
    (not archived: what one member was told is no part of the minutes). The counters stay, so a
    reopened sitting never numbers a member's events from 1 again. Returns how many."""
    Sitting = registry.sitting_model()
    cutoff = (now or timezone.now()) - timedelta(days=settings.HUB_EVENT_RETENTION_DAYS)
    closed = Sitting.objects.filter(status=Sitting.Status.CLOSED, closed_at__lt=cutoff).values("pk")
    deleted, _ = MemberEvent.objects.filter(sitting_id__in=closed).delete()
    return deleted
