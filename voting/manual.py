"""The manual fallback (issue 14, item 3): when the electronic system cannot be used, the chair or
secretary enters a show of hands or the board's paper count into the poll, with the reason.

It is a new round of the same poll (nothing earlier is overwritten: a failed electronic round is
voided, with its reason, and stays on record), marked `manual` with its reason, opened and closed
at once with the counts entered as its result. The counts are checked (none negative; ballots
returned at most the delegates present, who are at most the total; a motion's counts and invalid
ballots add up to the ballots returned; a candidate has at most one mark per valid ballot and a
ballot at most `seats` marks; each official is rated on every valid ballot) and the result is
computed by the same pure tally (voting/tally.py) as an electronic round's, from ballots made up to
match the counts (only the counts matter to it). The round is published like any other; the
change is audited with the counts and the reason.

Command `vote.manual` (registered from voting.hub.register through `register()` here).
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from audit.operations import ServiceError
from meeting.state import quorum_state
from realtime.service import change

from . import tally as T
from .models import Round
from .services import LIVE_STATUSES, MAX_REASON, PASSING, _emit_poll, _poll

MAX_COUNT = 100_000


def _bad(message: str):
    raise ServiceError("invalid_count", message)


def ballots_for(kind: str, options: list[str], counts: dict, valid: int, invalid: int, seats: int) -> list[dict]:
    """Ballots that the tally counts as `counts` (checked here: `invalid_count` when none can)."""
    if set(counts) != set(options):
        _bad(_("Hãy nhập số phiếu cho mỗi lựa chọn, và chỉ các lựa chọn của cuộc biểu quyết."))
    bad = [{"invalid": True}] * invalid  # a form the tally counts as invalid
    if kind in T.SINGLE:
        if any(not isinstance(n, int) for n in counts.values()):
            _bad(_("Số phiếu phải là số nguyên không âm."))
        if sum(counts.values()) != valid:
            _bad(_("Tổng số phiếu các lựa chọn phải bằng số phiếu hợp lệ."))
        return [{"option": k} for k in options for _n in range(counts[k])] + bad
    if kind == "election":
        if any(not isinstance(n, int) or n > valid for n in counts.values()):
            _bad(_("Số phiếu của mỗi người ứng cử không được quá số phiếu hợp lệ."))
        if sum(counts.values()) > valid * seats:
            _bad(_("Mỗi phiếu bầu được chọn tối đa %(n)d người.") % {"n": seats})
        chosen: list[list[str]] = [[] for _i in range(valid)]
        marks = [k for k in options for _n in range(counts[k])]
        for i, key in enumerate(marks):  # a candidate's marks on consecutive ballots: never twice on one
            chosen[i % valid].append(key)
        return [{"chosen": c} for c in chosen] + bad
    # rating: each official rated on every valid ballot
    for levels in counts.values():
        if not isinstance(levels, dict) or set(levels) != set(T.RATING_LEVELS) or sum(levels.values()) != valid:
            _bad(_("Mỗi người được lấy phiếu phải có đủ ba mức, cộng lại bằng số phiếu hợp lệ."))
    ballots = [{"ratings": {}} for _i in range(valid)]
    for key in options:
        levels = [lvl for lvl in T.RATING_LEVELS for _n in range(counts[key][lvl])]
        for ballot, level in zip(ballots, levels):
            ballot["ratings"][key] = level
    return ballots + bad


def enter(actor: Actor, sitting_id: int, poll_id: int, *, counts: dict, invalid: int = 0, valid: int | None = None,
          reason: str) -> dict:
    """A manual round of the poll with `counts` as its result (docstring of the module). `valid`:
    the valid ballots, needed for an election or a rating (a motion's is the sum of its counts)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ServiceError("invalid_args", _("Hãy ghi lý do kiểm đếm thủ công (tối đa %(n)d ký tự).") % {"n": MAX_REASON})
    with change(actor, "vote.manage", sitting_id, detail={"op": "manual", "poll_id": poll_id, "counts": counts,
                                                            "valid": valid, "invalid": invalid, "reason": reason}) as c:
        poll = _poll(sitting_id, poll_id)
        if poll.cancelled_reason:
            raise ServiceError("invalid_state", _("Cuộc biểu quyết đã hủy."))
        busy = Round.objects.filter(poll__sitting_id=sitting_id, status__in=LIVE_STATUSES).select_related("poll").first()
        if busy is not None:
            raise ServiceError("vote_in_progress", _("Đang biểu quyết “%(title)s”; hãy kết thúc hoặc hủy trước.") % {
                "title": busy.poll.title})
        q = quorum_state(c.sitting)
        if not q["met"]:
            raise ServiceError("no_quorum", _("Chưa đủ túc số: có mặt %(present)d/%(total)d, cần %(required)d.") % q)
        options = list(poll.options.values_list("key", flat=True))
        values = [n for v in counts.values() for n in (v.values() if isinstance(v, dict) else [v])]
        if not isinstance(invalid, int) or invalid < 0 or any(not isinstance(n, int) or n < 0 or n > MAX_COUNT
                                                               for n in values):
            _bad(_("Số phiếu phải là số nguyên không âm."))
        if poll.kind in T.SINGLE and valid is None:
            valid = sum(n for n in values)
        if valid is None:
            _bad(_("Hãy nhập số phiếu hợp lệ."))
        if not isinstance(valid, int) or valid < 0:
            _bad(_("Số phiếu phải là số nguyên không âm."))
        if valid + invalid > q["present"]:
            _bad(_("Số phiếu (%(n)d) nhiều hơn số đại biểu có mặt (%(present)d).") % {
                "n": valid + invalid, "present": q["present"]})
        ballots = ballots_for(poll.kind, options, counts, valid, invalid, poll.seats)
        rule = T.Rule(poll.base, poll.threshold_num, poll.threshold_den, poll.inclusive)
        result = T.tally(poll.kind, options, ballots, rule=rule, total=q["total"], present=q["present"],
                         seats=poll.seats, passing_option=PASSING.get(poll.kind, "yes"))
        now = timezone.now()
        number = max([0, *poll.rounds.values_list("number", flat=True)]) + 1
        r = Round.objects.create(poll=poll, number=number, status=Round.Status.CLOSED, manual=True,
                                 manual_reason=reason, opened_at=now, closed_at=now, total=q["total"],
                                 present=q["present"], voted=valid + invalid, result=result)
        c.detail["round_id"] = r.pk
        _emit_poll(c, poll)
    return {"round_id": r.pk}


# ---- the hub --------------------------------------------------------------------------------

def register():
    """`vote.manual`: called from voting.hub.register()."""
    from typing import Literal

    from pydantic import conint, constr

    from realtime import registry
    from realtime.schemas import Id as ArgId
    from realtime.schemas import Strict

    from .hub import RoundResult

    n = conint(ge=0, le=MAX_COUNT)

    class ManualArgs(Strict):
        poll_id: ArgId
        counts: dict[constr(max_length=40), n | dict[Literal["high", "confidence", "low"], n]]
        invalid: n = 0
        valid: n | None = None
        reason: constr(min_length=1, max_length=MAX_REASON)

    registry.register_command(
        "vote.manual", ManualArgs,
        lambda actor, sid, a: enter(actor, sid, a.poll_id, counts=dict(a.counts), invalid=a.invalid,
                                      valid=a.valid, reason=a.reason),
        result=RoundResult, action="vote.manage")
    registry.register_error("invalid_count", "A manual count that cannot be: a negative or missing count, more "
                                             "ballots than delegates present, counts that do not add up.")
