"""Voting's changes, each through the one write path (realtime.service.change).

A poll is prepared (draft: its first round not opened yet), then each round is opened, cast
into, held and resumed, closed (the result computed once from the stored ballots, then never
changed), published, or voided with a reason. A re-vote opens a new round; earlier ones stay.

A ballot is a command of its own (exactly once, realtime.service.run_command, registered
`secret`: no fingerprint of the choice is kept). It is checked under the sitting's lock: the
round is open, the voter a delegate of the body and present, the choice valid for the poll; one
per delegate per round is also a unique index. Open rounds keep a named `OpenBallot`; secret ones
a `Participation` (who) and the choice in the round's `Urn` at a random place (what), never
joined (voting.models).
"""

import logging
import secrets
from dataclasses import dataclass

from django.db import DatabaseError, connection, connections, router, transaction
from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from agenda.models import AgendaItem
from audit.operations import ServiceError
from meeting.models import Attendance, Member, Membership
from meeting.services import roll_call_open, roll_call_refusal
from meeting.state import quorum_state
from realtime.rows import read_one, together, update_rows
from realtime.service import change

from . import chain
from . import tally as T
from .extra_models import CountApproval, VoteLink
from .models import OpenBallot, Option, Participation, Poll, Round, Urn
from .state import poll_state

log = logging.getLogger(__name__)
SECRET_KINDS = ("election", "dismissal", "rating", "confidence")
FIXED_OPTIONS = {
    "motion": [("yes", "Tán thành"), ("no", "Không tán thành"), ("abstain", "Không biểu quyết")],
    "indicative": [("yes", "Tán thành"), ("no", "Không tán thành"), ("abstain", "Không biểu quyết")],
    "dismissal": [("yes", "Đồng ý"), ("no", "Không đồng ý")],
    "confidence": [("trust", "Tín nhiệm"), ("no_trust", "Không tín nhiệm")],
}
PASSING = {"motion": "yes", "indicative": "yes", "dismissal": "yes", "confidence": "trust"}
MAX_REASON = 500
LIVE_STATUSES = (Round.Status.OPEN, Round.Status.HELD)


def _poll(sitting_id: int, poll_id: int) -> Poll:
    poll = Poll.objects.filter(pk=poll_id, sitting_id=sitting_id).first()
    if poll is None:
        raise ServiceError("no_such_poll", _("Không có cuộc biểu quyết này trong phiên họp."))
    return poll


def _round(sitting_id: int, round_id: int) -> Round:
    r = Round.objects.filter(pk=round_id, poll__sitting_id=sitting_id).select_related("poll").first()
    if r is None:
        raise ServiceError("no_such_poll", _("Không có lần biểu quyết này trong phiên họp."))
    return r


def _emit_poll(c, poll: Poll) -> None:
    c.emit("vote.poll", poll_state(poll))


