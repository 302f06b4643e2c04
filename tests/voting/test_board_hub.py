"""The ballot-counting board over real WebSockets (issue 14, item 5): staff see the session's
board in state.voting and each change of it (`vote.board`, to staff alone); every audience sees
when a secret round's count was approved (`approved_at`, naming no voter); a secret round is not
published before the board approved its count (`count_not_approved`), a manual one neither; an
open poll publishes as before."""

import pytest
from channels.db import database_sync_to_async

from voting.models import Round

from .test_voting_hub import delegate_ids, make_poll, sitting_with_quorum  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)
OTHERS = ("alice", "bob", "guest", "display", "public")


def first_round(client) -> dict:
    return client.state["voting"]["polls"][0]["rounds"][0]


async def test_a_secret_round_is_published_only_after_the_board_approved_its_count(sitting_with_quorum):
    c = sitting_with_quorum
    chair, secretary, alice, bob = c["chair"], c["secretary"], c["alice"], c["bob"]
    ids = await delegate_ids()
    # the sitting belongs to a session with no board yet: staff see an empty board, nobody else a board at all
    for client in c.values():
        await client.settle()
    assert chair.state["voting"]["board"] == [] and secretary.state["voting"]["board"] == []
    assert all("board" not in c[who].state["voting"] for who in OTHERS)

    poll = await make_poll(chair, kind="dismissal", title="Miễn nhiệm chức vụ Ủy viên UBND tỉnh")
    round_id = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    await alice.ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
    await bob.ok("vote.cast", {"round_id": round_id, "choice": {"option": "no"}})
    await chair.ok("vote.close", {"round_id": round_id})
    assert await chair.error("vote.publish", {"round_id": round_id}) == "count_not_approved"
    assert await chair.error("vote.approve", {"round_id": round_id}) == "no_board"
    for client in c.values():
        await client.settle()
        assert (first_round(client)["status"], first_round(client)["approved_at"]) == ("closed", None)

    # the board, elected: staff are told (head first), the others skip the event
    members = ids[15:18]
    for who in OTHERS:
        assert await c[who].error("vote.board", {"member_ids": members, "head_id": members[1]}) == "forbidden"
    await secretary.ok("vote.board", {"member_ids": members, "head_id": members[1]})
    for client in c.values():
        await client.settle()
    board = chair.state["voting"]["board"]
    assert [(b["member_id"], b["head"]) for b in board][0] == (members[1], True)
    assert sorted(b["member_id"] for b in board) == sorted(members) and all(b["name"] for b in board)
    assert secretary.state["voting"]["board"] == board
    assert all("board" not in c[who].state["voting"] for who in OTHERS)
    assert [e["type"] for e in alice.events][-1] == "skip" and alice.events[-1]["data"] is None
    assert await chair.error("vote.publish", {"round_id": round_id}) == "count_not_approved"

    # approved: everyone sees when, and then it is published
    for who in OTHERS:
        assert await c[who].error("vote.approve", {"round_id": round_id}) == "forbidden"
    await chair.ok("vote.approve", {"round_id": round_id})
    approved = await database_sync_to_async(lambda: Round.objects.get(pk=round_id).approval.approved_at)()
    for client in c.values():
        await client.settle()
        r = first_round(client)
        assert r["approved_at"] is not None and r["status"] == "closed"
        assert (r["result"] is None) == (client not in (chair, secretary))  # not published yet
    assert first_round(chair)["approved_at"] == approved.isoformat()
    await chair.ok("vote.publish", {"round_id": round_id})
    for client in c.values():
        await client.settle()
        r = first_round(client)
        assert r["status"] == "published" and r["result"]["counts"] == {"yes": 1, "no": 1}


async def test_a_manual_count_of_a_secret_poll_needs_the_approval_too_an_open_poll_none(sitting_with_quorum):
    c = sitting_with_quorum
    chair, secretary = c["chair"], c["secretary"]
    ids = await delegate_ids()
    secret = await make_poll(chair, kind="confidence", title="Bỏ phiếu tín nhiệm")
    manual = (await secretary.ok("vote.manual", {"poll_id": secret, "counts": {"trust": 15, "no_trust": 3},
                                                 "reason": "Kiểm phiếu giấy"}))["round_id"]
    assert await chair.error("vote.publish", {"round_id": manual}) == "count_not_approved"
    await secretary.ok("vote.board", {"member_ids": ids[15:18], "head_id": ids[15]})
    await chair.ok("vote.approve", {"round_id": manual})
    await chair.ok("vote.publish", {"round_id": manual})

    # an open poll: no board count, published at once; its rounds never say approved
    motion = await make_poll(chair)
    round_id = (await chair.ok("vote.open", {"poll_id": motion}))["round_id"]
    await c["alice"].ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
    await chair.ok("vote.close", {"round_id": round_id})
    assert await chair.error("vote.approve", {"round_id": round_id}) == "invalid_state"
    await chair.ok("vote.publish", {"round_id": round_id})
    await c["public"].settle()
    shown = {p["id"]: p["rounds"][-1] for p in c["public"].state["voting"]["polls"]}
    assert (shown[secret]["status"], shown[motion]["status"]) == ("published", "published")
    assert shown[secret]["approved_at"] is not None and shown[motion]["approved_at"] is None


async def test_a_board_edited_beside_the_commands_reaches_the_consoles(sitting_with_quorum):
    """The admin or a shell: every sitting of the session gets its whole state again (realtime.external)."""
    from meeting.models import Sitting
    from voting.extra_models import BoardMember

    c = sitting_with_quorum
    member_id = (await delegate_ids())[16]

    @database_sync_to_async
    def elect():
        session_id = Sitting.objects.get(pk=c["chair"].sitting_id).session_id
        BoardMember.objects.create(session_id=session_id, member_id=member_id, head=True)

    await elect()
    for client in c.values():
        events = await client.settle()
        assert [e["type"] for e in events] == ["state.replaced"]
    assert [(b["member_id"], b["head"]) for b in c["chair"].state["voting"]["board"]] == [(member_id, True)]
    assert "board" not in c["alice"].state["voting"]
