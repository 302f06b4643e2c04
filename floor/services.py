"""The floor's changes, each through the one write path (realtime.service.change): permission,
the sitting's lock, audit, events, per-member events.

Requests: a delegate asks for the floor (speech, reply to the current speaker, point of order,
follow-up on an issue group) or registers a question; the secretary can do either on a delegate's
behalf. One open request per delegate per kind (per issue group for questions and follow-ups): a
second is refused with `already_requested`, never queued twice. The queue's order is the pure
rule of floor.rules.

The floor: `next` gives it to the head of the queue (or the next question of an issue group),
`give` to a chosen request or to anyone (an official answering, an opening statement). Each says
which speech the client saw as current (`expect_current`): another one by the time the command
runs under the sitting's lock is refused with `stale`, so two "next" at once move the queue by
one. The server owns every clock: a speech stores its real start, pauses, extra time and end
(floor.models.Speech, the log for the minutes); clients draw the countdown from them.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import (BigIntegerField, BooleanField, CharField, Count, Exists, F, FileField, ForeignKey, Func,
                              IntegerField, Max, OuterRef, Subquery, TextField)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from agenda.models import AgendaItem
from audit.operations import ServiceError
from meeting.models import Attendance, Body, Member, Membership, Seat
from realtime.rows import read_one
from realtime.service import change

from . import rules as R
from .models import SPEAKER_LIST, Commitment, FloorList, FloorRules, IssueGroup, Kind, Request, Speech
from .state import (current_speech, last_speech, questioning_state, queue, queue_state, request_info, rules_for,
                    speaker_state, you_floor)

UNCHECKED = object()  # expect_current not given: an in-process caller deciding on the state itself
GAP = 1 << 20  # room between two positions, so a request is placed by one write
MAX_TEXT = 2000
MAX_EXTRA = 3600

Status = Request.Status
OWN_KINDS = ("speech", "reply", "order", "followup")  # what a delegate requests on the speaker list
GIVEN_KINDS = ("speech", "reply", "order", "followup", "free", "answer", "opening", "question")
# Fields whose values the database gives as Python wants them (numbers, text, keys, a file's name).
_PLAIN_FIELDS = (IntegerField, BigIntegerField, CharField, TextField, FileField)


# ---- helpers -----------------------------------------------------------------------------

def _floor_list(sitting) -> FloorList:
    return FloorList.objects.get_or_create(sitting_id=sitting.pk)[0]


def _returning_update() -> bool:
    """Whether the database returns the rows an UPDATE changed (PostgreSQL; SQLite from 3.35)."""
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)
    return False


def _next_number(sitting_id: int, *, listed: bool = True) -> int:
    """The sitting's next registration number, counted on its list (FloorList.numbered): one
    statement, the list's row created with the first number when the sitting has none yet
    (`listed=False`: known to have none). Under the sitting's lock, as every change."""
    if listed:
        if _returning_update():
            table, col, key = (connection.ops.quote_name(n) for n in (
                FloorList._meta.db_table, FloorList._meta.get_field("numbered").column,
                FloorList._meta.get_field("sitting").column))
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {col} = {col} + 1 WHERE {key} = %s RETURNING {col}", [sitting_id])
                row = cursor.fetchone()
            if row is not None:
                return row[0]
        elif FloorList.objects.filter(sitting_id=sitting_id).update(numbered=F("numbered") + 1):
            return FloorList.objects.filter(sitting_id=sitting_id).values_list("numbered", flat=True).get()
    FloorList.objects.create(sitting_id=sitting_id, numbered=1)
    return 1


def _tell(c, *member_ids) -> None:
    """Each member's own requests and turn, after this change (per-member event floor.mine)."""
    for member_id in dict.fromkeys(m for m in member_ids if m is not None):
        c.emit_to(member_id, "floor.mine", you_floor(c.sitting.pk, member_id))


def _person(c):
    """The signed-in person behind the change (None for a device or the system): who added, gave, recorded."""
    return c.actor.user if getattr(c.actor.user, "is_authenticated", False) else None


def _current_item_id(sitting_id: int) -> int | None:
    return (AgendaItem.objects.filter(sitting_id=sitting_id, status=AgendaItem.Status.CURRENT)
            .values_list("pk", flat=True).first())


def _stale(c, cur: Speech | None):
    if cur is None:
        message = _("Người phát biểu đã thay đổi (nay không ai phát biểu); lệnh không được thực hiện.")
    else:
        message = _("Người phát biểu đã thay đổi (nay là %(name)s); lệnh không được thực hiện.") % {
            "name": cur.member.full_name}
    raise ServiceError("stale", message, data={"current": {"speech_id": cur.pk if cur else None,
                                                           "seq": c.sitting.seq}})


def _check_current(c, cur: Speech | None, expect) -> None:
    if expect is not UNCHECKED and expect != (cur.pk if cur else None):
        _stale(c, cur)