def create_poll(actor: Actor, sitting_id: int, *, title: str, kind: str = "motion", secret: bool | None = None,
                base: str = "total", threshold_num: int = 1, threshold_den: int = 2, inclusive: bool = False,
                allow_change: bool = False, seats: int = 1, duration_s: int = 0, candidate_ids=(),
                item_id=None, excluded_ids=()) -> dict:
    """Prepare a poll. Elections, dismissals, confidence ratings and votes are secret by law
    (DOMAIN.md); a secret ballot cannot be changed once cast (nothing ties it to its voter)."""
    title = (title or "").strip()
    if not title or len(title) > 500:
        raise ServiceError("invalid_args", _("Nội dung biểu quyết phải có từ 1 đến 500 ký tự."))
    if kind in SECRET_KINDS:
        secret = True
    secret = bool(secret)
    if not 0 < threshold_num <= threshold_den:
        raise ServiceError("invalid_args", _("Ngưỡng phải là một phân số từ 0 đến 1."))
    if kind in ("election", "rating") and not candidate_ids:
        raise ServiceError("invalid_args", _("Hãy chọn người ứng cử hoặc người được lấy phiếu."))
    with change(actor, "vote.manage", sitting_id, live=False, detail={"op": "create", "title": title, "kind": kind}) as c:
        if c.sitting.status == c.sitting.Status.CLOSED:
            raise ServiceError("sitting_not_live", _("Phiên họp đã bế mạc."))
        if item_id is not None and not AgendaItem.objects.filter(pk=item_id, sitting_id=sitting_id).exists():
            raise ServiceError("no_such_item", _("Mục này không thuộc chương trình phiên họp."))
        members = {m.pk: m for m in Member.objects.filter(pk__in=list(candidate_ids))}
        if len(members) != len(set(candidate_ids)):
            raise ServiceError("not_found", _("Không tìm thấy người ứng cử hoặc người được lấy phiếu."))
        excluded = list(Member.objects.filter(pk__in=list(excluded_ids)))
        if len(excluded) != len(set(excluded_ids)):
            raise ServiceError("not_found", _("Không tìm thấy đại biểu không tham gia biểu quyết."))
        poll = Poll.objects.create(sitting_id=sitting_id, item_id=item_id, title=title, kind=kind, secret=secret,
                                   base=base, threshold_num=threshold_num, threshold_den=threshold_den,
                                   inclusive=inclusive, allow_change=allow_change and not secret,
                                   seats=max(1, seats), duration_s=duration_s)
        if kind in FIXED_OPTIONS:
            options = [Option(poll=poll, key=k, label=label, position=i)
                       for i, (k, label) in enumerate(FIXED_OPTIONS[kind])]
        else:
            options = [Option(poll=poll, key=f"m{mid}", label=members[mid].full_name, member=members[mid], position=i)
                       for i, mid in enumerate(dict.fromkeys(candidate_ids))]
        Option.objects.bulk_create(options)
        poll.excluded.set(excluded)
        c.detail["poll_id"] = poll.pk
        _emit_poll(c, poll)
    return {"poll_id": poll.pk}


def open_round(actor: Actor, sitting_id: int, poll_id: int) -> dict:
    """Open the poll's next round: only with quorum, and one round open at a time in a sitting."""
    with change(actor, "vote.manage", sitting_id, detail={"op": "open", "poll_id": poll_id}) as c:
        poll = _poll(sitting_id, poll_id)
        if poll.cancelled_reason:
            raise ServiceError("invalid_state", _("Cuộc biểu quyết đã hủy."))
        busy = Round.objects.filter(poll__sitting_id=sitting_id, status__in=LIVE_STATUSES).select_related("poll").first()
        if busy is not None:
            raise ServiceError("vote_in_progress", _("Đang biểu quyết “%(title)s”; hãy kết thúc trước.") % {
                "title": busy.poll.title})
        if roll_call_open(c.sitting):
            # The attendance check before the vote: the quorum and the present base come after it.
            raise roll_call_refusal()
        q = quorum_state(c.sitting)
        if not q["met"]:
            raise ServiceError("no_quorum", _("Chưa đủ túc số: có mặt %(present)d/%(total)d, cần %(required)d.") % q)
        now = timezone.now()
        number = (poll.rounds.aggregate(m=Max("number"))["m"] or 0) + 1
        r = Round.objects.create(poll=poll, number=number, opened_at=now, total=q["total"], present=q["present"],
                                 closes_at=now + timezone.timedelta(seconds=poll.duration_s) if poll.duration_s else None)
        if poll.secret:
            Urn.objects.create(round=r)
        c.detail["round_id"] = r.pk
        _emit_poll(c, poll)
    return {"round_id": r.pk}


# Stand-ins for the ids a ballot is checked with, in the compiled query (_ballot_sql).
_ROUND_SLOT, _SITTING_SLOT, _BODY_SLOT, _MEMBER_SLOT = -720_000_001, -720_000_002, -720_000_003, -720_000_004
_ROUND_FIELDS = ("id", "status", "closes_at", "voted")
_POLL_FIELDS = ("id", "sitting_id", "kind", "secret", "allow_change", "seats")
_CHECKS = ("is_delegate", "is_excluded", "is_present", "ballot_id", "took_part", "chain_seq", "chain_hash")
_BALLOT_SQL: dict[tuple, tuple] = {}


