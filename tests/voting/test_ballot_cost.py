"""What a ballot costs the voting module (issue 14, the vote burst: 500 ballots in 10 s): one read
of everything it is checked against (the round, its poll and urn, the voter's right to vote and
earlier ballot, the chain's head), then its rows, its chain link and the round's count. The
statements of the write path itself (the lock, the audit record, the events) are the core's; they
are bounded here loosely, voting's own exactly. And a ballot's checks and records stay as they were:
each error code, the chain (a changed vote linked as such), secrecy."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.operations import ServiceError
from meeting import services as meeting
from voting import chain, services
from voting.extra_models import VoteLink
from voting.models import OpenBallot, Participation, Round, Urn

from .records import as_member, delegates, ready


def voters():
    return delegates()[3:]  # not the chair

CORE_AT_MOST = 14  # the write path's own statements around a ballot (lock, who acts, audit, events)


def voting_statements(queries) -> list[str]:
    """Voting's statements, one run for many rows as one ("1 times: INSERT ...": realtime.rows), the
    ballot's read as PostgreSQL runs it once prepared (EXECUTE hub_vote_ballot: realtime.rows.read_one)
    and without the once-per-connection PREPARE."""
    return [re.sub(r"^\d+ times: ", "", q["sql"]).replace("EXECUTE hub_vote_ballot", "SELECT (prepared)")
            for q in queries if ('"voting_' in q["sql"] or "hub_vote_" in q["sql"]) and not q["sql"].startswith("PREPARE")]


def open_poll(sitting, actors, **poll) -> int:
    poll_id = services.create_poll(actors["chair"], sitting.pk, **{"title": "Thông qua Nghị quyết", **poll})["poll_id"]
    return services.open_round(actors["chair"], sitting.pk, poll_id)["round_id"]


def cast_counted(sitting, member, round_id, choice) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        services.cast(as_member(sitting, member), sitting.pk, round_id, choice)
    mine = voting_statements(queries.captured_queries)
    assert len(queries.captured_queries) <= len(mine) + CORE_AT_MOST, [q["sql"] for q in queries.captured_queries]
    return mine


def test_an_open_ballot_is_one_read_its_row_its_link_and_the_count(sitting, actors):
    ready(sitting, actors)
    people = voters()
    round_id = open_poll(sitting, actors)
    cast_counted(sitting, people[0], round_id, {"option": "yes"})  # the first of the round, as any other
    for member, option in zip(people[1:4], ("no", "abstain", "yes"), strict=True):
        mine = cast_counted(sitting, member, round_id, {"option": option})
        assert len(mine) == 4, mine
        assert mine[0].startswith("SELECT") and [s.split()[0] for s in mine[1:]] == ["INSERT", "INSERT", "UPDATE"]
    assert Round.objects.get(pk=round_id).voted == 4
    assert OpenBallot.objects.filter(round_id=round_id).count() == 4
    assert chain.verify_sitting(sitting.pk) is None


def test_a_secret_ballot_is_one_read_its_participation_its_link_the_urn_and_the_count(sitting, actors):
    ready(sitting, actors)
    people = voters()
    cands = people[10:12]
    round_id = open_poll(sitting, actors, kind="election", title="Bầu Phó Chủ tịch", candidate_ids=[c.pk for c in cands])
    for i, member in enumerate(people[:4]):
        mine = cast_counted(sitting, member, round_id, {"chosen": [f"m{cands[i % 2].pk}"]})
        # + the candidates' keys: an election's options are the poll's own (a motion's are its kind's)
        assert len(mine) == 6, mine
    assert Participation.objects.filter(round_id=round_id).count() == 4
    assert len(Urn.objects.get(round_id=round_id).ballots) == 4
    assert Round.objects.get(pk=round_id).voted == 4
    link = VoteLink.objects.filter(sitting_id=sitting.pk).order_by("-seq").first()
    assert link.kind == "ballot" and link.data == {"round_id": round_id}  # no voter, no choice
    assert chain.verify_sitting(sitting.pk) is None


def test_a_changed_vote_is_one_read_its_update_and_its_link(sitting, actors):
    ready(sitting, actors)
    alice = voters()[0]
    round_id = open_poll(sitting, actors, allow_change=True)
    cast_counted(sitting, alice, round_id, {"option": "yes"})
    mine = cast_counted(sitting, alice, round_id, {"option": "no"})
    assert [s.split()[0] for s in mine] == ["SELECT", "UPDATE", "INSERT"], mine
    ballot = OpenBallot.objects.get(round_id=round_id, member=alice)
    assert ballot.choice == {"option": "no"} and ballot.changed_at is not None
    assert Round.objects.get(pk=round_id).voted == 1
    link = VoteLink.objects.filter(sitting_id=sitting.pk).order_by("-seq").first()
    assert link.data == {"round_id": round_id, "member_id": alice.pk, "choice": {"option": "no"}, "changed": True}
    assert chain.verify_sitting(sitting.pk) is None


def code_of(call) -> str:
    with pytest.raises(ServiceError) as e:
        call()
    return e.value.code


def test_each_refusal_keeps_its_code_and_its_order(sitting, actors):
    ready(sitting, actors)
    people = voters()
    round_id = open_poll(sitting, actors)
    alice, bob = as_member(sitting, people[0]), as_member(sitting, people[1])
    assert code_of(lambda: services.cast(alice, sitting.pk, round_id + 999, {"option": "yes"})) == "no_such_poll"
    services.cast(alice, sitting.pk, round_id, {"option": "yes"})
    assert code_of(lambda: services.cast(alice, sitting.pk, round_id, {"option": "no"})) == "already_voted"
    # an invalid choice is told before a ballot already cast, and absence before an invalid choice
    assert code_of(lambda: services.cast(alice, sitting.pk, round_id, {"option": "maybe"})) == "invalid_ballot"
    meeting.mark_selected(actors["secretary"], sitting.pk, [people[1].pk], "absent")
    assert code_of(lambda: services.cast(bob, sitting.pk, round_id, {"option": "maybe"})) == "not_present"
    services.close_round(actors["chair"], sitting.pk, round_id)
    assert code_of(lambda: services.cast(bob, sitting.pk, round_id, {"option": "yes"})) == "poll_not_open"


def test_a_secret_ballot_is_taken_once(sitting, actors):
    ready(sitting, actors)
    alice = as_member(sitting, voters()[0])
    round_id = open_poll(sitting, actors, kind="confidence", title="Bỏ phiếu tín nhiệm")
    services.cast(alice, sitting.pk, round_id, {"option": "trust"})
    assert code_of(lambda: services.cast(alice, sitting.pk, round_id, {"option": "no_trust"})) == "already_voted"
    assert code_of(lambda: services.cast(alice, sitting.pk, round_id, {"option": "yes"})) == "invalid_ballot"
    assert Urn.objects.get(round_id=round_id).ballots == [{"option": "trust"}]
    assert Round.objects.get(pk=round_id).voted == 1
