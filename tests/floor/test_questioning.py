"""Questioning (chất vấn) over the hub (issue 13 item 4): questions registered before and during
the sitting per issue group, called in registration order (reorderable), the official's answer
and opening with their own limits, follow-ups with priority for those who asked on the issue,
commitments recorded against the question."""

import datetime as dt

import pytest
from channels.db import database_sync_to_async

from floor.models import Commitment, IssueGroup, Speech
from meeting.models import Member

from .test_floor_hub import hall  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def groups_and_officials():
    groups = list(IssueGroup.objects.order_by("position"))
    return groups, {m.code: m.pk for m in Member.objects.filter(kind="official")}


async def test_questions_are_registered_before_the_sitting_and_called_in_order(hub):
    alice, bob, chair = await hub.connect("alice"), await hub.connect("bob"), await hub.connect("chair")
    (education, housing), officials = await groups_and_officials()
    # before the sitting opens: registering is allowed, speaking is not
    qa = await alice.ok("question.register", {"issue_id": education.pk, "text": "Tỷ lệ học sinh bỏ học ở xã vùng cao?",
                                              "official_id": officials["CB001"]})
    assert await alice.error("question.register", {"issue_id": education.pk, "text": "Câu thứ hai?"}) \
        == "already_requested"
    assert await bob.error("question.register", {"issue_id": education.pk, "text": "x",
                                                 "official_id": officials["CB002"]}) == "not_found"
    qb = await bob.ok("question.register", {"issue_id": education.pk, "text": "Kế hoạch nhà công vụ?"})
    assert await alice.error("floor.request", {"kind": "speech"}) == "sitting_not_live"
    await chair.ok("sitting.open")
    await chair.settle()
    questions = chair.state["questioning"]["groups"][0]["questions"]
    assert [q["id"] for q in questions] == [qa["request_id"], qb["request_id"]]
    # the chair calls the group's questions in registration order, after a reorder
    await chair.ok("floor.reorder", {"request_id": qb["request_id"], "index": 0})
    first = await chair.ok("floor.next", {"expect_current": None, "issue_id": education.pk})
    await chair.settle()
    speaker = chair.state["floor"]["speaker"]
    assert (speaker["id"], speaker["kind"], speaker["limit_s"], speaker["question_id"]) == (
        first["speech_id"], "question", 120, None)
    assert speaker["name"] == (await database_sync_to_async(lambda: Member.objects.get(code="DB011").full_name)())
    # the official answers the question just asked, with the answer's own limit
    answer = await chair.ok("floor.give", {"expect_current": first["speech_id"], "member_id": officials["CB001"],
                                           "kind": "answer", "question_id": qb["request_id"]})
    await chair.settle()
    assert (chair.state["floor"]["speaker"]["kind"], chair.state["floor"]["speaker"]["limit_s"]) == ("answer", 300)
    # the commitment made while answering is recorded against the question
    await chair.ok("question.commit", {"question_id": qb["request_id"], "text": "Hoàn thành 40 nhà công vụ trong 2027",
                                       "due": "2027-12-31"})
    await chair.settle()
    heard = next(q for q in chair.state["questioning"]["groups"][0]["questions"] if q["id"] == qb["request_id"])
    assert heard["status"] == "heard"
    assert heard["commitments"][0]["official_id"] == officials["CB001"]
    row = await database_sync_to_async(Commitment.objects.get)()
    assert row.due == dt.date(2027, 12, 31)
    assert await database_sync_to_async(lambda: Speech.objects.get(pk=answer["speech_id"]).question_id)() \
        == qb["request_id"]


async def test_follow_ups_of_those_who_asked_go_first(hall):
    chair, alice, bob = hall["chair"], hall["alice"], hall["bob"]
    (education, _housing), officials = await groups_and_officials()
    await alice.ok("question.register", {"issue_id": education.pk, "text": "Câu hỏi của đại biểu?"})
    await bob.ok("floor.request", {"kind": "followup", "issue_id": education.pk})
    await alice.ok("floor.request", {"kind": "followup", "issue_id": education.pk})
    assert await alice.error("floor.request", {"kind": "followup", "issue_id": education.pk}) == "already_requested"
    assert await alice.error("floor.request", {"kind": "followup"}) == "no_such_issue"
    await chair.settle()
    ids = await database_sync_to_async(lambda: [Member.objects.get(code=c).pk for c in ("DB010", "DB011")])()
    # alice asked a question on the issue: her follow-up goes ahead of bob's, made earlier
    assert [r["member_id"] for r in chair.state["floor"]["queue"]] == ids


async def test_an_opening_needs_its_issue_group_and_an_answer_its_question(hall):
    chair = hall["chair"]
    (education, _), officials = await groups_and_officials()
    assert await chair.error("floor.give", {"expect_current": None, "member_id": officials["CB001"],
                                            "kind": "answer", "question_id": 99999}) == "no_such_request"
    assert await chair.error("floor.give", {"expect_current": None, "member_id": officials["CB001"],
                                            "kind": "opening"}) == "no_such_issue"
    opening = await chair.ok("floor.give", {"expect_current": None, "member_id": officials["CB001"],
                                            "kind": "opening", "issue_id": education.pk})
    await hall["public"].settle()
    shown = hall["public"].state["floor"]["speaker"]
    assert (shown["id"], shown["kind"], shown["issue_id"], shown["limit_s"]) == (
        opening["speech_id"], "opening", education.pk, 300)


async def test_a_delegate_cannot_add_issue_groups_or_commitments(hall):
    alice = hall["alice"]
    assert await alice.error("question.group_add", {"title": "Nhóm mới", "official_ids": []}) == "forbidden"
    assert await alice.error("question.commit", {"question_id": 1, "text": "x"}) == "forbidden"
    group = await hall["secretary"].ok("question.group_add", {"title": "Giao thông nông thôn", "official_ids": []})
    await alice.settle()
    assert alice.state["questioning"]["groups"][-1]["id"] == group["issue_id"]
