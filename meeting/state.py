"""Read-only projections of a sitting for the hub: the sitting itself,
its attendance list and its quorum. Plain dicts, JSON-ready."""

from .models import Attendance, Body, Membership, Sitting
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


def quorum_state(sitting: Sitting) -> dict:
    total_ids = Membership.objects.filter(body_id=sitting.body_id, active=True, member__kind="delegate").values("member_id")
    total = total_ids.count()
    present = Attendance.objects.filter(sitting=sitting, member_id__in=total_ids, status=Attendance.Status.PRESENT).count()
    body = sitting.body if isinstance(sitting.body, Body) else Body.objects.get(pk=sitting.body_id)
    return quorum(present, total, body.quorum_fraction)