@dataclass
class _Maker:
    """Who requests and what the request needs to know of them and of the sitting, read at once
    (floor.services._maker): one query instead of one per fact."""

    member: Member
    rules: FloorRules  # the body's, or the defaults (unsaved)
    present: bool  # checked in as present at this sitting
    waiting_same: bool  # an open request of this kind (of this issue group, for questions and follow-ups)
    waiting_any: bool  # any open request of theirs in the sitting
    speaking: int | None  # their speech at the floor
    item_id: int | None  # the sitting's current agenda item
    list_closed: bool | None  # None: the sitting has no list row yet
    queue_n: int | None  # the speaker list: how many wait, and the last position (read for a speech only)
    queue_last: int | None


# Stand-ins for the sitting's, the body's, the member's and the issue group's ids and for the kind in
# the maker's compiled query (as accounts.permissions' facts query), replaced by the real ones.
_SITTING_SLOT = -720_000_001
_BODY_SLOT = -720_000_002
_MEMBER_SLOT = -720_000_003
_ISSUE_SLOT = -720_000_004
_KIND_SLOT = "\x00floor-kind"
# The rows read whole with the maker (as select_related would): (path from the membership, model).
_MAKER_ROWS = (("member", Member), ("member__delegate_group", Body), ("member__seat", Seat),
               ("body__floor_rules", FloorRules))
_MAKER_FACTS = ("f_present", "f_same", "f_any", "f_speaking", "f_item", "f_closed")
_MAKER_END = ("f_n", "f_last")
_MAKER_SQL: dict[tuple, tuple[str, tuple]] = {}


def _maker_shape(kind: str) -> str:
    """What the maker's query looks for besides the kind: the list's end (a speech, which joins it
    whatever the rules), the issue group (one open question or follow-up per group), or nothing more."""
    if kind == Kind.SPEECH:
        return "end"
    return "issue" if kind in (Kind.QUESTION, Kind.FOLLOWUP) else "plain"


def _maker_sql(shape: str) -> tuple[str, tuple]:
    """The maker's query as SQL with its parameters, the ids and the kind as the slots above: built by
    the ORM once per database and shape. Django compiles a queryset anew on each use, which cost
    five times more than running this one (of 500 requests within 2 s, each)."""
    key = (connection.alias, connection.vendor, shape)
    compiled = _MAKER_SQL.get(key)
    if compiled is None:
        me = OuterRef("member_id")
        waiting = Request.objects.filter(sitting_id=_SITTING_SLOT, member_id=me, status=Status.WAITING)
        same = waiting.filter(kind=_KIND_SLOT)
        if shape == "issue":
            same = same.filter(issue_id=_ISSUE_SLOT)
        facts = {
            "f_present": Exists(Attendance.objects.filter(sitting_id=_SITTING_SLOT, member_id=me,
                                                          status=Attendance.Status.PRESENT)),
            "f_same": Exists(same),
            "f_any": Exists(waiting),
            "f_speaking": Subquery(Speech.objects.filter(sitting_id=_SITTING_SLOT, member_id=me, ended_at__isnull=True)
                                   .order_by().values("pk")[:1]),
            # in the order _current_item_id's .first() takes (the item's ordering, less the one sitting)
            "f_item": Subquery(AgendaItem.objects.filter(sitting_id=_SITTING_SLOT, status=AgendaItem.Status.CURRENT)
                               .order_by("parent_id", "position", "id").values("pk")[:1]),
            "f_closed": Subquery(FloorList.objects.filter(sitting_id=_SITTING_SLOT).values("closed")[:1]),
        }
        if shape == "end":
            # COUNT and MAX as plain functions over the rows, not the ORM's aggregates: those come
            # with a GROUP BY, which cost SQLite a third of this whole query (0.2 of 0.6 ms at 450
            # waiting). Over no row: 0 and NULL, as the aggregates' None.
            end = Request.objects.filter(sitting_id=_SITTING_SLOT, status=Status.WAITING,
                                         kind__in=SPEAKER_LIST).order_by()
            facts["f_n"] = Subquery(end.annotate(n=Func("id", function="COUNT")).values("n")[:1])
            facts["f_last"] = Subquery(end.annotate(last=Func("position", function="MAX")).values("last")[:1])
        columns = [f"{path}__{f.name}" for path, model in _MAKER_ROWS for f in model._meta.concrete_fields]
        query = (Membership.objects.filter(body_id=_BODY_SLOT, member_id=_MEMBER_SLOT, active=True)
                 .annotate(**facts).values_list(*columns, *facts)[:1])
        sql, params = query.query.get_compiler(connection=connection).as_sql()
        params = list(params)
        if (params.count(_BODY_SLOT), params.count(_MEMBER_SLOT), params.count(_KIND_SLOT),
                params.count(_ISSUE_SLOT)) != (1, 1, 1, int(shape == "issue")) or _SITTING_SLOT not in params:
            raise RuntimeError("the floor's maker query does not take its ids and kind as expected")
        compiled = _MAKER_SQL[key] = (sql, tuple(params))
    return compiled


_ROW_PLANS: dict[type, tuple[list[str], tuple[int, ...]]] = {}


