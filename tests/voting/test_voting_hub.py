"""Voting over real WebSockets (issue 14): a poll opened only with quorum, ballots taken exactly
once from delegates present, the result computed from the stored ballots at close, shown to the
hall once published; a secret poll keeps who voted apart from what was voted."""

import pytest
from channels.db import database_sync_to_async

from meeting.models import Member
from tests.secrecy import SecretHunt
from voting.models import OpenBallot, Participation, Round, Urn

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def delegate_ids(n=None):
    ids = list(Member.objects.filter(kind="delegate").order_by("code").values_list("pk", flat=True))
    return ids if n is None else ids[:n]


@pytest.fixture
async def sitting_with_quorum(hub):
    clients = await hub.connect_all("chair", "secretary", "alice", "bob", "guest", "display", "public")
    await clients["chair"].ok("sitting.open")
    await clients["secretary"].ok("attendance.mark_selected", {"member_ids": await delegate_ids()})
    for client in clients.values():
        await client.settle()
    return clients


async def make_poll(chair, **args):
    return (await chair.ok("vote.create", {"title": "Thông qua Nghị quyết về dự toán ngân sách năm 2027", **args}))[
        "poll_id"]


async def test_an_open_vote_counts_each_delegate_once_and_shows_the_result_once_published(sitting_with_quorum):
    c = sitting_with_quorum
    chair, alice, bob = c["chair"], c["alice"], c["bob"]
    poll = await make_poll(chair)
    round_id = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    assert await chair.error("vote.open", {"poll_id": poll}) == "vote_in_progress"
    await alice.ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
    assert await alice.error("vote.cast", {"round_id": round_id, "choice": {"option": "no"}}) == "already_voted"
    assert await bob.error("vote.cast", {"round_id": round_id, "choice": {"option": "maybe"}}) == "invalid_ballot"
    await bob.ok("vote.cast", {"round_id": round_id, "choice": {"option": "no"}})
    for who in ("guest", "display", "public", "chair"):
        assert await c[who].error("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}}) == "forbidden"
    for client in c.values():
        await client.settle()
        r = client.state["voting"]["polls"][0]["rounds"][0]
        assert (r["status"], r["voted"], r["result"]) == ("open", 2, None)
    alice_id, bob_id = (await delegate_ids())[9:11]
    assert chair.state["voting"]["polls"][0]["rounds"][0]["voters"] == sorted([alice_id, bob_id])
    assert alice.state["voting"]["polls"][0]["rounds"][0]["voters"] is None  # the chair alone sees who voted
    await alice.settle_private()
    assert alice.private["vote"] == {"ballots": [{"round_id": round_id, "choice": {"option": "yes"}}]}

    await chair.ok("vote.close", {"round_id": round_id})
    assert await chair.error("vote.close", {"round_id": round_id}) == "invalid_state"
    assert await alice.error("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}}) == "poll_not_open"
    await chair.settle()
    await alice.settle()
    result = chair.state["voting"]["polls"][0]["rounds"][0]["result"]
    assert (result["counts"], result["base_count"], result["needed"], result["passed"]) == (
        {"yes": 1, "no": 1, "abstain": 0}, 20, 11, False)
    # an open poll's roll call (each option's voters: the stored `by_member`, compact) and counts
    # per delegate group (alice and bob are in groups 10 and 1)
    assert "by_member" not in result
    assert result["by_option"] == {"yes": [alice_id], "no": [bob_id], "abstain": []}
    assert {g["group"]: g["counts"] for g in result["groups"]} == {
        "Tổ 10": {"yes": 1, "no": 0, "abstain": 0}, "Tổ 1": {"yes": 0, "no": 1, "abstain": 0}}
    assert alice.state["voting"]["polls"][0]["rounds"][0]["result"] is None  # not published yet
    await chair.ok("vote.publish", {"round_id": round_id})
    for client in c.values():
        await client.settle()
        assert client.state["voting"]["polls"][0]["rounds"][0]["result"] == result
    assert await database_sync_to_async(OpenBallot.objects.count)() == 2


async def test_no_round_opens_without_quorum(hub):
    clients = await hub.connect_all("chair", "secretary")
    await clients["chair"].ok("sitting.open")
    poll = await make_poll(clients["chair"])
    reply = await clients["chair"].command("vote.open", {"poll_id": poll})
    assert reply["error"]["code"] == "no_quorum" and "0/20" in reply["error"]["message"]
    assert await database_sync_to_async(Round.objects.count)() == 0


async def test_a_delegate_absent_cannot_vote_and_a_revote_is_a_new_round(sitting_with_quorum):
    c = sitting_with_quorum
    chair, secretary, alice = c["chair"], c["secretary"], c["alice"]
    alice_id = (await delegate_ids())[9]
    await secretary.ok("attendance.mark", {"member_id": alice_id, "status": "absent"})
    poll = await make_poll(chair)
    first = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    assert await alice.error("vote.cast", {"round_id": first, "choice": {"option": "yes"}}) == "not_present"
    await chair.ok("vote.void", {"round_id": first, "reason": "Hệ thống biểu quyết trục trặc"})
    second = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    await chair.settle()
    rounds = chair.state["voting"]["polls"][0]["rounds"]
    assert [(r["id"], r["number"], r["status"]) for r in rounds] == [(first, 1, "voided"), (second, 2, "open")]
    assert rounds[0]["voided_reason"] == "Hệ thống biểu quyết trục trặc"


async def test_a_secret_ballot_keeps_who_apart_from_what(sitting_with_quorum):
    c = sitting_with_quorum
    chair, alice, bob = c["chair"], c["alice"], c["bob"]
    poll = await make_poll(chair, kind="dismissal", title="Miễn nhiệm chức vụ Ủy viên UBND tỉnh")
    with SecretHunt() as hunt:
        round_id = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
        await alice.ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
        await bob.ok("vote.cast", {"round_id": round_id, "choice": {"option": "no"}})
        await alice.settle_private()
        await chair.ok("vote.close", {"round_id": round_id})
    # the voter saw their receipt (never stored), and you.vote says only that they voted
    receipts = [e for e in alice.member_events if e["type"] == "vote.receipt"]
    assert receipts and receipts[0]["data"]["choice"] == {"option": "yes"} and receipts[0]["pseq"] is None
    assert alice.private["vote"] == {"ballots": [{"round_id": round_id, "choice": None}]}
    # the choices are in the urn alone (no voter in it, at a random place); the voters apart
    urn = await database_sync_to_async(lambda: Urn.objects.get(round_id=round_id).ballots)()
    assert sorted(b["option"] for b in urn) == ["no", "yes"]
    assert await database_sync_to_async(Participation.objects.filter(round_id=round_id).count)() == 2
    assert {f.name for f in Participation._meta.get_fields()} == {"id", "round", "member"}
    assert {f.name for f in Urn._meta.get_fields()} == {"round", "ballots"}
    # nowhere else: no event, outcome, audit record, per-member store or log line holds a ballot
    ballots = ('{"option": "yes"}', '{"option": "no"}')
    assert await database_sync_to_async(hunt.find)(*ballots, allowed={"voting.Urn"}) == []
    # the hunt is not blind: it finds the ballots in the urn
    assert await database_sync_to_async(hunt.find)(*ballots) != []


async def test_a_delegate_excluded_from_a_poll_cannot_vote_in_it(sitting_with_quorum):
    c = sitting_with_quorum
    alice_id = (await delegate_ids())[9]
    poll = await make_poll(c["chair"], kind="dismissal", title="Miễn nhiệm đại biểu", excluded_ids=[alice_id])
    round_id = (await c["chair"].ok("vote.open", {"poll_id": poll}))["round_id"]
    assert await c["alice"].error("vote.cast", {"round_id": round_id, "choice": {"option": "no"}}) == "not_entitled"
    await c["bob"].ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
    await c["alice"].settle()
    assert c["alice"].state["voting"]["polls"][0]["excluded"] == [alice_id]


async def test_cancelling_a_poll_voids_its_open_round_and_keeps_the_reason(sitting_with_quorum):
    chair = sitting_with_quorum["chair"]
    poll = await make_poll(chair)
    await chair.ok("vote.open", {"poll_id": poll})
    assert await chair.error("vote.cancel", {"poll_id": poll, "reason": "   "}) == "invalid_args"
    await chair.ok("vote.cancel", {"poll_id": poll, "reason": "Rút tờ trình để chỉnh sửa"})
    assert await chair.error("vote.cancel", {"poll_id": poll, "reason": "again"}) == "invalid_state"
    assert await chair.error("vote.open", {"poll_id": poll}) == "invalid_state"
    await sitting_with_quorum["public"].settle()
    shown = sitting_with_quorum["public"].state["voting"]["polls"][0]
    assert shown["cancelled_reason"] == "Rút tờ trình để chỉnh sửa"
    assert shown["rounds"][0]["status"] == "voided"


async def test_a_ballot_sent_again_with_its_id_is_answered_from_its_one_outcome(sitting_with_quorum):
    c = sitting_with_quorum
    poll = await make_poll(c["chair"], secret=True)
    round_id = (await c["chair"].ok("vote.open", {"poll_id": poll}))["round_id"]
    args = {"round_id": round_id, "choice": {"option": "yes"}}
    first = await c["alice"].reply_to(await c["alice"].send("vote.cast", args, id="ballot-1"))
    again = await c["alice"].reply_to(await c["alice"].send("vote.cast", args, id="ballot-1"))
    assert first["ok"] is True and again == {**first, "replayed": True}
    # the same id with another choice cannot be told apart (no fingerprint of a secret command):
    # it is the same ballot, answered the same, and nothing changes
    other = await c["alice"].reply_to(await c["alice"].send("vote.cast", {**args, "choice": {"option": "no"}},
                                                            id="ballot-1"))
    assert other == again
    urn = await database_sync_to_async(lambda: Urn.objects.get(round_id=round_id).ballots)()
    assert urn == [{"option": "yes"}]
    await c["chair"].settle()
    assert c["chair"].state["voting"]["polls"][0]["rounds"][0]["voted"] == 1


async def test_the_sitting_does_not_close_during_a_vote(sitting_with_quorum):
    chair = sitting_with_quorum["chair"]
    poll = await make_poll(chair)
    round_id = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    assert await chair.error("sitting.close") == "vote_in_progress"
    await chair.ok("vote.close", {"round_id": round_id})
    await chair.ok("sitting.close")


async def test_no_round_opens_while_the_attendance_is_checked_again(sitting_with_quorum):
    """Issue 14 item 2: the attendance check right before a vote (the roll call, meeting): the
    quorum and the present base are those after it, so a round waits for it to end."""
    c = sitting_with_quorum
    chair, alice = c["chair"], c["alice"]
    poll = await make_poll(chair)
    await chair.ok("attendance.roll_call_start", {})
    assert await chair.error("vote.open", {"poll_id": poll}) == "roll_call_open"
    await alice.ok("attendance.check_in", {"remote": False})
    await chair.ok("attendance.roll_call_end", {"mark_absent": False})
    round_id = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    await alice.ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
