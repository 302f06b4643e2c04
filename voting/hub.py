"""The voting module's parts of the hub (realtime/registry.py, docs/modules.md, docs/voting.md).

State: `voting` (every poll of the sitting, its options and rounds; results once published,
staff as soon as closed; who voted in an open poll to staff only; a secret round's approval by
the ballot-counting board; the board itself to staff only); `you.vote` (the rounds you voted
in). Events: `vote.poll` (a poll or its round changed), `vote.count` (more ballots: the
count, one per round for the ballots committed together),
`vote.board` (staff: the board changed);
per-member `vote.mine` (stored: you voted, and your choice in an open poll) and `vote.receipt`
(never stored: your secret ballot's choice, for your eyes, kept nowhere). Commands: vote.create,
vote.open, vote.cast (registered secret), vote.close, vote.publish, vote.hold, vote.resume,
vote.void. Registered from VotingConfig.ready().
"""

import copy
from typing import Any, Literal

from pydantic import Field, conint, conlist, constr

from accounts import permissions
from meeting.models import Sitting
from realtime import registry
from realtime.messages import Count, Id, Message, NoResult, Time
from realtime.schemas import Id as ArgId
from realtime.schemas import Strict

from . import autoclose, board, chain, manual, services
from .models import BoardMember, CountApproval, OpenBallot, Option, Participation, Poll, Round
from .state import shape_count, shape_poll, shape_voting, voting_state, you_vote

Kind = Literal["motion", "election", "dismissal", "rating", "confidence", "indicative"]
RoundStatus = Literal["open", "held", "closed", "published", "voided"]


class Rule(Message):
    base: Literal["total", "present", "cast"]
    num: Id
    den: Id
    inclusive: bool = Field(description="true: at least num/den; false: more than num/den")


class OptionInfo(Message):
    key: str
    label: str
    member_id: Id | None


class RoundInfo(Message):
    id: Id
    number: Id
    status: RoundStatus
    manual: bool
    opened_at: Time
    closes_at: Time | None = Field(description="the automatic close of a timed round")
    closed_at: Time | None
    published_at: Time | None
    approved_at: Time | None = Field(description="a secret round: when the ballot-counting board approved its count "
                                                  "(`vote.approve`; it must before `vote.publish`); else null")
    voided_reason: str
    total: Count = Field(description="delegates of the body when the round opened")
    present: Count = Field(description="delegates present when the round opened")
    voted: Count
    result: dict[str, Any] | None = Field(description="counts, percentages of the base, outcome (docs/voting.md); "
                                                      "an open poll's roll call as `by_option` {option: [member id, "
                                                      "…]} (ids ascending); null until published (staff: until "
                                                      "closed)")
    voters: list[Id] | None = Field(description="staff, open polls: the member ids who voted")


class PollInfo(Message):
    id: Id
    item_id: Id | None
    title: str
    kind: Kind
    secret: bool
    rule: Rule
    allow_change: bool
    seats: Id
    duration_s: Count
    cancelled_reason: str
    excluded: list[Id] = Field(description="members who take no part in this poll")
    options: list[OptionInfo]
    rounds: list[RoundInfo]


class Voting(Message):
    polls: list[PollInfo]


class BoardSeat(Message):
    member_id: Id
    name: str
    head: bool = Field(description="the head of the board (trưởng ban)")


class StaffVoting(Voting):
    board: list[BoardSeat] | None = Field(description="the ballot-counting board of the sitting's session (head first, "
                                                      "then by name; empty until elected); null: no session")


class BoardData(Message):
    board: list[BoardSeat] | None


class CountData(Message):
    poll_id: Id
    round_id: Id
    voted: Count
    member_ids: list[Id] = Field(max_length=0, description="empty: who voted is told to staff alone, and of "
                                                            "open polls only")


class StaffCountData(CountData):
    member_ids: list[Id] = Field(description="open polls: who voted since the round's previous count, in the order "
                                             "they voted; empty for a secret poll")