def _ballot_sql(using: str) -> tuple[str, tuple, dict]:
    """The ballot's one read as SQL, its parameters (the ids as the _SLOTs) and the converters of
    its columns: built by the ORM once per database. Django compiles a queryset anew on each use,
    and this one's compiling cost five times its running (some 5 ms of each ballot)."""
    key = (using, connections[using].vendor)
    compiled = _BALLOT_SQL.get(key)
    if compiled is None:
        member = _MEMBER_SLOT
        head = VoteLink.objects.filter(sitting_id=_SITTING_SLOT).order_by("-seq")
        query = (Round.objects.using(using).filter(pk=_ROUND_SLOT, poll__sitting_id=_SITTING_SLOT).order_by()
                 .annotate(
                     is_delegate=Exists(Membership.objects.filter(body_id=_BODY_SLOT, member_id=member, active=True,
                                                                  member__kind=Member.Kind.DELEGATE)),
                     is_excluded=Exists(Poll.excluded.through.objects.filter(poll_id=OuterRef("poll_id"),
                                                                             member_id=member)),
                     is_present=Exists(Attendance.objects.filter(sitting_id=_SITTING_SLOT, member_id=member,
                                                                 status=Attendance.Status.PRESENT)),
                     ballot_id=Subquery(OpenBallot.objects.filter(round_id=OuterRef("pk"), member_id=member)
                                        .values("pk")[:1]),
                     took_part=Exists(Participation.objects.filter(round_id=OuterRef("pk"), member_id=member)),
                     chain_seq=Subquery(head.values("seq")[:1]),
                     chain_hash=Subquery(head.values("hash")[:1]))
                 .values_list(*_ROUND_FIELDS, *(f"poll__{f}" for f in _POLL_FIELDS), "urn__ballots", *_CHECKS)[:1])
        compiler = query.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select[:compiler.col_count]])
        slots = [p for p in params if p in (_ROUND_SLOT, _SITTING_SLOT, _BODY_SLOT, _MEMBER_SLOT)]
        if {*slots} != {_ROUND_SLOT, _SITTING_SLOT, _BODY_SLOT, _MEMBER_SLOT}:
            raise RuntimeError("the ballot's query does not take each of its ids")
        compiled = _BALLOT_SQL[key] = (sql, tuple(params), converters)
    return compiled