def _row_plan(model) -> tuple[list[str], tuple[int, ...]]:
    """A model's concrete fields' attnames and which of them are booleans, checked once: the models
    read raw (floor.services._MAKER_ROWS) hold numbers, text, keys to numbered rows, a file's name
    and booleans alone, which the database gives as Python wants them but a boolean (SQLite: 0 or
    1). A field of another type would need the ORM's converters, and is refused."""
    plan = _ROW_PLANS.get(model)
    if plan is None:
        fields = model._meta.concrete_fields
        for f in fields:
            plain = f.target_field if isinstance(f, ForeignKey) else f
            if not isinstance(plain, (BooleanField, *_PLAIN_FIELDS)):
                raise TypeError(f"{model._meta.label}.{f.name} is read raw by floor.services._maker: no converter")
        plan = _ROW_PLANS[model] = ([f.attname for f in fields],
                                    tuple(i for i, f in enumerate(fields) if isinstance(f, BooleanField)))
    return plan


def _row(model, values):
    """A model instance from its concrete fields' values as the database gave them (None: no row)."""
    if values[0] is None:
        return None
    names, booleans = _row_plan(model)
    if booleans:
        values = list(values)
        for i in booleans:
            if values[i] is not None:
                values[i] = bool(values[i])
    return model.from_db(connection.alias, names, values)


def _maker(sitting, member_id: int, kind: str, issue_id: int | None) -> _Maker:
    """The delegate `member_id` (with group and seat) and the body's rules, with whether they may
    request `kind` (active in the body, present, no open request of the kind) and what the new
    request needs (the current item, the list and, for a speech, its end; their own requests and
    turn): one query, compiled once (_maker_sql). Refuses, in this order: `not_found` (no such
    member), `not_delegate` (not a delegate active in the sitting's body)."""
    shape = _maker_shape(kind)
    sql, params = _maker_sql(shape)
    slots = {_SITTING_SLOT: sitting.pk, _BODY_SLOT: sitting.body_id, _MEMBER_SLOT: member_id, _ISSUE_SLOT: issue_id}
    params = [str(kind) if p == _KIND_SLOT else slots.get(p, p) if isinstance(p, int) else p for p in params]
    row = read_one(f"floor_maker_{shape}", sql, params, connection.alias)
    member = None
    if row is not None:
        values, at = {}, 0
        for path, model in _MAKER_ROWS:
            n = len(model._meta.concrete_fields)
            values[path] = _row(model, row[at:at + n])
            at += n
        facts = dict(zip(_MAKER_FACTS + (_MAKER_END if shape == "end" else ()), row[at:]))
        member = values["member"]
        member.delegate_group = values["member__delegate_group"]
        member.seat = values["member__seat"]
    if member is None or member.kind != Member.Kind.DELEGATE:
        if member is None and not Member.objects.filter(pk=member_id).exists():
            raise ServiceError("not_found", _("Không tìm thấy đại biểu."))
        raise ServiceError("not_delegate", _("Chỉ đại biểu của %(body)s được đăng ký phát biểu, chất vấn.") % {
            "body": sitting.body.name})
    # as rules_for: the body's, or the defaults (unsaved)
    rules = values["body__floor_rules"] or FloorRules(body_id=sitting.body_id)
    closed = facts["f_closed"]
    return _Maker(member=member, rules=rules, present=bool(facts["f_present"]), waiting_same=bool(facts["f_same"]),
                  waiting_any=bool(facts["f_any"]), speaking=facts["f_speaking"], item_id=facts["f_item"],
                  list_closed=None if closed is None else bool(closed),
                  queue_n=facts.get("f_n"), queue_last=facts.get("f_last"))


def _issue(sitting_id: int, issue_id: int | None) -> IssueGroup:
    group = IssueGroup.objects.filter(pk=issue_id, sitting_id=sitting_id).first() if issue_id else None
    if group is None:
        raise ServiceError("no_such_issue", _("Nhóm vấn đề chất vấn này không thuộc phiên họp."))
    return group


def _askers(issue_id: int | None) -> set[int]:
    if issue_id is None:
        return set()
    return set(Request.objects.filter(issue_id=issue_id, kind=Kind.QUESTION)
               .exclude(status__in=[Status.WITHDRAWN, Status.REMOVED]).values_list("member_id", flat=True))


def _entries(rows: list[Request]) -> list[R.Entry]:
    askers: dict[int | None, set[int]] = {}
    out = []
    for r in rows:
        if r.kind == Kind.FOLLOWUP and r.issue_id not in askers:
            askers[r.issue_id] = _askers(r.issue_id)
        out.append(R.Entry(r.kind, r.kind == Kind.FOLLOWUP and r.member_id in askers.get(r.issue_id, ())))
    return out


def _position_at(rows: list[Request], index: int) -> int | None:
    """A position between rows[index-1] and rows[index]; None when there is no room (renumber)."""
    if not rows:
        return 0
    if index <= 0:
        return rows[0].position - GAP
    if index >= len(rows):
        return rows[-1].position + GAP
    low, high = rows[index - 1].position, rows[index].position
    return (low + high) // 2 if high - low > 1 else None


def _renumber(rows: list[Request]) -> None:
    for i, r in enumerate(rows):
        if r.position != i * GAP:
            r.position = i * GAP
            r.save(update_fields=["position"])


def _place(rows: list[Request], request: Request, index: int) -> None:
    """Give `request` (not yet among `rows`) the position that puts it at `index`."""
    position = _position_at(rows, index)
    if position is None:
        _renumber(rows)
        position = _position_at(rows, index)
    request.position = position


