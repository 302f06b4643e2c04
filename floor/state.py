"""The floor as the hub shows it: plain, JSON-ready dicts built from the rows.

`floor`: the list of speakers (open or closed), the queue in order, the current speaker with
their clock, the last speaker, and the body's limits. `questioning`: the issue groups with their
officials, questions and the commitments recorded. `you.floor`: a member's own open requests.
"""

from meeting.models import Member

from .models import SPEAKER_LIST, FloorList, FloorRules, IssueGroup, Request, Speech

LIMIT_KINDS = ("speech", "reply", "order", "question", "followup", "answer", "opening", "free")


def iso(dt):
    return dt.isoformat() if dt else None


def rules_for(sitting) -> FloorRules:
    """The body's rules, or the defaults (an unsaved row) for a body that has none."""
    return FloorRules.objects.filter(body_id=sitting.body_id).first() or FloorRules(body_id=sitting.body_id)


def _group(member: Member) -> str | None:
    g = member.delegate_group
    return (g.short_name or g.name) if g is not None else None


def person(member: Member) -> dict:
    return {
        "member_id": member.pk,
        "name": member.full_name,
        "position": member.position,
        "group": _group(member),
        "seat": member.seat.label if member.seat_id else None,
        "photo": member.photo.url if member.photo else None,
    }


def request_info(r: Request) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "kind": r.kind,
        **person(r.member),
        "requested_at": iso(r.requested_at),
        "reply_to": r.reply_to_id,
        "issue_id": r.issue_id,
        "added": r.added_by_id is not None,
    }


def speech_info(s: Speech, rules: FloorRules) -> dict:
    return {
        "id": s.pk,
        "kind": s.kind,
        **person(s.member),
        "item_id": s.item_id,
        "issue_id": s.issue_id,
        "question_id": s.question_id,
        "request_id": s.request_id,
        "started_at": iso(s.started_at),
        "limit_s": s.limit_s,
        "extra_s": s.extra_s,
        "paused_at": iso(s.paused_at),
        "paused_s": round(s.paused_s, 3),
        "warn_s": rules.warn_seconds,
    }


_MEMBER = ("member", "member__seat", "member__delegate_group")


def queue(sitting_id: int) -> list[Request]:
    return list(Request.objects.filter(sitting_id=sitting_id, status=Request.Status.WAITING, kind__in=SPEAKER_LIST)
                .select_related(*_MEMBER).order_by("position", "number"))


def current_speech(sitting_id: int) -> Speech | None:
    return Speech.objects.filter(sitting_id=sitting_id, ended_at__isnull=True).select_related(*_MEMBER).first()


def last_speech(sitting_id: int) -> Speech | None:
    return (Speech.objects.filter(sitting_id=sitting_id, ended_at__isnull=False).select_related(*_MEMBER)
            .order_by("-ended_at", "-id").first())


def is_closed(sitting_id: int) -> bool:
    return FloorList.objects.filter(sitting_id=sitting_id, closed=True).exists()


def queue_state(sitting_id: int) -> dict:
    return {"closed": is_closed(sitting_id), "queue": [request_info(r) for r in queue(sitting_id)]}


def speaker_state(sitting, *, priority: bool = False, rules: FloorRules | None = None) -> dict:
    """The turn at the floor and the last speaker; `rules`: the body's, when the caller has read them."""
    if rules is None:
        rules = rules_for(sitting)
    cur, last = current_speech(sitting.pk), last_speech(sitting.pk)
    return {
        "speaker": speech_info(cur, rules) if cur else None,
        "last": {"member_id": last.member_id, "name": last.member.full_name, "kind": last.kind} if last else None,
        "priority": priority,
    }


def floor_state(sitting) -> dict:
    rules = rules_for(sitting)
    return {
        **queue_state(sitting.pk),
        **speaker_state(sitting, rules=rules),
        "priority_first": rules.priority_first,
        "limits": {kind: rules.limit(kind) for kind in LIMIT_KINDS},
        "warn_s": rules.warn_seconds,
    }