class MyBallot(Message):
    round_id: Id
    choice: dict[str, Any] | None = Field(description="your choice in an open poll; null in a secret one")


class YouVote(Message):
    ballots: list[MyBallot]


class Receipt(Message):
    round_id: Id
    choice: dict[str, Any]


# ---- reducers ---------------------------------------------------------------------------

def _apply_poll(state, data):
    polls = state["voting"]["polls"]
    for i, poll in enumerate(polls):
        if poll["id"] == data["id"]:
            polls[i] = copy.deepcopy(data)
            return
    polls.append(copy.deepcopy(data))


def _apply_count(state, data):
    for poll in state["voting"]["polls"]:
        for r in poll["rounds"]:
            if r["id"] == data["round_id"]:
                r["voted"] = data["voted"]
                if data["member_ids"] and r["voters"] is not None:
                    r["voters"] = sorted({*r["voters"], *data["member_ids"]})


def _merge_counts(earlier, later):
    """Two counts of one round committed together (realtime.service.coalesced): the later count,
    and who voted in either, in the order they voted."""
    seen = set(earlier["member_ids"])
    return {**later, "member_ids": [*earlier["member_ids"], *(m for m in later["member_ids"] if m not in seen)]}


def _apply_board(state, data):
    state["voting"]["board"] = copy.deepcopy(data["board"])


def _apply_mine(you, data):
    ballots = [b for b in you["vote"]["ballots"] if b["round_id"] != data["round_id"]]
    you["vote"]["ballots"] = sorted([*ballots, copy.deepcopy(data)], key=lambda b: b["round_id"])


# ---- commands ---------------------------------------------------------------------------

class CreateArgs(Strict):
    title: constr(min_length=1, max_length=500)
    kind: Kind = "motion"
    secret: bool | None = None
    base: Literal["total", "present", "cast"] = "total"
    threshold_num: conint(ge=1, le=100) = 1
    threshold_den: conint(ge=1, le=100) = 2
    inclusive: bool = False
    allow_change: bool = False
    seats: conint(ge=1, le=100) = 1
    duration_s: conint(ge=0, le=3600) = 0
    candidate_ids: conlist(ArgId, max_length=200) = []
    excluded_ids: conlist(ArgId, max_length=200) = []
    item_id: ArgId | None = None


class PollArgs(Strict):
    poll_id: ArgId


class RoundArgs(Strict):
    round_id: ArgId


class VoidArgs(RoundArgs):
    reason: constr(min_length=1, max_length=services.MAX_REASON)


class CancelArgs(PollArgs):
    reason: constr(min_length=1, max_length=services.MAX_REASON)


class Choice(Strict):
    option: constr(max_length=40) | None = None
    chosen: conlist(constr(max_length=40), max_length=200) | None = None
    ratings: dict[constr(max_length=40), Literal["high", "confidence", "low"]] | None = None


class CastArgs(RoundArgs):
    choice: Choice


class PollResult(Message):
    poll_id: Id


class RoundResult(Message):
    round_id: Id


def _sittings(row) -> list[int]:
    return [row.sitting_id]