def _waiting_list(sitting_id: int):
    """The list of speakers' waiting requests, in order, without their members (the rule needs none)."""
    return Request.objects.filter(sitting_id=sitting_id, status=Status.WAITING, kind__in=SPEAKER_LIST).order_by(
        "position", "number")


def _question_rows(issue_id: int) -> list[Request]:
    return list(Request.objects.filter(issue_id=issue_id, kind=Kind.QUESTION, status=Status.WAITING)
                .order_by("position", "number"))


def _emit_queue_change(c, request: Request) -> None:
    if request.kind == Kind.QUESTION:
        c.emit("questioning.changed", questioning_state(c.sitting))
    else:
        c.emit("floor.left", {"request_id": request.pk})


# ---- requests ----------------------------------------------------------------------------

def _enqueue(c, maker: _Maker, kind: str, *, issue_id=None, official_id=None, text="", written=False,
             added_by=None) -> Request:
    sitting = c.sitting
    member, floor_rules = maker.member, maker.rules
    if maker.list_closed and kind in ("speech", "reply", "followup"):
        raise ServiceError("list_closed", _("Danh sách đăng ký phát biểu đã khóa."))
    if kind != Kind.QUESTION and floor_rules.only_present and not maker.present:
        raise ServiceError("not_present", _("Đại biểu %(name)s chưa điểm danh có mặt nên chưa đăng ký được.") % {
            "name": member.full_name})
    issue = _issue(sitting.pk, issue_id) if kind in (Kind.QUESTION, Kind.FOLLOWUP) else None
    if maker.waiting_same:
        raise ServiceError("already_requested", _("Đại biểu đã đăng ký loại này và đang chờ."))
    reply_to = None
    if kind == Kind.REPLY:
        reply_to = current_speech(sitting.pk)
        if reply_to is None:
            raise ServiceError("no_speaker", _("Chưa có ai phát biểu để tranh luận."))
        if reply_to.member_id == member.pk:
            raise ServiceError("invalid_state", _("Không tranh luận với chính mình."))
    official = None
    if kind == Kind.QUESTION:
        text = (text or "").strip()
        if not text or len(text) > MAX_TEXT:
            raise ServiceError("invalid_args", _("Nội dung chất vấn phải có từ 1 đến %(n)d ký tự.") % {"n": MAX_TEXT})
        if official_id is not None:
            official = issue.officials.filter(pk=official_id).first()
            if official is None:
                raise ServiceError("not_found", _("Người được chất vấn không trả lời nhóm vấn đề này."))
    item_id = issue.item_id if issue is not None and issue.item_id else maker.item_id
    if floor_rules.max_requests_per_item and kind in ("speech", "reply", "followup") and item_id is not None:
        made = (Request.objects.filter(sitting_id=sitting.pk, member=member, item_id=item_id,
                                       kind__in=["speech", "reply", "followup"])
                .exclude(status__in=[Status.WITHDRAWN, Status.REMOVED]).count())
        if made >= floor_rules.max_requests_per_item:
            raise ServiceError("request_limit", _("Đại biểu đã đăng ký đủ %(n)d lần cho nội dung này.") % {
                "n": floor_rules.max_requests_per_item})
    number = _next_number(sitting.pk, listed=maker.list_closed is not None)
    request = Request(sitting_id=sitting.pk, item_id=item_id, member=member, kind=kind, number=number,
                      requested_at=timezone.now(), added_by=added_by, reply_to=reply_to, issue=issue,
                      official=official, text=text, written=written)
    if kind == Kind.QUESTION:
        rows = _question_rows(issue.pk)
        _place(rows, request, len(rows))
        request.save()
        c.emit("questioning.changed", questioning_state(sitting))
    else:
        asker = kind == Kind.FOLLOWUP and member.pk in _askers(issue.pk)
        new = R.Entry(kind, asker)
        if R.joins_the_end(new, priority_first=floor_rules.priority_first):
            # The usual case (a speech): the end of the list, known from one aggregate (read with
            # the maker, for a speech), whatever its length.
            if kind == Kind.SPEECH:
                n, last = maker.queue_n or 0, maker.queue_last
            else:
                end = _waiting_list(sitting.pk).aggregate(n=Count("id"), last=Max("position"))
                n, last = end["n"], end["last"]
            index = n
            request.position = 0 if last is None else last + GAP
        else:
            rows = list(_waiting_list(sitting.pk).only("id", "kind", "member_id", "issue_id", "position", "number"))
            index = R.insertion_index(_entries(rows), new, priority_first=floor_rules.priority_first)
            _place(rows, request, index)
        request.save()
        c.emit("floor.requested", {"request": request_info(request), "index": index})
    c.detail["request_id"] = request.pk
    if maker.waiting_any:
        _tell(c, member.pk)
    else:  # their one open request is this one: what you_floor would read back
        c.emit_to(member.pk, "floor.mine", {"requests": [{"id": request.pk, "kind": str(kind),
                                                          "issue_id": request.issue_id}],
                                            "speaking": maker.speaking})
    return request


