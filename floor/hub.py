"""The floor module's parts of the hub (realtime/registry.py, docs/modules.md, docs/floor.md).

State: `floor` (the list of speakers: open or closed, the queue in order, the current speaker
with their clock, the last speaker, the limits) and `questioning` (issue groups, officials,
questions, commitments); `you.floor` for a delegate's own requests. Events: `floor.requested`,
`floor.left`, `floor.queue`, `floor.speaker`, `questioning.changed`; per-member `floor.mine`.
Commands: floor.request/withdraw (a delegate for themself), floor.add (on a delegate's behalf),
floor.next/give/stop/stop_all/pause/resume/extend, floor.reorder/remove/clear/close/open/
readd_last, question.register/add/group_add/commit. Registered from FloorConfig.ready(); the
browser side is floor/static/floor/.
"""

import copy
import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy as _
from pydantic import Field, conint, conlist, constr

from accounts import permissions
from displays import slides
from realtime import registry
from realtime.messages import Count, Id, Message, NoResult, Time, literal
from realtime.schemas import Id as ArgId
from realtime.schemas import NoArgs, Strict

from . import services
from .models import Commitment as CommitmentModel
from .models import FloorList, FloorRules, IssueGroup, Kind, Request, Speech
from .state import floor_state, questioning_state, you_floor

SpeechKind = literal(Kind.values)
RequestKind = literal(["speech", "reply", "order", "followup"])


# ---- the state -------------------------------------------------------------------------

class Person(Message):
    member_id: Id
    name: str
    position: str
    group: str | None = Field(description="the delegate group's short name")
    seat: str | None
    photo: str | None = Field(description="the member's photo (a URL on this server), if any")


class QueuedRequest(Person):
    """A waiting request of the list of speakers, in queue order."""

    id: Id
    number: Id = Field(description="registration order in the sitting")
    kind: RequestKind
    requested_at: Time
    reply_to: Id | None = Field(description="the speech a reply answers")
    issue_id: Id | None = Field(description="the issue group of a follow-up")
    added: bool = Field(description="entered by the secretary on the delegate's behalf")


class Speaker(Person):
    """The turn at the floor. The clock is the server's: spoken = (paused_at or now) - started_at -
    paused_s; remaining = limit_s + extra_s - spoken (negative: overrun, shown, never cut)."""

    id: Id
    kind: SpeechKind
    item_id: Id | None
    issue_id: Id | None
    question_id: Id | None = Field(description="the question an answer answers")
    request_id: Id | None
    started_at: Time
    limit_s: Count
    extra_s: Count
    paused_at: Time | None
    paused_s: float = Field(ge=0)
    warn_s: Count = Field(description="warn this many seconds before the end")


class LastSpeaker(Message):
    member_id: Id
    name: str
    kind: SpeechKind


class QueueData(Message):
    closed: bool = Field(description="the list takes no new speech, reply or follow-up (points of order still)")
    queue: list[QueuedRequest]


class SpeakerData(Message):
    speaker: Speaker | None = Field(description="who has the floor (the live microphone); null: nobody")
    last: LastSpeaker | None
    priority: bool = Field(description="true after the chair's 'stop all': every microphone off")


class Limits(Message):
    speech: Count
    reply: Count
    order: Count
    question: Count
    followup: Count
    answer: Count
    opening: Count
    free: Count


class Floor(QueueData, SpeakerData):
    priority_first: bool
    limits: Limits
    warn_s: Count


class Commitment(Message):
    id: Id
    official_id: Id
    text: str
    due: dt.date | None


class Question(Person):
    id: Id
    number: Id
    official_id: Id | None
    text: str
    written: bool
    status: Literal["waiting", "heard"]
    commitments: list[Commitment]


class IssueGroupInfo(Message):
    id: Id
    item_id: Id | None
    title: str
    officials: list[Person]
    questions: list[Question] = Field(description="waiting in calling order, then heard")


class Questioning(Message):
    officials: list[Person] = Field(description="the officials who may be named to answer an issue group "
                                                "(members of kind `official`), by name")
    groups: list[IssueGroupInfo]


class MyRequest(Message):
    id: Id
    kind: literal(["speech", "reply", "order", "question", "followup"])
    issue_id: Id | None


class YouFloor(Message):
    """Your own open requests (your place: find `id` in state.floor.queue) and your turn."""

    requests: list[MyRequest]
    speaking: Id | None = Field(description="the id of your speech while you have the floor")


class RequestedData(Message):
    request: QueuedRequest
    index: Count = Field(description="its place in the queue")


class LeftData(Message):
    request_id: Id


# ---- reducers (the browser's are in floor/static/floor/hub-events.js) ---------------------

def _apply_requested(state, data):
    state["floor"]["queue"].insert(data["index"], copy.deepcopy(data["request"]))


