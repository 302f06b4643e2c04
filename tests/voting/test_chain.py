"""The voting chain (issue 14, item 6): every poll event and ballot appended, hash-chained, in the
transaction of its change; a secret ballot's link names no voter and no choice, its round's close
the urn's digest; `verify_vote_chain` finds the first link changed behind the application's back."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.operations import ServiceError
from tests.secrecy import SecretHunt
from voting import board, chain, manual, services
from voting.extra_models import VoteLink
from voting.models import Round, Urn

from .records import as_member, delegates, ready, voted_round


def raw_update(table: str, column: str, value, pk_column: str, pk) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {cast} WHERE {pk_column} = %s", [json.dumps(value), pk])


def verify_command() -> tuple[bool, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_vote_chain", stdout=out, stderr=err)
        return True, out.getvalue()
    except CommandError:
        return False, err.getvalue()


@pytest.fixture
def voted(sitting, actors):
    """An open vote, a secret election, a manual round and the board's approval: all chained."""
    ready(sitting, actors)
    people = delegates()
    with SecretHunt() as hunt:
        open_round = voted_round(sitting, actors, {people[3]: {"option": "yes"}, people[4]: {"option": "no"}},
                                 publish=True)
        cands = people[10:12]
        secret_round = voted_round(sitting, actors, {v: {"chosen": [f"m{cands[i % 2].pk}"]}
                                                     for i, v in enumerate(people[1:8])},
                                   kind="election", title="Bầu Phó Chủ tịch", candidate_ids=[c.pk for c in cands])
        board.set_board(actors["secretary"], sitting.pk, [m.pk for m in people[15:18]], people[15].pk)
        board.approve(actors["chair"], sitting.pk, secret_round)
        manual.enter(actors["chair"], sitting.pk, Round.objects.get(pk=open_round).poll_id,
                     counts={"yes": 12, "no": 1, "abstain": 0}, reason="Giơ tay")
    return {"open": open_round, "secret": secret_round, "people": people, "cands": cands, "hunt": hunt}


def test_every_event_and_ballot_is_chained_and_the_chain_holds(sitting, voted):
    links = list(VoteLink.objects.filter(sitting_id=sitting.pk).order_by("seq"))
    assert [link.seq for link in links] == list(range(1, len(links) + 1))
    assert links[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(links, links[1:]))
    kinds = [link.kind for link in links]
    assert kinds.count("ballot") == 2 + 7 and "board" in kinds and "approval" in kinds
    open_ballots = [link.data for link in links if link.kind == "ballot" and link.data["round_id"] == voted["open"]]
    people = voted["people"]
    assert sorted((b["member_id"], b["choice"]["option"]) for b in open_ballots) == sorted(
        [(people[3].pk, "yes"), (people[4].pk, "no")])
    # a secret ballot's link: that a ballot was cast in the round, nothing else
    secret = [link.data for link in links if link.kind == "ballot" and link.data["round_id"] == voted["secret"]]
    assert secret == [{"round_id": voted["secret"]}] * 7
    closes = [link.data for link in links if link.kind == "round" and link.data["round_id"] == voted["secret"]
              and link.data["status"] == "closed"]
    assert closes[0]["urn_sha256"] == chain.urn_digest(Urn.objects.get(round_id=voted["secret"]).ballots)
    statuses = [link.data["status"] for link in links if link.kind == "round" and link.data["round_id"] == voted["open"]]
    assert statuses == ["open", "closed", "published"]
    manual_round = [link.data for link in links if link.kind == "round" and link.data["manual"]]
    assert manual_round[0]["result"]["counts"] == {"yes": 12, "no": 1, "abstain": 0}
    assert chain.verify() == []
    ok, out = verify_command()
    assert ok and f"{len(links)} links in 1 sitting" in out
    # no secret choice in the chain (nor anywhere but the urn)
    ballots = [f'{{"chosen": ["m{c.pk}"]}}' for c in voted["cands"]]
    assert voted["hunt"].find(*ballots, allowed={"voting.Urn"}) == []


def test_a_refused_change_leaves_no_link_and_a_link_is_never_saved_again(sitting, actors, voted):
    before = VoteLink.objects.count()
    with pytest.raises(ServiceError):
        services.cast(as_member(sitting, voted["people"][3]), sitting.pk, voted["open"], {"option": "no"})
    poll = services.create_poll(actors["chair"], sitting.pk, title="Thăm dò")["poll_id"]
    r = services.open_round(actors["chair"], sitting.pk, poll)["round_id"]
    with pytest.raises(ServiceError):
        services.cast(as_member(sitting, voted["people"][3]), sitting.pk, r, {"option": "maybe"})
    assert VoteLink.objects.count() == before + 2  # the poll and its round's opening, no more
    link = VoteLink.objects.last()
    link.kind = "poll"
    with pytest.raises(ValueError):
        link.save()
    with pytest.raises(ValueError):
        link.delete()


def test_the_first_tampered_link_is_reported(sitting, voted):
    links = list(VoteLink.objects.filter(sitting_id=sitting.pk).order_by("seq"))
    target = next(link for link in links if link.kind == "ballot" and link.data.get("choice") == {"option": "no"})
    later = links[-1]
    raw_update("voting_votelink", "data", {**later.data, "reason": "sửa"}, "id", later.pk)
    raw_update("voting_votelink", "data", {**target.data, "choice": {"option": "yes"}}, "id", target.pk)
    breaks = chain.verify()
    assert [(b.seq, b.link_id) for b in breaks] == [(target.seq, target.pk)]
    assert "changed" in breaks[0].reason
    ok, err = verify_command()
    assert not ok and f"link seq {target.seq} (id {target.pk})" in err


def test_a_removed_link_and_a_changed_urn_are_reported(sitting, voted):
    links = list(VoteLink.objects.filter(sitting_id=sitting.pk).order_by("seq"))
    urn = Urn.objects.get(round_id=voted["secret"]).ballots
    raw_update("voting_urn", "ballots", [*urn[1:], urn[0]], "round_id", voted["secret"])  # another order: same urn
    assert chain.verify() == []
    raw_update("voting_urn", "ballots", [{"chosen": [f"m{voted['cands'][0].pk}"]}] * len(urn), "round_id", voted["secret"])
    breaks = chain.verify()
    assert len(breaks) == 1 and f"urn of round {voted['secret']}" in breaks[0].reason
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM voting_votelink WHERE id = %s", [links[4].pk])
    breaks = chain.verify()
    assert [(b.seq, b.reason) for b in breaks] == [(links[5].seq, f"link seq {links[4].seq} is missing")]