def request_floor(actor: Actor, sitting_id: int, kind: str, *, issue_id=None) -> dict:
    """A delegate asks for the floor for themself (the hub's floor.request)."""
    if kind not in OWN_KINDS:
        raise ServiceError("invalid_args", _("Loại đăng ký không hợp lệ."))
    with change(actor, "floor.request", sitting_id, detail={"kind": kind, "issue_id": issue_id}) as c:
        if c.actor.member_id is None:
            raise ServiceError("not_delegate", _("Chỉ đại biểu được đăng ký phát biểu."))
        maker = _maker(c.sitting, c.actor.member_id, kind, issue_id)
        request = _enqueue(c, maker, kind, issue_id=issue_id)
    return {"request_id": request.pk}


def add_request(actor: Actor, sitting_id: int, member_id: int, kind: str, *, issue_id=None) -> dict:
    """The secretary adds a request on a delegate's behalf (a hand raised in the hall)."""
    if kind not in OWN_KINDS:
        raise ServiceError("invalid_args", _("Loại đăng ký không hợp lệ."))
    with change(actor, "floor.manage", sitting_id, detail={"op": "add", "member_id": member_id, "kind": kind}) as c:
        maker = _maker(c.sitting, member_id, kind, issue_id)
        user = _person(c)
        request = _enqueue(c, maker, kind, issue_id=issue_id, added_by=user)
    return {"request_id": request.pk}


def register_question(actor: Actor, sitting_id: int, issue_id: int, text: str, *, official_id=None) -> dict:
    """A delegate registers a question on an issue group, before or during the sitting."""
    with change(actor, "floor.request", sitting_id, live=False,
                detail={"op": "question", "issue_id": issue_id}) as c:
        _not_closed(c)
        if c.actor.member_id is None:
            raise ServiceError("not_delegate", _("Chỉ đại biểu được đăng ký chất vấn."))
        maker = _maker(c.sitting, c.actor.member_id, Kind.QUESTION, issue_id)
        request = _enqueue(c, maker, Kind.QUESTION, issue_id=issue_id, official_id=official_id, text=text)
    return {"request_id": request.pk}


def add_question(actor: Actor, sitting_id: int, member_id: int, issue_id: int, text: str, *,
                 official_id=None, written: bool = True) -> dict:
    """The secretary enters a delegate's question (a written slip: phiếu chất vấn)."""
    with change(actor, "floor.manage", sitting_id, live=False,
                detail={"op": "add_question", "member_id": member_id, "issue_id": issue_id}) as c:
        _not_closed(c)
        maker = _maker(c.sitting, member_id, Kind.QUESTION, issue_id)
        user = _person(c)
        request = _enqueue(c, maker, Kind.QUESTION, issue_id=issue_id, official_id=official_id, text=text,
                           written=written, added_by=user)
    return {"request_id": request.pk}


def _not_closed(c) -> None:
    if c.sitting.status == c.sitting.Status.CLOSED:
        raise ServiceError("sitting_not_live", _("Phiên họp đã bế mạc."))


def _waiting(sitting_id: int, request_id: int) -> Request:
    request = Request.objects.filter(pk=request_id, sitting_id=sitting_id).select_related("member").first()
    if request is None:
        raise ServiceError("no_such_request", _("Không có đăng ký này trong phiên họp."))
    if request.status != Status.WAITING:
        raise ServiceError("invalid_state", _("Đăng ký này không còn chờ."))
    return request


def withdraw(actor: Actor, sitting_id: int, request_id: int) -> dict:
    """A delegate withdraws their own request (no one else's: `no_such_request`, as if it did not exist)."""
    with change(actor, "floor.request", sitting_id, live=False, detail={"op": "withdraw", "request_id": request_id}) as c:
        _not_closed(c)
        request = Request.objects.filter(pk=request_id, sitting_id=sitting_id).first()
        if request is None or request.member_id != c.actor.member_id:
            raise ServiceError("no_such_request", _("Không có đăng ký này của bạn."))
        if request.status != Status.WAITING:
            raise ServiceError("invalid_state", _("Đăng ký này không còn chờ."))
        _drop(c, request, Status.WITHDRAWN)
    return {}


def _drop(c, request: Request, status: str) -> None:
    request.status = status
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    _emit_queue_change(c, request)
    _tell(c, request.member_id)


def remove(actor: Actor, sitting_id: int, request_id: int) -> dict:
    with change(actor, "floor.manage", sitting_id, live=False, detail={"op": "remove", "request_id": request_id}) as c:
        _not_closed(c)
        _drop(c, _waiting(sitting_id, request_id), Status.REMOVED)
    return {}


def clear(actor: Actor, sitting_id: int) -> dict:
    """Remove every waiting request of the list of speakers (questions stay in their groups)."""
    with change(actor, "floor.manage", sitting_id, detail={"op": "clear"}) as c:
        rows = queue(sitting_id)
        now = timezone.now()
        Request.objects.filter(pk__in=[r.pk for r in rows]).update(status=Status.REMOVED, closed_at=now)
        c.detail["removed"] = len(rows)
        c.emit("floor.queue", queue_state(sitting_id))
        _tell(c, *[r.member_id for r in rows])
    return {}


