"""Ballots committed together are told as one count (issue 14, the vote burst; decision 0011).

`vote.count` is registered coalescing by round, with a merge (realtime.registry `coalesce=`,
`merge=`): of the ballots of one round in a group of commands (realtime.service.run_group) the
hall is told once — the last `voted`, and to staff alone, of an open poll alone, who voted since
the previous count, in the order they voted. A secret poll's count never names anyone, to anyone.

Personas: the chair (opens the poll); five delegates present, voting at the same moment; the
audiences that watch: staff (the chair, the secretary), delegates and guests, the hall display,
the public.
"""

import json

import pytest
from django.db import transaction

from accounts.permissions import AUDIENCES, actor_for
from meeting.models import Member
from realtime.audience import shape_event
from realtime.commands import COMMANDS
from realtime.models import SittingEvent
from realtime.service import GroupItem, run_command, run_group
from realtime.snapshot import snapshot_for
from tests.realtime.hub import validate_message
from tests.realtime.test_group_commit import live  # noqa: F401 (the fixture: the sitting open, every delegate present)
from tests.realtime.reducer import ClientState
from voting import services as voting

pytestmark = pytest.mark.django_db

VOTERS = 5


@pytest.fixture
def voters(live):
    """Five delegates present (not the chair), in the order they vote."""
    members = Member.objects.filter(kind="delegate").exclude(user=live.chair).order_by("code")[:VOTERS]
    return [actor_for(live, user=m.user) for m in members]


def open_round(live, chair, **args) -> int:
    poll_id = voting.create_poll(chair, live.pk, title="Thông qua Nghị quyết về dự toán ngân sách năm 2027",
                                 **args)["poll_id"]
    return voting.open_round(chair, live.pk, poll_id)["round_id"]


def ballots(live, voters, round_id, option="yes"):
    schema, call = COMMANDS["vote.cast"]
    items = []
    for i, actor in enumerate(voters):
        args = {"round_id": round_id, "choice": {"option": option}}
        model = schema.model_validate(args)
        items.append(GroupItem(actor=actor, command_id=f"b{i}", cmd="vote.cast", args=args, secret=True,
                               call=lambda actor=actor, model=model: call(actor, live.pk, model)))
    return items


def counts_written(live, items, *, grouped: bool) -> list[dict]:
    """The vote.count events the ballots write (grouped, or each alone), then rolled back."""
    live.refresh_from_db()
    before = live.seq
    with transaction.atomic():
        if grouped:
            outcomes = run_group(live.pk, items)
        else:
            outcomes = [run_command(i.actor, live.pk, i.command_id, i.cmd, i.args, i.call, secret=True) for i in items]
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        counts = list(SittingEvent.objects.filter(sitting=live, seq__gt=before, type="vote.count").order_by("seq")
                      .values_list("seq", "data"))
        transaction.set_rollback(True)
    return [{"seq": seq, "data": data} for seq, data in counts]


def seen_by(count: dict, audience: str) -> dict:
    """The count as the audience receives it, checked against the audience's schema."""
    frame = {"type": "vote.count", "seq": count["seq"], "data": shape_event("vote.count", count["data"], audience)}
    return validate_message(json.dumps(frame), audience)["data"]


def test_ballots_of_an_open_poll_committed_together_are_told_as_one_count(live, actors, voters, caplog):
    round_id = open_round(live, actors["chair"])
    ids = [a.member_id for a in voters]
    alone = counts_written(live, ballots(live, voters, round_id), grouped=False)
    assert [(c["data"]["voted"], c["data"]["member_ids"]) for c in alone] == [(n + 1, [m]) for n, m in enumerate(ids)]

    together = counts_written(live, ballots(live, voters, round_id), grouped=True)
    assert "running each alone" not in caplog.text  # committed as one group
    assert len(together) == 1
    (count,) = together
    assert seen_by(count, "staff") == {"poll_id": count["data"]["poll_id"], "round_id": round_id,
                                       "voted": VOTERS, "member_ids": ids}  # in the order they voted
    for audience in AUDIENCES:
        if audience != "staff":
            assert seen_by(count, audience)["member_ids"] == [], audience  # who voted: staff alone
            assert seen_by(count, audience)["voted"] == VOTERS


def test_ballots_of_a_secret_poll_committed_together_name_nobody_to_anyone(live, actors, voters):
    round_id = open_round(live, actors["chair"], kind="dismissal")
    together = counts_written(live, ballots(live, voters, round_id), grouped=True)
    assert len(together) == 1
    assert together[0]["data"]["member_ids"] == []  # stored so: no audience can be told
    for audience in AUDIENCES:
        assert seen_by(together[0], audience) == {**together[0]["data"], "member_ids": []}
        assert seen_by(together[0], audience)["voted"] == VOTERS


def test_who_has_not_voted_stays_right_for_staff_applying_the_one_count(live, actors, voters):
    """The console's "who has not voted" list is the round's `voters` (staff, open polls): a staff
    client that applies the group's events to its snapshot holds what a fresh snapshot holds."""
    round_id = open_round(live, actors["chair"])
    client = ClientState()
    for audience in AUDIENCES:
        seq, state = snapshot_for(live.pk, audience)
        if audience == "staff":
            client.apply({"type": "snapshot", "seq": seq, "data": state, "you": {"pseq": 0}})
    first = voters[:2]
    run_group(live.pk, ballots(live, first, round_id))
    rest = ballots(live, voters[2:], round_id)
    for i, item in enumerate(rest):
        item.command_id = f"c{i}"
    run_group(live.pk, rest)
    events = list(SittingEvent.objects.filter(sitting=live, seq__gt=client.seq).order_by("seq"))
    assert [e.type for e in events].count("vote.count") == 2  # one per group
    for e in events:
        client.apply({"type": e.type, "seq": e.seq, "data": shape_event(e.type, e.data, "staff")})
    seq, fresh = snapshot_for(live.pk, "staff")
    assert client.seq == seq and client.state == fresh
    r = next(r for p in client.state["voting"]["polls"] for r in p["rounds"] if r["id"] == round_id)
    assert (r["voted"], r["voters"]) == (VOTERS, sorted(a.member_id for a in voters))


@pytest.mark.parametrize("member_id", [None, 7])
def test_a_count_stored_before_counts_were_merged_is_replayed_as_todays(member_id):
    """A count stored by the version before (one voter, `member_id`; null for a secret poll)
    reaches a client replaying the sitting (`sync`) in today's shape, valid for its audience."""
    old = {"poll_id": 3, "round_id": 4, "voted": 12, "member_id": member_id}
    for audience in AUDIENCES:
        named = [member_id] if member_id is not None and audience == "staff" else []
        assert seen_by({"seq": 9, "data": old}, audience) == {"poll_id": 3, "round_id": 4, "voted": 12,
                                                              "member_ids": named}, audience