def register():
    permissions.register_action("vote.manage", (permissions.CHAIR, permissions.SECRETARY))
    permissions.register_action("vote.cast", (permissions.DELEGATE,))
    registry.register_slice("voting", voting_state, Voting, order=37, shape=shape_voting,
                            schemas={"staff": StaffVoting})
    registry.register_you("vote", lambda actor, sitting: you_vote(sitting.pk, actor.member_id), YouVote,
                          audiences=("delegate",))
    registry.register_source(Poll, _sittings)
    registry.register_source(Option, lambda option: [option.poll.sitting_id])
    registry.register_source(Round, lambda r: [r.poll.sitting_id])
    for model in (OpenBallot, Participation, CountApproval):
        registry.register_source(model, lambda row: [row.round.poll.sitting_id])
    registry.register_source(BoardMember, lambda row: Sitting.objects.filter(session_id=row.session_id)
                             .values_list("pk", flat=True))

    registry.register_event("vote.poll", PollInfo, apply=_apply_poll, shape=shape_poll,
                            doc="A poll was created, or its round opened, held, resumed, closed, published or voided: "
                                "replace the poll with this id in state.voting.polls (or add it).")
    registry.register_event("vote.count", CountData, apply=_apply_count, shape=shape_count,
                            schemas={"staff": StaffCountData}, coalesce=lambda data: data["round_id"],
                            merge=_merge_counts,
                            doc="More ballots: set the round's `voted` (staff, open polls: add `member_ids` to its "
                                "`voters`). The ballots of one round committed together come as one count.")
    registry.register_event("vote.board", BoardData, apply=_apply_board, audiences=("staff",),
                            doc="The ballot-counting board of the sitting's session was elected or changed "
                                "(staff only): state.voting.board = data.board.")
    registry.register_member_event("vote.mine", MyBallot, apply=_apply_mine,
                                   doc="Your ballot is recorded: put it in you.vote.ballots (by round_id).")
    registry.register_member_event("vote.receipt", Receipt, apply=lambda you, data: None, store=False,
                                   doc="Your secret ballot's choice, for you alone (never stored): show it, keep nothing.")

    registry.register_command("vote.create", CreateArgs,
                              lambda actor, sid, a: services.create_poll(actor, sid, **a.model_dump()),
                              result=PollResult, action="vote.manage")
    registry.register_command("vote.open", PollArgs, lambda actor, sid, a: services.open_round(actor, sid, a.poll_id),
                              result=RoundResult, action="vote.manage")
    registry.register_command(
        "vote.cast", CastArgs,
        lambda actor, sid, a: services.cast(actor, sid, a.round_id, a.choice.model_dump(exclude_none=True)),
        result=RoundResult, action="vote.cast", secret=True)
    for name, call in (("vote.close", services.close_round), ("vote.publish", services.publish)):
        registry.register_command(name, RoundArgs, lambda actor, sid, a, call=call: call(actor, sid, a.round_id),
                                  result=RoundResult, action="vote.manage")
    for name, call in (("vote.hold", services.hold), ("vote.resume", services.resume)):
        registry.register_command(name, RoundArgs, lambda actor, sid, a, call=call: call(actor, sid, a.round_id),
                                  result=NoResult, action="vote.manage")
    registry.register_command("vote.void", VoidArgs,
                              lambda actor, sid, a: services.void(actor, sid, a.round_id, a.reason),
                              result=NoResult, action="vote.manage")
    registry.register_command("vote.cancel", CancelArgs,
                              lambda actor, sid, a: services.cancel(actor, sid, a.poll_id, a.reason),
                              result=NoResult, action="vote.manage")
    for code, meaning in ERRORS.items():
        registry.register_error(code, meaning)
    manual.register()  # vote.manual: voting/manual.py
    board.register()  # vote.board, vote.approve: voting/board.py
    chain.register()  # the hash-chained record of every poll event and ballot: voting/chain.py
    autoclose.register()  # a timed round closes at its time: voting/autoclose.py
    registry.register_script("voting/hub-events.js")
    from meeting.services import on_closing

    on_closing(services.refuse_closing_during_a_vote)


ERRORS = {
    "no_such_poll": "No such poll or round in this sitting.",
    "no_quorum": "The sitting has no quorum: a round cannot open (the message says how many are present and needed).",
    "vote_in_progress": "Another round of this sitting is open or held: close it first.",
    "poll_not_open": "The round is not open for ballots (not yet, held, closed, or its time ran out).",
    "not_entitled": "Only a delegate of the sitting's body votes.",
    "invalid_ballot": "The choice does not fit the poll (an unknown option, too many candidates, an official not rated).",
    "already_voted": "You already voted in this round, and it does not allow changing a vote (a secret one never does).",
}