def set_closed(actor: Actor, sitting_id: int, closed: bool) -> dict:
    with change(actor, "floor.manage", sitting_id, detail={"op": "close" if closed else "open"}) as c:
        fl = _floor_list(c.sitting)
        if fl.closed == closed:
            raise ServiceError("invalid_state", _("Danh sách đã khóa.") if closed else _("Danh sách đang mở."))
        fl.closed = closed
        fl.save(update_fields=["closed"])
        c.emit("floor.queue", queue_state(sitting_id))
    return {}


def reorder(actor: Actor, sitting_id: int, request_id: int, index: int) -> dict:
    """Move a waiting request to `index` of its list (the queue, or its issue group's questions)."""
    with change(actor, "floor.manage", sitting_id, live=False,
                detail={"op": "reorder", "request_id": request_id, "index": index}) as c:
        _not_closed(c)
        request = _waiting(sitting_id, request_id)
        rows = _question_rows(request.issue_id) if request.kind == Kind.QUESTION else queue(sitting_id)
        by_id = {r.pk: r for r in rows}
        _renumber([by_id[i] for i in R.moved(list(by_id), request.pk, index)])
        if request.kind == Kind.QUESTION:
            c.emit("questioning.changed", questioning_state(c.sitting))
        else:
            c.emit("floor.queue", queue_state(sitting_id))
    return {}


def readd_last(actor: Actor, sitting_id: int) -> dict:
    """Put the last speaker back at the head of the queue (a turn cut short, a mistake)."""
    with change(actor, "floor.manage", sitting_id, detail={"op": "readd_last"}) as c:
        last = last_speech(sitting_id)
        if last is None:
            raise ServiceError("invalid_state", _("Chưa có ai phát biểu."))
        kind = last.kind if last.kind in OWN_KINDS and last.kind != Kind.REPLY else Kind.SPEECH
        existing = Request.objects.filter(sitting_id=sitting_id, member_id=last.member_id, kind=kind,
                                          status=Status.WAITING).first()
        if existing is not None:
            raise ServiceError("already_requested", _("Đại biểu đã đăng ký loại này và đang chờ."))
        number = _next_number(sitting_id)
        user = _person(c)
        request = Request(sitting_id=sitting_id, item_id=last.item_id, member_id=last.member_id, kind=kind,
                          number=number, requested_at=timezone.now(), added_by=user, issue_id=last.issue_id)
        _place(list(_waiting_list(sitting_id).only("id", "position", "number")), request, 0)
        request.save()
        c.detail["request_id"] = request.pk
        c.emit("floor.requested", {"request": request_info(request), "index": 0})
        _tell(c, last.member_id)
    return {"request_id": request.pk}


# ---- the floor ---------------------------------------------------------------------------

_MEMBER = ("member__delegate_group", "member__seat")  # a request's member as the floor shows them

def _end(speech: Speech, now, ending: str) -> None:
    if speech.paused_at is not None:
        speech.pauses = [*speech.pauses, [speech.paused_at.isoformat(), now.isoformat()]]
        speech.paused_s += max(0.0, (now - speech.paused_at).total_seconds())
        speech.paused_at = None
    speech.ended_at = now
    speech.ending = ending
    speech.save(update_fields=["pauses", "paused_s", "paused_at", "ended_at", "ending"])


def _used_seconds(sitting_id: int, member_id: int, item_id: int | None) -> float:
    if item_id is None:
        return 0.0
    return sum(s.spoken_seconds() for s in Speech.objects.filter(
        sitting_id=sitting_id, member_id=member_id, item_id=item_id, ended_at__isnull=False).exclude(kind=Kind.ORDER))


def _start(c, member: Member, kind: str, now, floor_rules, *, request: Request | None = None, issue_id=None,
           question: Request | None = None) -> Speech:
    item_id = request.item_id if request is not None and request.item_id else _current_item_id(c.sitting.pk)
    counts = kind not in (Kind.ORDER, Kind.ANSWER, Kind.OPENING) and member.kind == Member.Kind.DELEGATE
    # What they have spoken matters only against a quota (turn_limit): not read without one.
    used = _used_seconds(c.sitting.pk, member.pk, item_id) if counts and floor_rules.quota_seconds_per_item else 0
    limit = R.turn_limit(floor_rules.limit(kind), quota_s=floor_rules.quota_seconds_per_item, used_s=used,
                         counts_to_quota=counts)
    if limit is None:
        raise ServiceError("quota_used", _("%(name)s đã dùng hết thời gian phát biểu cho nội dung này.") % {
            "name": member.full_name})
    user = _person(c)
    speech = Speech.objects.create(sitting_id=c.sitting.pk, item_id=item_id, member=member, kind=kind,
                                   request=request, issue_id=issue_id, question=question, started_at=now,
                                   limit_s=limit, given_by=user)
    if request is not None:
        request.status = Status.HEARD
        request.closed_at = now
        request.save(update_fields=["status", "closed_at"])
        _emit_queue_change(c, request)
    c.detail["speech_id"] = speech.pk
    return speech


