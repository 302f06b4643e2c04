"""The manual fallback (issue 14, item 3): a show of hands or the board's paper count entered into
the poll as a new round, marked manual with its reason, its counts checked and counted by the same
tally; every refusal changes nothing."""

import pytest
from channels.db import database_sync_to_async

from audit.models import AuditRecord
from voting import manual
from voting.models import Round

from .records import delegates, ready, voted_round
from .test_voting_hub import make_poll, sitting_with_quorum  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True)
async def test_a_show_of_hands_is_entered_as_a_manual_round_and_published(sitting_with_quorum):
    c = sitting_with_quorum
    chair, secretary, alice = c["chair"], c["secretary"], c["alice"]
    poll = await make_poll(chair)
    failed = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    reason = "Hệ thống biểu quyết điện tử gặp sự cố: biểu quyết giơ tay"
    counts = {"yes": 15, "no": 3, "abstain": 2}
    # a round open: void it first (it stays on record)
    assert await chair.error("vote.manual", {"poll_id": poll, "counts": counts, "reason": reason}) == "vote_in_progress"
    await chair.ok("vote.void", {"round_id": failed, "reason": reason})
    for who in ("alice", "display", "public", "guest"):
        assert await c[who].error("vote.manual", {"poll_id": poll, "counts": counts, "reason": reason}) == "forbidden"
    round_id = (await secretary.ok("vote.manual", {"poll_id": poll, "counts": counts, "reason": reason}))["round_id"]
    assert await chair.error("vote.close", {"round_id": round_id}) == "invalid_state"  # closed already
    assert await alice.error("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}}) == "poll_not_open"
    await chair.ok("vote.publish", {"round_id": round_id})
    for client in c.values():
        await client.settle()
        rounds = client.state["voting"]["polls"][0]["rounds"]
        assert [(r["number"], r["status"], r["manual"]) for r in rounds] == [(1, "voided", False),
                                                                            (2, "published", True)]
        result = rounds[1]["result"]
        assert (result["counts"], result["cast"], result["needed"], result["passed"]) == (counts, 20, 11, True)
    r = await database_sync_to_async(Round.objects.get)(pk=round_id)
    assert (r.manual_reason, r.voted) == (reason, 20)
    audited = await database_sync_to_async(lambda: list(AuditRecord.objects.filter(action="vote.manage").values_list(
        "detail", flat=True)))()
    assert any(d.get("op") == "manual" and d.get("counts") == counts and d.get("reason") == reason for d in audited)


BAD = [
    ({"yes": 15, "no": 3, "abstain": 3}, {}, "invalid_count"),  # 21 hands, 20 present
    ({"yes": 15, "no": 3}, {}, "invalid_count"),  # an option missing
    ({"yes": 1, "no": 1, "abstain": 1, "maybe": 1}, {}, "invalid_count"),  # an option of no poll
    ({"yes": -1, "no": 3, "abstain": 0}, {}, "invalid_args"),
    ({"yes": 10, "no": 3, "abstain": 0}, {"invalid": 8}, "invalid_count"),  # 21 ballots
    ({"yes": 10, "no": 3, "abstain": 0}, {"reason": " "}, "invalid_args"),
    ({"yes": {"high": 1}, "no": 3, "abstain": 0}, {}, "invalid_count"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counts,more,code", BAD)
async def test_a_count_that_cannot_be_is_refused_and_changes_nothing(sitting_with_quorum, counts, more, code):
    chair = sitting_with_quorum["chair"]
    poll = await make_poll(chair)
    args = {"poll_id": poll, "counts": counts, "reason": "Giơ tay", **more}
    assert await chair.error("vote.manual", args) == code
    assert await database_sync_to_async(Round.objects.count)() == 0


def test_an_election_and_a_rating_counted_on_paper(sitting, actors):
    ready(sitting, actors)
    people = delegates()
    cands = [f"m{m.pk}" for m in people[10:13]]
    from voting import services

    poll = services.create_poll(actors["chair"], sitting.pk, title="Bầu Ủy viên", kind="election", seats=2,
                                candidate_ids=[m.pk for m in people[10:13]])["poll_id"]
    # 18 valid ballots of two marks at most: 12 + 11 + 10 = 33 marks ≤ 36
    r = Round.objects.get(pk=manual.enter(actors["secretary"], sitting.pk, poll, counts=dict(zip(cands, (12, 11, 10))),
                                          valid=18, invalid=1, reason="Phiếu giấy")["round_id"])
    assert (r.result["counts"], r.result["valid"], r.result["invalid"], r.result["elected"]) == (
        dict(zip(cands, (12, 11, 10))), 18, 1, cands[:2])  # more than half of 20: 11
    with pytest.raises(manual.ServiceError) as e:  # a candidate on more ballots than there are
        manual.enter(actors["secretary"], sitting.pk, poll, counts=dict(zip(cands, (19, 1, 1))), valid=18,
                     reason="Phiếu giấy")
    assert e.value.code == "invalid_count"
    with pytest.raises(manual.ServiceError) as e:  # more marks than seats on the ballots
        manual.enter(actors["secretary"], sitting.pk, poll, counts=dict(zip(cands, (18, 18, 1))), valid=18,
                     reason="Phiếu giấy")
    assert e.value.code == "invalid_count"

    officials = people[15:17]
    keys = [f"m{m.pk}" for m in officials]
    poll = services.create_poll(actors["chair"], sitting.pk, title="Lấy phiếu tín nhiệm", kind="rating",
                                candidate_ids=[m.pk for m in officials])["poll_id"]
    counts = {keys[0]: {"high": 2, "confidence": 4, "low": 14}, keys[1]: {"high": 20, "confidence": 0, "low": 0}}
    r = Round.objects.get(pk=manual.enter(actors["secretary"], sitting.pk, poll, counts=counts, valid=20,
                                          reason="Phiếu giấy")["round_id"])
    assert r.result["counts"] == counts and r.result["flags"] == {keys[0]: "confidence_vote", keys[1]: None}
    with pytest.raises(manual.ServiceError) as e:  # an official not rated on every ballot
        manual.enter(actors["secretary"], sitting.pk, poll, reason="Phiếu giấy", valid=20,
                     counts={keys[0]: {"high": 2, "confidence": 4, "low": 13}, keys[1]: counts[keys[1]]})
    assert e.value.code == "invalid_count"
    assert Round.objects.filter(poll_id=poll).count() == 1


def test_an_electronic_round_and_its_manual_recount_both_stay(sitting, actors):
    ready(sitting, actors)
    people = delegates()
    first = voted_round(sitting, actors, {people[3]: {"option": "yes"}})
    r = Round.objects.get(pk=first)
    second = manual.enter(actors["chair"], sitting.pk, r.poll_id, counts={"yes": 12, "no": 0, "abstain": 0},
                          reason="Biểu quyết lại bằng giơ tay")["round_id"]
    assert list(Round.objects.filter(poll_id=r.poll_id).values_list("number", "manual", "result__counts__yes")) == [
        (1, False, 1), (2, True, 12)]
    assert Round.objects.get(pk=first).result == r.result and second != first
