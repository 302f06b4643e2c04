"""Read-only projections of a sitting for the hub: the sitting itself,
its attendance list and its quorum. Plain dicts, JSON-ready."""

from .models import Attendance, Body, Membership, RollCall, Sitting
from .quorum import quorum


def iso(dt):
    return dt.isoformat() if dt else None


def sitting_state(sitting: Sitting) -> dict:
    return {
        "id": sitting.pk,
        "title": sitting.title,
        "body": sitting.body.name,
        "body_kind": sitting.body.kind,
        "session": sitting.session.title if sitting.session_id else None,
        "starts_at": iso(sitting.starts_at),
        "place": sitting.place,
        "is_public": sitting.is_public,
        "status": sitting.status,
        "opened_at": iso(sitting.opened_at),
        "closed_at": iso(sitting.closed_at),
        "reopen_until": iso(reopen_until(sitting)),
    }


def reopen_until(sitting: Sitting):
    """Until when a closed sitting may be reopened (settings.SITTING_REOPEN_MINUTES); None otherwise."""
    from datetime import timedelta

    from django.conf import settings

    if sitting.status != Sitting.Status.CLOSED or sitting.closed_at is None or not settings.SITTING_REOPEN_MINUTES:
        return None
    return sitting.closed_at + timedelta(minutes=settings.SITTING_REOPEN_MINUTES)


def announcement_state(sitting: Sitting) -> dict | None:
    if not sitting.announcement:
        return None
    return {"text": sitting.announcement, "at": iso(sitting.announcement_at)}


def _row(member, counts: bool, record: Attendance | None) -> dict:
    seat = member.seat
    return {
        "member_id": member.pk,
        "name": member.full_name,
        "kind": member.kind,
        "group": (member.delegate_group.short_name or member.delegate_group.name) if member.delegate_group_id else None,
        "seat": seat.label if seat else None,
        "seat_row": seat.row if seat else None,
        "seat_number": seat.number if seat else None,
        "counts": counts,
        "status": record.status if record else None,
        "method": record.method if record else None,
        "reason": record.reason if record else "",
        "at": iso(record.at) if record else None,
    }


def _members_qs():
    from .models import Member

    return Member.objects.select_related("seat", "delegate_group")


def attendance_state(sitting: Sitting) -> list[dict]:
    """Every member expected at the sitting (the body's members) plus anyone else
    who checked in, in seat order."""
    records = {a.member_id: a for a in Attendance.objects.filter(sitting=sitting)}
    memberships = Membership.objects.filter(body_id=sitting.body_id, active=True).values_list("member_id", flat=True)
    expected = set(memberships)
    members = _members_qs().filter(pk__in=expected | set(records))
    rows = [_row(m, m.pk in expected and m.kind == "delegate", records.get(m.pk)) for m in members]
    rows.sort(key=row_order)
    return rows


def row_order(row: dict):
    return (row["seat_row"] is None, row["seat_row"] or 0, row["seat_number"] or 0, row["name"], row["member_id"])


def attendance_row(sitting: Sitting, member_id: int) -> dict:
    member = _members_qs().get(pk=member_id)
    counts = member.kind == "delegate" and Membership.objects.filter(body_id=sitting.body_id, member_id=member_id, active=True).exists()
    return _row(member, counts, Attendance.objects.filter(sitting=sitting, member_id=member_id).first())


def attendance_rows(sitting: Sitting, member_ids) -> dict[int, dict]:
    """The attendance rows of these members, by member id, as attendance_row builds each (three queries)."""
    records = {a.member_id: a for a in Attendance.objects.filter(sitting=sitting, member_id__in=member_ids)}
    counted = set(Membership.objects.filter(body_id=sitting.body_id, member_id__in=member_ids, active=True)
                  .values_list("member_id", flat=True))
    return {m.pk: _row(m, m.kind == "delegate" and m.pk in counted, records.get(m.pk))
            for m in _members_qs().filter(pk__in=member_ids)}


def quorum_state(sitting: Sitting) -> dict:
    total_ids = Membership.objects.filter(body_id=sitting.body_id, active=True, member__kind="delegate").values("member_id")
    total = total_ids.count()
    present = Attendance.objects.filter(sitting=sitting, member_id__in=total_ids, status=Attendance.Status.PRESENT).count()
    body = sitting.body if isinstance(sitting.body, Body) else Body.objects.get(pk=sitting.body_id)
    return quorum(present, total, body.quorum_fraction)


# ---- the roll call (điểm danh lại) ------------------------------------------------

def counted_ids(sitting: Sitting):
    """The members counted for quorum (delegates of the sitting's body), as a subquery."""
    return Membership.objects.filter(body_id=sitting.body_id, active=True, member__kind="delegate").values("member_id")


def open_roll_call(sitting: Sitting) -> RollCall | None:
    """The open roll call of a sitting read under its lock (`change().sitting`); no query when none is."""
    if sitting.roll_call_since is None:
        return None
    return RollCall.objects.filter(sitting=sitting, ended_at__isnull=True).first()


def confirmed_ids(sitting: Sitting, roll_call: RollCall) -> set[int]:
    """Who has confirmed an open roll call: delegates counted for quorum recorded present at or after
    its start (a check-in, or the secretary marking them, sets the record's time)."""
    return set(Attendance.objects.filter(sitting=sitting, member_id__in=counted_ids(sitting),
                                         status=Attendance.Status.PRESENT, at__gte=roll_call.started_at)
               .values_list("member_id", flat=True))


def roll_call_data(roll_call: RollCall, confirmed: set[int] | None = None) -> dict:
    """The `roll_call` slice for a roll call. Open: `expected` counts those present when it started
    and anyone who confirmed since (a delegate arriving during it), `confirmed` those who did.
    Ended: the counts it kept."""
    if roll_call.ended_at is None:
        if confirmed is None:
            confirmed = confirmed_ids(roll_call.sitting, roll_call)
        expected = len(set(roll_call.expected) | confirmed)
        marked_absent = None
        confirmed_count = len(confirmed)
    else:
        expected = len(set(roll_call.expected) | set(roll_call.confirmed))
        confirmed_count = len(roll_call.confirmed)
        marked_absent = len(roll_call.marked_absent)
    return {
        "id": roll_call.pk,
        "started_at": iso(roll_call.started_at),
        "ends_at": iso(roll_call.ends_at),
        "ended_at": iso(roll_call.ended_at),
        "expected": expected,
        "confirmed": confirmed_count,
        "marked_absent": marked_absent,
    }


def roll_call_state(sitting: Sitting) -> dict | None:
    """The open roll call of the sitting, else the last one ended; None when there was none."""
    last = RollCall.objects.filter(sitting=sitting).order_by("-started_at", "-pk").first()
    if last is None:
        return None
    last.sitting = sitting
    return roll_call_data(last)