def _hand_over(c, cur: Speech | None, start) -> dict:
    """End the current turn (if any), start the next (start(now, rules) -> Speech or None), tell
    everyone. The body's rules are read once, for the new turn's limit and the speaker's state."""
    now = timezone.now()
    floor_rules = rules_for(c.sitting)
    if cur is not None:
        _end(cur, now, Speech.Ending.NEXT)
    speech = start(now, floor_rules)
    c.emit("floor.speaker", speaker_state(c.sitting, rules=floor_rules))
    _tell(c, cur.member_id if cur else None, speech.member_id if speech else None)
    return {"speech_id": speech.pk if speech else None}


def next_speaker(actor: Actor, sitting_id: int, *, expect_current=UNCHECKED, issue_id=None) -> dict:
    """The head of the queue (or, with `issue_id`, the next question of that group) takes the floor;
    the current speaker's turn ends. With nobody waiting, the current turn just ends."""
    with change(actor, "floor.manage", sitting_id, detail={"op": "next", "issue_id": issue_id}) as c:
        cur = current_speech(sitting_id)
        _check_current(c, cur, expect_current)
        if issue_id is not None:
            group = _issue(sitting_id, issue_id)
            head = (Request.objects.filter(issue_id=group.pk, kind=Kind.QUESTION, status=Status.WAITING)
                    .select_related(*_MEMBER).order_by("position", "number").first())
        else:
            head = _waiting_list(sitting_id).select_related(*_MEMBER).first()  # the head alone, however long the list
        if head is None and cur is None:
            raise ServiceError("queue_empty", _("Không còn ai trong danh sách."))

        def start(now, floor_rules):
            if head is None:
                return None
            return _start(c, head.member, head.kind, now, floor_rules, request=head, issue_id=head.issue_id)

        return _hand_over(c, cur, start)


def give_floor(actor: Actor, sitting_id: int, *, expect_current=UNCHECKED, request_id=None, member_id=None,
               kind: str = "free", issue_id=None, question_id=None) -> dict:
    """Give the floor to a chosen waiting request, or to anyone (`member_id`, `kind`): an official
    answering a question (`answer`, `question_id`), an official's opening statement on an issue
    group (`opening`, `issue_id`), a speech the chair invites (`free`)."""
    if (request_id is None) == (member_id is None):
        raise ServiceError("invalid_args", _("Hãy chọn một đăng ký hoặc một người."))
    if member_id is not None and kind not in GIVEN_KINDS:
        raise ServiceError("invalid_args", _("Loại phát biểu không hợp lệ."))
    with change(actor, "floor.manage", sitting_id,
                detail={"op": "give", "request_id": request_id, "member_id": member_id, "kind": kind}) as c:
        cur = current_speech(sitting_id)
        _check_current(c, cur, expect_current)
        if request_id is not None:
            request = _waiting(sitting_id, request_id)
            member = Member.objects.select_related("delegate_group", "seat").get(pk=request.member_id)
            return _hand_over(c, cur, lambda now, rules: _start(c, member, request.kind, now, rules, request=request,
                                                                 issue_id=request.issue_id))
        member = Member.objects.filter(pk=member_id).select_related("delegate_group", "seat").first()
        if member is None:
            raise ServiceError("not_found", _("Không tìm thấy người được mời phát biểu."))
        question = None
        if kind == Kind.ANSWER:
            question = Request.objects.filter(pk=question_id, sitting_id=sitting_id, kind=Kind.QUESTION).first()
            if question is None:
                raise ServiceError("no_such_request", _("Không có câu hỏi này trong phiên họp."))
            issue_id = question.issue_id
        elif kind == Kind.OPENING:
            issue_id = _issue(sitting_id, issue_id).pk
        elif issue_id is not None:
            issue_id = _issue(sitting_id, issue_id).pk
        return _hand_over(c, cur, lambda now, rules: _start(c, member, kind, now, rules, issue_id=issue_id,
                                                             question=question))


def _current_as_seen(c, sitting_id: int, speech_id: int) -> Speech:
    cur = current_speech(sitting_id)
    if cur is None or cur.pk != speech_id:
        _stale(c, cur)
    return cur


def stop(actor: Actor, sitting_id: int, speech_id: int) -> dict:
    """End the current speaker's turn (the one the client saw: `stale` otherwise)."""
    with change(actor, "floor.manage", sitting_id, detail={"op": "stop", "speech_id": speech_id}) as c:
        cur = _current_as_seen(c, sitting_id, speech_id)
        _end(cur, timezone.now(), Speech.Ending.STOPPED)
        c.emit("floor.speaker", speaker_state(c.sitting))
        _tell(c, cur.member_id)
    return {}


def stop_all(actor: Actor, sitting_id: int) -> dict:
    """Priority: every microphone off now, whoever was speaking (no expectation to check)."""
    with change(actor, "floor.manage", sitting_id, detail={"op": "stop_all"}) as c:
        cur = current_speech(sitting_id)
        if cur is not None:
            _end(cur, timezone.now(), Speech.Ending.STOP_ALL)
            c.detail["speech_id"] = cur.pk
        c.emit("floor.speaker", speaker_state(c.sitting, priority=True))
        _tell(c, cur.member_id if cur else None)
    return {}