def question_info(q: Request) -> dict:
    return {
        "id": q.pk,
        "number": q.number,
        **person(q.member),
        "official_id": q.official_id,
        "text": q.text,
        "written": q.written,
        "status": q.status,
        "commitments": [{"id": c.pk, "official_id": c.official_id, "text": c.text, "due": iso(c.due)}
                        for c in q.commitments.all()],
    }


def questioning_state(sitting) -> dict:
    groups = IssueGroup.objects.filter(sitting_id=sitting.pk).prefetch_related("officials__delegate_group",
                                                                                "officials__seat")
    questions: dict[int, list[Request]] = {}
    for q in (Request.objects.filter(sitting_id=sitting.pk, kind="question",
                                     status__in=[Request.Status.WAITING, Request.Status.HEARD])
              .select_related(*_MEMBER).prefetch_related("commitments").order_by("position", "number")):
        questions.setdefault(q.issue_id, []).append(q)
    officials = Member.objects.filter(kind=Member.Kind.OFFICIAL).select_related("delegate_group", "seat")
    return {"officials": [person(m) for m in officials.order_by("full_name", "pk")], "groups": [{
        "id": g.pk,
        "item_id": g.item_id,
        "title": g.title,
        "officials": [person(m) for m in sorted(g.officials.all(), key=lambda m: m.pk)],
        "questions": [question_info(q) for q in questions.get(g.pk, [])],
    } for g in groups]}


# Stand-ins for the sitting's and the member's ids in you_floor's compiled query, replaced by the real ones.
_SITTING_SLOT = -730_000_001
_MEMBER_SLOT = -730_000_002
_YOU_SQL: dict[tuple, tuple[str, tuple]] = {}


def _you_sql() -> tuple[str, tuple]:
    """you_floor's query as SQL with its parameters, the ids as the slots above: built by the ORM
    once per database (Django compiles the union anew on each use, which cost several times more
    than running it; floor.next reads it twice, every connection of a delegate once)."""
    from django.db import connection
    from django.db.models import CharField, IntegerField, Value

    key = (connection.alias, connection.vendor)
    compiled = _YOU_SQL.get(key)
    if compiled is None:
        requests = (Request.objects.filter(sitting_id=_SITTING_SLOT, member_id=_MEMBER_SLOT,
                                           status=Request.Status.WAITING)
                    .values_list("pk", "kind", "issue_id", "number").order_by())
        speaking = (Speech.objects.filter(sitting_id=_SITTING_SLOT, member_id=_MEMBER_SLOT, ended_at__isnull=True)
                    .values_list("pk", Value("", output_field=CharField()), Value(None, output_field=IntegerField()),
                                 Value(0, output_field=IntegerField())).order_by())
        query = requests.union(speaking, all=True)
        sql, params = query.query.get_compiler(connection=connection).as_sql()
        params = list(params)
        if params.count(_SITTING_SLOT) != 2 or params.count(_MEMBER_SLOT) != 2:
            raise RuntimeError("you_floor's query does not take the sitting and the member twice each")
        compiled = _YOU_SQL[key] = (sql, tuple(params))
    return compiled


def you_floor(sitting_id: int, member_id: int | None) -> dict:
    """A member's open requests and their turn at the floor: one query, compiled once (a hall of
    tablets reconnecting reads this once per connection)."""
    if member_id is None:
        return {"requests": [], "speaking": None}
    from django.db import connection

    sql, params = _you_sql()
    slots = {_SITTING_SLOT: sitting_id, _MEMBER_SLOT: member_id}
    params = [slots.get(p, p) if type(p) is int else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    mine = sorted((r for r in rows if r[1]), key=lambda r: r[3])
    speech = next((r[0] for r in rows if not r[1]), None)
    return {"requests": [{"id": pk, "kind": kind, "issue_id": issue} for pk, kind, issue, _n in mine],
            "speaking": speech}
