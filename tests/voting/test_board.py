"""The ballot-counting board (issue 14, item 5): elected per session, at least VOTING_BOARD_MIN
delegates, no candidate of the poll on it; its approval of a secret round's count, once; the
counting minutes as a PDF for the chair and secretary, with counts and no voter."""

import io

import pypdf
import pytest
from django.test import Client, override_settings

from audit.operations import ServiceError
from tests.secrecy import SecretHunt
from voting import board
from voting.extra_models import BoardMember, CountApproval

from .records import delegates, ready, voted_round


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def refused(code, call, *args, **kwargs):
    with pytest.raises(ServiceError) as e:
        call(*args, **kwargs)
    assert e.value.code == code


def test_the_board_approves_a_secret_count_and_signs_its_minutes(sitting, actors, users):
    ready(sitting, actors)
    people = delegates()
    candidates, voters, members = people[10:12], people[1:10], people[15:18]
    with SecretHunt() as hunt:
        round_id = voted_round(sitting, actors, {v: {"chosen": [f"m{candidates[i % 2].pk}"]} for i, v in enumerate(voters)},
                               kind="election", title="Bầu Ủy viên Thường trực", candidate_ids=[m.pk for m in candidates])
        refused("no_board", board.approve, actors["chair"], sitting.pk, round_id)
        # the board: too small, a non-delegate, a head not on it
        refused("invalid_args", board.set_board, actors["secretary"], sitting.pk, [m.pk for m in members[:2]],
                members[0].pk)
        refused("invalid_args", board.set_board, actors["secretary"], sitting.pk, [m.pk for m in members],
                people[0].pk)
        guest = users["guest"].member
        refused("not_entitled", board.set_board, actors["secretary"], sitting.pk, [guest.pk, *[m.pk for m in members]],
                members[0].pk)
        assert not BoardMember.objects.exists()
        refused("forbidden", board.set_board, actors["alice"], sitting.pk, [m.pk for m in members], members[0].pk)
        # a candidate on the board cannot approve the count
        board.set_board(actors["secretary"], sitting.pk, [candidates[0].pk, *[m.pk for m in members]], members[0].pk)
        refused("board_conflict", board.approve, actors["chair"], sitting.pk, round_id)
        board.set_board(actors["secretary"], sitting.pk, [m.pk for m in members], members[0].pk)
        assert BoardMember.objects.filter(session=sitting.session).count() == 3
        board.approve(actors["chair"], sitting.pk, round_id)
        refused("invalid_state", board.approve, actors["chair"], sitting.pk, round_id)  # once
        approval = CountApproval.objects.get(round_id=round_id)
        assert [b["member_id"] for b in approval.board if b["head"]] == [members[0].pk]

        chair = Client()
        chair.force_login(users["chair"])
        response = chair.get(f"/voting/round/{round_id}/minutes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "BIÊN BẢN KIỂM PHIẾU" in text
    for label, value in (("Số phiếu phát ra", 20), ("Số phiếu thu vào", 9), ("Số phiếu hợp lệ", 9),
                         ("Số phiếu không hợp lệ", 0)):
        assert f"{label} {value}" in text.replace("\n", " ")
    assert candidates[0].full_name in text and "Ban kiểm phiếu phê chuẩn kết quả" in text
    assert all(m.full_name in text for m in members)
    assert not any(v.full_name in text for v in voters if v not in members)  # no voter in the minutes
    for user in (users["alice"], None):  # the chair and secretary only
        other = Client()
        if user:
            other.force_login(user)
        assert other.get(f"/voting/round/{round_id}/minutes.pdf").status_code == 404
    ballots = [f'{{"chosen": ["m{c.pk}"]}}' for c in candidates]
    assert hunt.find(*ballots, allowed={"voting.Urn"}) == []


@override_settings(VOTING_BOARD_MIN=5)
def test_the_minimum_size_is_a_setting(sitting, actors):
    ready(sitting, actors)
    people = delegates()
    refused("invalid_args", board.set_board, actors["secretary"], sitting.pk, [m.pk for m in people[1:5]], people[1].pk)
    board.set_board(actors["secretary"], sitting.pk, [m.pk for m in people[1:6]], people[1].pk)
    open_round = voted_round(sitting, actors, {people[3]: {"option": "yes"}})
    refused("invalid_state", board.approve, actors["chair"], sitting.pk, open_round)  # an open poll has no board count