def _from_db(model, using: str, values: dict):
    """An instance of `model` with these fields read (by attname), the others deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(using, names, [values[name] for name in names])


@dataclass
class _Ballot:
    round: Round  # with its poll: id, status, closes_at, voted (the rest deferred)
    urn: Urn | None  # a secret round's
    is_delegate: bool  # an active delegate of the sitting's body
    is_excluded: bool  # excluded from the poll
    is_present: bool
    ballot_id: int | None  # the voter's open ballot in this round
    took_part: bool  # the voter's participation in this (secret) round
    chain_head: tuple[int, str]  # the sitting's voting chain: its last (seq, hash)


def _ballot_round(c, round_id: int, member_id: int | None) -> _Ballot:
    """Everything a ballot is checked against, in one statement read under the sitting's lock:
    the round and its poll, the round's urn (secret; every write of an urn is a ballot, on the
    write path), whether the voter may vote (an active delegate of the sitting's body, present,
    not excluded from the poll), their ballot if any, and the head of the sitting's voting chain
    (the ballot's link follows it: voting.chain.after)."""
    using = router.db_for_write(Round)
    sql, params, converters = _ballot_sql(using)
    ids = {_ROUND_SLOT: round_id, _SITTING_SLOT: c.sitting.pk, _BODY_SLOT: c.sitting.body_id, _MEMBER_SLOT: member_id}
    connection = connections[using]
    row = read_one("vote_ballot", sql, [ids.get(p, p) if isinstance(p, int) else p for p in params], using)
    if row is None:
        raise ServiceError("no_such_poll", _("Không có lần biểu quyết này trong phiên họp."))
    row = list(row)
    for i, (functions, expression) in converters.items():
        for convert in functions:
            row[i] = convert(row[i], expression, connection)
    n, m = len(_ROUND_FIELDS), len(_ROUND_FIELDS) + len(_POLL_FIELDS)
    r = _from_db(Round, using, {**dict(zip(_ROUND_FIELDS, row[:n], strict=True)), "poll_id": row[n]})
    r.poll = _from_db(Poll, using, dict(zip(_POLL_FIELDS, row[n:m], strict=True)))
    urn = _from_db(Urn, using, {"round_id": r.pk, "ballots": row[m]}) if row[m] is not None else None
    checks = dict(zip(_CHECKS, row[m + 1:], strict=True))
    seq, hash_ = checks.pop("chain_seq"), checks.pop("chain_hash")
    return _Ballot(round=r, urn=urn, chain_head=(seq, hash_) if seq is not None else (0, chain.GENESIS),
                   **{k: v if k == "ballot_id" else bool(v) for k, v in checks.items()})


def _option_keys(poll: Poll) -> list[str]:
    """The keys of the poll's options: a kind with fixed options has those (create_poll gives them,
    and nothing changes a poll's options), without a query; candidates and officials are read."""
    if poll.kind in FIXED_OPTIONS:
        return [key for key, _label in FIXED_OPTIONS[poll.kind]]
    return list(poll.options.values_list("key", flat=True))


def _count_ballot(round_id: int) -> None:
    """The round's `voted` + 1: one statement, its SQL built once per database (an ORM update
    compiled anew for every ballot cost more than running it)."""
    using = router.db_for_write(Round)
    connection = connections[using]
    key = ("count", using, connection.vendor)
    sql = _BALLOT_SQL.get(key)
    if sql is None:
        qn, meta = connection.ops.quote_name, Round._meta
        voted = qn(meta.get_field("voted").column)
        sql = _BALLOT_SQL[key] = f"UPDATE {qn(meta.db_table)} SET {voted} = {voted} + 1 WHERE {qn(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_id])


def cast(actor: Actor, sitting_id: int, round_id: int, choice: dict) -> dict:
    """A delegate's ballot in an open round. The reply, and the receipt the voter alone gets,
    come after the ballot is committed.

    The checks, in this order, each with its error: the round is this sitting's (no_such_poll)
    and open (poll_not_open); the voter an active delegate of the body not excluded from the poll
    (not_entitled) and present (not_present); the choice valid for the poll (invalid_ballot); no
    ballot of theirs yet, unless an open poll allows a change (already_voted; one per delegate
    per round is also a unique index). A ballot costs one read (voting._ballot_round), its row
    (secret: the participation and the urn), its chain link, and the round's count."""
    with change(actor, "vote.cast", sitting_id, detail={"round_id": round_id}) as c:
        member_id = c.actor.member_id
        b = _ballot_round(c, round_id, member_id)
        r = b.round
        poll = r.poll
        now = timezone.now()
        if r.status != Round.Status.OPEN or (r.closes_at is not None and now >= r.closes_at):
            raise ServiceError("poll_not_open", _("Lần biểu quyết này không mở để bỏ phiếu."))
        if member_id is None or b.is_excluded or not b.is_delegate:
            raise ServiceError("not_entitled", _("Chỉ đại biểu của %(body)s được biểu quyết.") % {
                "body": c.sitting.body.name})
        if not b.is_present:
            raise ServiceError("not_present", _("Đại biểu chưa điểm danh có mặt nên chưa biểu quyết được."))
        if not T.valid(poll.kind, _option_keys(poll), choice, seats=poll.seats):
            raise ServiceError("invalid_ballot", _("Phiếu không hợp lệ cho cuộc biểu quyết này."))
        head = b.chain_head
        if b.took_part or (b.ballot_id is not None and not poll.allow_change):
            raise ServiceError("already_voted", _("Bạn đã bỏ phiếu trong lần biểu quyết này.") if poll.secret
                               else _("Bạn đã biểu quyết; cuộc biểu quyết này không cho sửa."))
        if b.ballot_id is not None:  # an open poll that allows a change
            ballot = OpenBallot(pk=b.ballot_id, round=r, member_id=member_id, choice=choice, changed_at=now)
            chain.after(ballot, *head).save(update_fields=["choice", "changed_at"])
            c.detail.update(changed=True, choice=choice)
            c.emit_to(member_id, "vote.mine", {"round_id": r.pk, "choice": choice})
            return {"round_id": r.pk}
        # A new ballot: its rows, its link and the count, sent together (one round trip on PostgreSQL).
        with together():
            if poll.secret:
                chain.insert_ballot(Participation(round=r, member_id=member_id), c.sitting.pk, head)
                urn = b.urn
                urn.ballots.insert(secrets.randbelow(len(urn.ballots) + 1), choice)
                update_rows(Urn, ("ballots",), ("round",), [urn])
            else:
                chain.insert_ballot(OpenBallot(round=r, member_id=member_id, choice=choice, cast_at=now),
                                    c.sitting.pk, head)
            _count_ballot(r.pk)
        if poll.secret:
            c.emit_to(member_id, "vote.receipt", {"round_id": r.pk, "choice": choice}, store=False)
        else:
            c.detail["choice"] = choice
        r.voted += 1  # as read under the sitting's lock: the count just written
        # One count per round for the ballots committed together (voting.hub: coalesced, merged).
        c.emit("vote.count", {"poll_id": poll.pk, "round_id": r.pk, "voted": r.voted,
                              "member_ids": [] if poll.secret else [member_id]})
        c.emit_to(member_id, "vote.mine", {"round_id": r.pk, "choice": None if poll.secret else choice})
    return {"round_id": r.pk}


def _ballots(r: Round) -> list[dict]:
    if r.poll.secret:
        return list(Urn.objects.get(round=r).ballots)
    return list(OpenBallot.objects.filter(round=r).values_list("choice", flat=True))


def result_of(r: Round) -> dict:
    """The round's result from its stored ballots; for an open poll also each delegate's vote
    (`by_member`, published with the result as a roll call) and the counts per delegate group."""
    poll = r.poll
    options = list(poll.options.values_list("key", flat=True))
    rule = T.Rule(poll.base, poll.threshold_num, poll.threshold_den, poll.inclusive)
    result = T.tally(poll.kind, options, _ballots(r), rule=rule, total=r.total, present=r.present,
                     seats=poll.seats, passing_option=PASSING.get(poll.kind, "yes"))
    if not poll.secret:
        rows = list(OpenBallot.objects.filter(round=r).select_related("member__delegate_group")
                    .order_by("member_id"))
        result["by_member"] = [{"member_id": b.member_id, "choice": b.choice} for b in rows]
        if poll.kind in T.SINGLE:
            groups: dict[str, dict[str, int]] = {}
            for b in rows:
                g = b.member.delegate_group
                name = (g.short_name or g.name) if g is not None else ""
                counts = groups.setdefault(name, dict.fromkeys(options, 0))
                if b.choice.get("option") in counts:
                    counts[b.choice["option"]] += 1
            result["groups"] = [{"group": name, "counts": counts} for name, counts in sorted(groups.items())]
    return result


def _live_round(sitting_id: int, round_id: int, *statuses) -> Round:
    r = _round(sitting_id, round_id)
    if r.status not in statuses:
        raise ServiceError("invalid_state", _("Lần biểu quyết đang ở trạng thái “%(status)s”.") % {
            "status": r.get_status_display()})
    return r


def close_round(actor: Actor, sitting_id: int, round_id: int) -> dict:
    """Close the round: no ballot is taken after this, and the result is computed once from the
    ballots stored (a ballot committed before the close is in it; one after it was refused)."""
    with change(actor, "vote.manage", sitting_id, detail={"op": "close", "round_id": round_id}) as c:
        r = _live_round(sitting_id, round_id, Round.Status.OPEN, Round.Status.HELD)
        r.status, r.closed_at = Round.Status.CLOSED, timezone.now()
        r.result = result_of(r)
        r.save(update_fields=["status", "closed_at", "result"])
        _emit_poll(c, r.poll)
        if r.poll.secret:
            transaction.on_commit(forget_urn_versions)
    return {"round_id": r.pk}


def forget_urn_versions() -> None:
    """PostgreSQL keeps the urn's earlier row versions (one per ballot, each with its writing
    transaction's id, as a Participation row has) until a vacuum: drop them once the round is
    closed, so that not even the database's own files pair a voter with a choice. Best effort
    (a transaction older than the close keeps them until the next vacuum)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Urn._meta.db_table}")
    except DatabaseError:
        log.warning("vacuuming the secret ballot urns failed; the nightly vacuum will do it", exc_info=True)


def publish(actor: Actor, sitting_id: int, round_id: int) -> dict:
    """Show a closed round's result to everyone. A secret round's count (a manual one's too) is
    approved by the ballot-counting board first (voting.board.approve): `count_not_approved`."""
    with change(actor, "vote.manage", sitting_id, detail={"op": "publish", "round_id": round_id}) as c:
        r = _live_round(sitting_id, round_id, Round.Status.CLOSED)
        if r.poll.secret and not CountApproval.objects.filter(round=r).exists():
            raise ServiceError("count_not_approved", _("Ban kiểm phiếu chưa phê chuẩn kết quả kiểm phiếu nên chưa "
                                                       "công bố được."))
        r.status, r.published_at = Round.Status.PUBLISHED, timezone.now()
        r.save(update_fields=["status", "published_at"])
        _emit_poll(c, r.poll)
    return {"round_id": r.pk}


def hold(actor: Actor, sitting_id: int, round_id: int) -> dict:
    with change(actor, "vote.manage", sitting_id, detail={"op": "hold", "round_id": round_id}) as c:
        r = _live_round(sitting_id, round_id, Round.Status.OPEN)
        r.status, r.held_at = Round.Status.HELD, timezone.now()
        r.save(update_fields=["status", "held_at"])
        _emit_poll(c, r.poll)
    return {}


def resume(actor: Actor, sitting_id: int, round_id: int) -> dict:
    with change(actor, "vote.manage", sitting_id, detail={"op": "resume", "round_id": round_id}) as c:
        r = _live_round(sitting_id, round_id, Round.Status.HELD)
        now = timezone.now()
        if r.closes_at is not None:  # the countdown does not run while held
            r.closes_at += now - r.held_at
        r.status, r.held_at = Round.Status.OPEN, None
        r.save(update_fields=["status", "held_at", "closes_at"])
        _emit_poll(c, r.poll)
    return {}


def void(actor: Actor, sitting_id: int, round_id: int, reason: str) -> dict:
    """Void a round, with the reason on record; it stays visible (and its result, if closed)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Hãy ghi lý do hủy (tối đa %(n)d ký tự).") % {"n": MAX_REASON})
    with change(actor, "vote.manage", sitting_id, live=False,
                detail={"op": "void", "round_id": round_id, "reason": reason}) as c:
        r = _live_round(sitting_id, round_id, Round.Status.OPEN, Round.Status.HELD, Round.Status.CLOSED)
        r.status, r.voided_reason = Round.Status.VOIDED, reason
        if r.closed_at is None:
            r.closed_at = timezone.now()
        r.save(update_fields=["status", "voided_reason", "closed_at"])
        _emit_poll(c, r.poll)
    return {}


def refuse_closing_during_a_vote(c, now) -> None:
    """The sitting does not close while a round is open or held (meeting.services.on_closing):
    the chair closes the vote first, so no ballot is left uncounted or silently dropped."""
    busy = Round.objects.filter(poll__sitting_id=c.sitting.pk, status__in=LIVE_STATUSES).select_related("poll").first()
    if busy is not None:
        raise ServiceError("vote_in_progress", _("Đang biểu quyết “%(title)s”; hãy kết thúc biểu quyết trước khi bế mạc.") % {
            "title": busy.poll.title})


def cancel(actor: Actor, sitting_id: int, poll_id: int, reason: str) -> dict:
    """Withdraw a poll from the sitting, with the reason on record; a round open or held is voided
    with it. Closed rounds and their results stay as they were."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Hãy ghi lý do hủy (tối đa %(n)d ký tự).") % {"n": MAX_REASON})
    with change(actor, "vote.manage", sitting_id, live=False,
                detail={"op": "cancel", "poll_id": poll_id, "reason": reason}) as c:
        poll = _poll(sitting_id, poll_id)
        if poll.cancelled_reason:
            raise ServiceError("invalid_state", _("Cuộc biểu quyết đã hủy."))
        poll.cancelled_reason = reason
        poll.save(update_fields=["cancelled_reason"])
        now = timezone.now()
        for r in poll.rounds.filter(status__in=LIVE_STATUSES):
            r.status, r.voided_reason, r.closed_at = Round.Status.VOIDED, reason, now
            r.save(update_fields=["status", "voided_reason", "closed_at"])
        _emit_poll(c, poll)
    return {}
