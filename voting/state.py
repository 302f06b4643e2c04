"""Voting as the hub shows it. Every audience sees each poll, its rounds and how many voted;
the result once published (staff: as soon as it is closed); staff alone see who voted in an open
poll (to see who has not). A secret round shows counts only, ever, and when the ballot-counting
board approved its count (`approved_at`: it names no voter). Staff alone see the board of the
sitting's session (`board`; null when the sitting belongs to no session)."""

from .extra_models import BoardMember
from .models import OpenBallot, Participation, Poll, Round


def iso(dt):
    return dt.isoformat() if dt else None


def hub_result(result: dict | None) -> dict | None:
    """A round's result as the hub shows it. An open poll's roll call is stored (and exported) as
    `by_member`, one {member_id, choice} per delegate; the hub sends it as `by_option`, each
    option's voters (member ids ascending, every option listed), the same roll call in a tenth of
    the size: a published result goes to every screen of the hall at once (issue 14's vote burst:
    500 delegates, 24 kB per screen before, 3 kB after). Screens have the names (state.attendance)."""
    if not result or "by_member" not in result:
        return result
    by_option: dict[str, list[int]] = {key: [] for key in result.get("counts") or {}}
    for ballot in result["by_member"]:
        if set(ballot["choice"]) != {"option"}:
            return result  # not a single choice: as stored (no open poll has another kind)
        by_option.setdefault(ballot["choice"]["option"], []).append(ballot["member_id"])
    shown = {key: value for key, value in result.items() if key != "by_member"}
    shown["by_option"] = {key: sorted(ids) for key, ids in by_option.items()}
    return shown


def _approved_at(r: Round) -> str | None:
    """When the board approved the round's count: a secret poll's rounds are read with their
    approval (poll_state); an open poll has none."""
    if not r.poll.secret:
        return None
    try:
        return iso(r.approval.approved_at)
    except Round.approval.RelatedObjectDoesNotExist:
        return None


def round_state(r: Round, voters: list[int] | None) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "status": r.status,
        "manual": r.manual,
        "opened_at": iso(r.opened_at),
        "closes_at": iso(r.closes_at),
        "closed_at": iso(r.closed_at),
        "published_at": iso(r.published_at),
        "approved_at": _approved_at(r),
        "voided_reason": r.voided_reason,
        "total": r.total,
        "present": r.present,
        "voted": r.voted,
        "result": hub_result(r.result),
        "voters": voters,
    }


def poll_state(poll: Poll) -> dict:
    rounds = poll.rounds.order_by("number")
    rounds = list(rounds.select_related("approval") if poll.secret else rounds)
    voters: dict[int, list[int]] = {}
    if not poll.secret:
        for round_id, member_id in (OpenBallot.objects.filter(round__in=rounds).order_by("member_id")
                                    .values_list("round_id", "member_id")):
            voters.setdefault(round_id, []).append(member_id)
    return {
        "id": poll.pk,
        "item_id": poll.item_id,
        "title": poll.title,
        "kind": poll.kind,
        "secret": poll.secret,
        "rule": {"base": poll.base, "num": poll.threshold_num, "den": poll.threshold_den, "inclusive": poll.inclusive},
        "allow_change": poll.allow_change,
        "seats": poll.seats,
        "duration_s": poll.duration_s,
        "cancelled_reason": poll.cancelled_reason,
        "excluded": sorted(m.pk for m in poll.excluded.all()),
        "options": [{"key": o.key, "label": o.label, "member_id": o.member_id} for o in poll.options.all()],
        "rounds": [round_state(r, None if poll.secret else voters.get(r.pk, [])) for r in rounds],
    }


def board_state(session_id: int | None) -> list[dict] | None:
    """The ballot-counting board of the session (head first, then by name); null: no session."""
    if session_id is None:
        return None
    return [{"member_id": b.member_id, "name": b.member.full_name, "head": b.head}
            for b in BoardMember.objects.filter(session_id=session_id).select_related("member")]


def voting_state(sitting) -> dict:
    return {"polls": [poll_state(p) for p in Poll.objects.filter(sitting_id=sitting.pk).prefetch_related("options", "excluded")],
            "board": board_state(sitting.session_id)}


def _shape_round(r: dict, audience: str) -> dict:
    if audience == "staff":
        return r
    shown = r["status"] == Round.Status.PUBLISHED or (r["status"] == Round.Status.VOIDED and r["published_at"])
    return {**r, "result": r["result"] if shown else None, "voters": None}


def shape_poll(poll: dict, audience: str) -> dict:
    return poll if audience == "staff" else {**poll, "rounds": [_shape_round(r, audience) for r in poll["rounds"]]}


def shape_voting(value: dict, audience: str) -> dict:
    """Staff see it whole; the others its polls as they may see them, and no board."""
    return value if audience == "staff" else {"polls": [shape_poll(p, audience) for p in value["polls"]]}


def shape_count(data: dict, audience: str) -> dict:
    """Who voted (an open poll's `member_ids`) is for staff alone. A count stored before counts
    were merged (2026-12-03) named one voter, `member_id` (null: a secret poll, or told to
    nobody): replayed (`sync`) as the list it now is."""
    if "member_ids" not in data:
        one = data.get("member_id")
        data = {**{k: v for k, v in data.items() if k != "member_id"}, "member_ids": [] if one is None else [one]}
    return data if audience == "staff" else {**data, "member_ids": []}


def you_vote(sitting_id: int, member_id: int | None) -> dict:
    """The rounds you voted in, with your choice where the poll is open (never a secret one's):
    one query (read once per connection)."""
    if member_id is None:
        return {"ballots": []}
    from django.db.models import JSONField, Value

    named = (OpenBallot.objects.filter(round__poll__sitting_id=sitting_id, member_id=member_id)
             .values_list("round_id", "choice").order_by())
    secret = (Participation.objects.filter(round__poll__sitting_id=sitting_id, member_id=member_id)
              .values_list("round_id", Value(None, output_field=JSONField())).order_by())
    ballots = [{"round_id": rid, "choice": choice} for rid, choice in named.union(secret, all=True)]
    return {"ballots": sorted(ballots, key=lambda b: b["round_id"])}