def pause(actor: Actor, sitting_id: int, speech_id: int) -> dict:
    with change(actor, "floor.manage", sitting_id, detail={"op": "pause", "speech_id": speech_id}) as c:
        cur = _current_as_seen(c, sitting_id, speech_id)
        if cur.paused_at is not None:
            raise ServiceError("invalid_state", _("Đồng hồ đang tạm dừng."))
        cur.paused_at = timezone.now()
        cur.save(update_fields=["paused_at"])
        c.emit("floor.speaker", speaker_state(c.sitting))
    return {}


def resume(actor: Actor, sitting_id: int, speech_id: int) -> dict:
    with change(actor, "floor.manage", sitting_id, detail={"op": "resume", "speech_id": speech_id}) as c:
        cur = _current_as_seen(c, sitting_id, speech_id)
        if cur.paused_at is None:
            raise ServiceError("invalid_state", _("Đồng hồ không tạm dừng."))
        now = timezone.now()
        cur.pauses = [*cur.pauses, [cur.paused_at.isoformat(), now.isoformat()]]
        cur.paused_s += max(0.0, (now - cur.paused_at).total_seconds())
        cur.paused_at = None
        cur.save(update_fields=["pauses", "paused_s", "paused_at"])
        c.emit("floor.speaker", speaker_state(c.sitting))
    return {}


def extend(actor: Actor, sitting_id: int, speech_id: int, seconds: int) -> dict:
    """Grant extra time to the current speaker."""
    if not 1 <= seconds <= MAX_EXTRA:
        raise ServiceError("invalid_args", _("Thời gian thêm phải từ 1 đến %(n)d giây.") % {"n": MAX_EXTRA})
    with change(actor, "floor.manage", sitting_id,
                detail={"op": "extend", "speech_id": speech_id, "seconds": seconds}) as c:
        cur = _current_as_seen(c, sitting_id, speech_id)
        cur.extra_s += seconds
        cur.save(update_fields=["extra_s"])
        c.emit("floor.speaker", speaker_state(c.sitting))
    return {}


def stop_on_close(c, now) -> None:
    """The sitting closes (meeting.services.close_sitting): the turn at the floor ends with it."""
    cur = current_speech(c.sitting.pk)
    if cur is not None:
        _end(cur, now, Speech.Ending.CLOSED)
        c.emit("floor.speaker", speaker_state(c.sitting))
        _tell(c, cur.member_id)


# ---- questioning -------------------------------------------------------------------------

def add_issue_group(actor: Actor, sitting_id: int, title: str, official_ids: list[int], *, item_id=None) -> dict:
    """The standing committee's choice of an issue group for questioning, with who answers it."""
    title = (title or "").strip()
    if not title or len(title) > 500:
        raise ServiceError("invalid_args", _("Tên nhóm vấn đề phải có từ 1 đến 500 ký tự."))
    with change(actor, "floor.manage", sitting_id, live=False, detail={"op": "issue_group", "title": title}) as c:
        _not_closed(c)
        if item_id is not None and not AgendaItem.objects.filter(pk=item_id, sitting_id=sitting_id).exists():
            raise ServiceError("no_such_item", _("Mục này không thuộc chương trình phiên họp."))
        officials = list(Member.objects.filter(pk__in=official_ids))
        if len(officials) != len(set(official_ids)):
            raise ServiceError("not_found", _("Không tìm thấy người trả lời."))
        top = IssueGroup.objects.filter(sitting_id=sitting_id).aggregate(m=Max("position"))["m"]
        group = IssueGroup.objects.create(sitting_id=sitting_id, item_id=item_id, title=title,
                                          position=0 if top is None else top + 1)
        group.officials.set(officials)
        c.detail["issue_id"] = group.pk
        c.emit("questioning.changed", questioning_state(c.sitting))
    return {"issue_id": group.pk}


def record_commitment(actor: Actor, sitting_id: int, question_id: int, text: str, *, official_id=None,
                      due=None) -> dict:
    """What an official committed to while answering a question, recorded against it."""
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise ServiceError("invalid_args", _("Nội dung cam kết phải có từ 1 đến %(n)d ký tự.") % {"n": MAX_TEXT})
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            raise ServiceError("invalid_args", _("Thời hạn thực hiện không phải là một ngày hợp lệ.")) from None
    with change(actor, "floor.manage", sitting_id, live=False,
                detail={"op": "commitment", "question_id": question_id}) as c:
        question = Request.objects.filter(pk=question_id, sitting_id=sitting_id, kind=Kind.QUESTION).first()
        if question is None:
            raise ServiceError("no_such_request", _("Không có câu hỏi này trong phiên họp."))
        if official_id is None:
            official_id = question.official_id or (
                Speech.objects.filter(question=question, kind=Kind.ANSWER).order_by("-started_at")
                .values_list("member_id", flat=True).first())
        if official_id is None or not Member.objects.filter(pk=official_id).exists():
            raise ServiceError("not_found", _("Hãy chọn người đã cam kết."))
        user = _person(c)
        commitment = Commitment.objects.create(question=question, official_id=official_id, text=text, due=due,
                                               recorded_at=timezone.now(), recorded_by=user)
        c.detail["commitment_id"] = commitment.pk
        c.emit("questioning.changed", questioning_state(c.sitting))
    return {"commitment_id": commitment.pk}