def _apply_left(state, data):
    state["floor"]["queue"] = [r for r in state["floor"]["queue"] if r["id"] != data["request_id"]]


def _apply_queue(state, data):
    state["floor"].update(copy.deepcopy(data))


def _apply_speaker(state, data):
    state["floor"].update(copy.deepcopy(data))


def _apply_questioning(state, data):
    state["questioning"] = copy.deepcopy(data)


def _apply_mine(you, data):
    you["floor"] = copy.deepcopy(data)


# ---- commands ----------------------------------------------------------------------------

class RequestArgs(Strict):
    kind: RequestKind
    issue_id: ArgId | None = None


class AddArgs(RequestArgs):
    member_id: ArgId


class RequestIdArgs(Strict):
    request_id: ArgId


class SpeechIdArgs(Strict):
    speech_id: ArgId


class NextArgs(Strict):
    """The id of the speech the client saw at the floor (null: nobody). Required, null included."""

    expect_current: ArgId | None
    issue_id: ArgId | None = Field(None, description="call the next question of this issue group")


class GiveArgs(Strict):
    expect_current: ArgId | None
    request_id: ArgId | None = None
    member_id: ArgId | None = None
    kind: Literal["speech", "reply", "order", "followup", "free", "answer", "opening", "question"] = "free"
    issue_id: ArgId | None = None
    question_id: ArgId | None = None


class ExtendArgs(SpeechIdArgs):
    seconds: conint(ge=1, le=services.MAX_EXTRA)


class ReorderArgs(RequestIdArgs):
    index: conint(ge=0, le=100000)


class QuestionArgs(Strict):
    issue_id: ArgId
    text: constr(min_length=1, max_length=services.MAX_TEXT)
    official_id: ArgId | None = None


class AddQuestionArgs(QuestionArgs):
    member_id: ArgId
    written: bool = True


class IssueGroupArgs(Strict):
    title: constr(min_length=1, max_length=500)
    official_ids: conlist(ArgId, max_length=20) = []
    item_id: ArgId | None = None


class CommitArgs(Strict):
    question_id: ArgId
    text: constr(min_length=1, max_length=services.MAX_TEXT)
    official_id: ArgId | None = None
    due: constr(pattern=r"^\d{4}-\d{2}-\d{2}$") | None = Field(None, description="YYYY-MM-DD")


class RequestResult(Message):
    request_id: Id


class SpeechResult(Message):
    speech_id: Id | None = Field(description="the new turn at the floor (null: nobody)")


class IssueResult(Message):
    issue_id: Id


class CommitResult(Message):
    commitment_id: Id


def _sittings(row) -> list[int]:
    return [row.sitting_id]


def _rules_sittings(rules) -> list[int]:
    from meeting.models import Sitting

    return list(Sitting.objects.filter(body_id=rules.body_id).exclude(status=Sitting.Status.CLOSED)
                .values_list("pk", flat=True))


