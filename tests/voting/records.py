"""Rounds voted through the services (no WebSocket), for the tests of what is made of a round:
exports, the manual count, the counting board and its minutes, the audit chain."""

from accounts.permissions import actor_for
from meeting import services as meeting
from meeting.models import Member
from voting import board as counting_board
from voting import services


def delegates():
    return list(Member.objects.filter(kind="delegate").order_by("code").select_related("user"))


def as_member(sitting, member):
    return actor_for(sitting, user=member.user)


def ready(sitting, actors):
    """The sitting open, every delegate present: quorum."""
    meeting.open_sitting(actors["chair"], sitting.pk)
    meeting.mark_selected(actors["secretary"], sitting.pk, [m.pk for m in delegates()], "present")


def voted_round(sitting, actors, choices: dict, *, close=True, publish=False, board=(), **poll) -> int:
    """A poll with one round in which each member of `choices` cast their choice; closed (and
    published) unless told otherwise. A secret round is published once its count is approved by a
    ballot-counting board: `board` (members, the first its head; not candidates of the poll),
    elected for the session and approving it before the publish. Returns the round id."""
    poll_id = services.create_poll(actors["chair"], sitting.pk, **{"title": "Thông qua Nghị quyết", **poll})["poll_id"]
    round_id = services.open_round(actors["chair"], sitting.pk, poll_id)["round_id"]
    for member, choice in choices.items():
        services.cast(as_member(sitting, member), sitting.pk, round_id, choice)
    if close:
        services.close_round(actors["chair"], sitting.pk, round_id)
    if publish and board:
        counting_board.set_board(actors["secretary"], sitting.pk, [m.pk for m in board], board[0].pk)
        counting_board.approve(actors["chair"], sitting.pk, round_id)
    if publish:
        services.publish(actors["chair"], sitting.pk, round_id)
    return round_id