def register():
    permissions.register_action("floor.request", (permissions.DELEGATE,))
    permissions.register_action("floor.manage", (permissions.CHAIR, permissions.SECRETARY))

    registry.register_slice("floor", floor_state, Floor, order=35)
    registry.register_slice("questioning", questioning_state, Questioning, order=36)
    registry.register_you("floor", lambda actor, sitting: you_floor(sitting.pk, actor.member_id), YouFloor,
                          audiences=("delegate",))
    for model in (Request, Speech, FloorList, IssueGroup):
        registry.register_source(model, _sittings)
    registry.register_source(CommitmentModel, lambda commitment: [commitment.question.sitting_id])
    registry.register_source(FloorRules, _rules_sittings)

    registry.register_event("floor.requested", RequestedData, apply=_apply_requested,
                            doc="A request joined the list of speakers: insert `request` at `index` of state.floor.queue.")
    registry.register_event("floor.left", LeftData, apply=_apply_left,
                            doc="A request left the queue (heard, withdrawn, removed): drop it from state.floor.queue.")
    registry.register_event("floor.queue", QueueData, apply=_apply_queue,
                            doc="The list was reordered, cleared, closed or opened: merge `data` into state.floor.")
    registry.register_event("floor.speaker", SpeakerData, apply=_apply_speaker,
                            doc="The turn at the floor changed (given, ended, paused, resumed, extended): merge "
                                "`data` into state.floor. Whoever is `speaker` has the live microphone; "
                                "`priority` true: the chair stopped all.")
    registry.register_event("questioning.changed", Questioning, apply=_apply_questioning,
                            doc="An issue group, a question or a commitment changed: state.questioning = data.")
    registry.register_member_event("floor.mine", YouFloor, apply=_apply_mine,
                                   doc="Your requests or your turn changed: you.floor = data.")

    def cmd(name, args, call, result=NoResult, action="floor.manage"):
        registry.register_command(name, args, call, result=result, action=action)

    cmd("floor.request", RequestArgs,
        lambda actor, sid, a: services.request_floor(actor, sid, a.kind, issue_id=a.issue_id),
        RequestResult, "floor.request")
    cmd("floor.withdraw", RequestIdArgs, lambda actor, sid, a: services.withdraw(actor, sid, a.request_id),
        action="floor.request")
    cmd("floor.add", AddArgs,
        lambda actor, sid, a: services.add_request(actor, sid, a.member_id, a.kind, issue_id=a.issue_id), RequestResult)
    cmd("floor.next", NextArgs,
        lambda actor, sid, a: services.next_speaker(actor, sid, expect_current=a.expect_current, issue_id=a.issue_id),
        SpeechResult)
    cmd("floor.give", GiveArgs,
        lambda actor, sid, a: services.give_floor(actor, sid, **a.model_dump()), SpeechResult)
    cmd("floor.stop", SpeechIdArgs, lambda actor, sid, a: services.stop(actor, sid, a.speech_id))
    cmd("floor.stop_all", NoArgs, lambda actor, sid, a: services.stop_all(actor, sid))
    cmd("floor.pause", SpeechIdArgs, lambda actor, sid, a: services.pause(actor, sid, a.speech_id))
    cmd("floor.resume", SpeechIdArgs, lambda actor, sid, a: services.resume(actor, sid, a.speech_id))
    cmd("floor.extend", ExtendArgs, lambda actor, sid, a: services.extend(actor, sid, a.speech_id, a.seconds))
    cmd("floor.reorder", ReorderArgs, lambda actor, sid, a: services.reorder(actor, sid, a.request_id, a.index))
    cmd("floor.remove", RequestIdArgs, lambda actor, sid, a: services.remove(actor, sid, a.request_id))
    cmd("floor.clear", NoArgs, lambda actor, sid, a: services.clear(actor, sid))
    cmd("floor.close", NoArgs, lambda actor, sid, a: services.set_closed(actor, sid, True))
    cmd("floor.open", NoArgs, lambda actor, sid, a: services.set_closed(actor, sid, False))
    cmd("floor.readd_last", NoArgs, lambda actor, sid, a: services.readd_last(actor, sid), RequestResult)
    cmd("question.register", QuestionArgs,
        lambda actor, sid, a: services.register_question(actor, sid, a.issue_id, a.text, official_id=a.official_id),
        RequestResult, "floor.request")
    cmd("question.add", AddQuestionArgs,
        lambda actor, sid, a: services.add_question(actor, sid, a.member_id, a.issue_id, a.text,
                                                    official_id=a.official_id, written=a.written), RequestResult)
    cmd("question.group_add", IssueGroupArgs,
        lambda actor, sid, a: services.add_issue_group(actor, sid, a.title, a.official_ids, item_id=a.item_id),
        IssueResult)
    cmd("question.commit", CommitArgs,
        lambda actor, sid, a: services.record_commitment(actor, sid, a.question_id, a.text,
                                                         official_id=a.official_id, due=a.due), CommitResult)

    registry.register_stale_key("speech_id", Id, "the floor: the speech at the floor (null: nobody)")
    for code, meaning in ERRORS.items():
        registry.register_error(code, meaning)
    registry.register_script("floor/hub-events.js")
    slides.register("speaker", _("Người đang phát biểu"), "floor/slides/speaker.js", order=40)
    slides.register("speakers", _("Danh sách đăng ký phát biểu"), "floor/slides/speakers.js", order=41)
    slides.register("questioning", _("Chất vấn"), "floor/slides/questioning.js", order=42)
    # The turn at the floor ends when the sitting closes.
    from meeting.services import on_closing

    on_closing(services.stop_on_close)


ERRORS = {
    "already_requested": "This delegate already has an open request of this kind (of this issue group, for "
                         "questions and follow-ups): nothing was added; `you.floor` lists the open one.",
    "list_closed": "The chair closed the list of speakers: no new speech, reply or follow-up (a point of order still).",
    "not_delegate": "Only a delegate of the sitting's body may request the floor or register a question.",
    "no_speaker": "A reply answers the current speaker, and nobody has the floor.",
    "no_such_request": "No such request in this sitting (or, withdrawing, not one of yours).",
    "no_such_issue": "No such issue group for questioning in this sitting.",
    "queue_empty": "Nobody is waiting and nobody has the floor: there is no next speaker.",
    "quota_used": "The delegate has used up their speaking time for this agenda item (the body's quota).",
    "request_limit": "The delegate has made as many requests for this agenda item as the body's rules allow.",
}
