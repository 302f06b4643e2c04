"""The schema of every message of the hub, both ways.

Server -> client: the snapshot (one state shape per audience), each event, the
heartbeat, the ok reply and the error reply, and the `data` of each command's ok reply.
Client -> server: the envelope and each command's arguments, which live in
realtime.schemas (the consumer validates with them) and are only listed here.

Every model forbids unknown fields and is strict (no "1" for 1), so a message
that drifts from this file fails its test. `json_schemas()` turns them into
JSON Schemas (draft 2020-12) for other clients: `python manage.py hub_schema`.
docs/protocol.md explains each message in prose.

Audiences (accounts.permissions.AUDIENCE): what differs between them is here
and nowhere else in this file —
- staff (chair, secretary): attendance rows carry `method` and `reason`; the
  state has `displays` and `slides`; gets `display.updated`.
- display (a hall display): `displays` but no `slides`; rows without
  `method`/`reason`; gets `display.updated`.
- delegate (delegates, guests) and public (anonymous observers): neither
  `displays` nor `slides`; rows without `method`/`reason`; `display.updated`
  reaches them as `skip`.
- documents (accounts.permissions.AUDIENCE_DOCUMENTS): staff see every
  document, drafts too; delegates the published public and delegate-level
  ones; the public only published public ones; displays none (no
  `documents`, and `documents.changed` reaches them as `skip`).
"""

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, create_model

from accounts.permissions import AUDIENCES, ROLES
from agenda.models import AgendaItem as AgendaItemModel
from library.models import Document, DocumentVersion
from meeting.models import Attendance, Body, Member, Sitting

from . import schemas
from .errors import ERRORS


def _literal(values):
    return Literal[tuple(values)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


Id = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]
Time = AwareDatetime  # ISO 8601 with offset, e.g. "2026-11-27T08:00:00+07:00"
CorrelationId = Annotated[str, Field(min_length=1, max_length=64)] | Annotated[int, Field(ge=0, le=2**53)]

SittingStatus = _literal(Sitting.Status.values)
ItemStatus = _literal(AgendaItemModel.Status.values)
ItemKind = _literal(AgendaItemModel.Kind.values)
AttendanceStatus = _literal(Attendance.Status.values)
AttendanceMethod = _literal(Attendance.Method.values)
MemberKind = _literal(Member.Kind.values)
BodyKind = _literal(Body.Kind.values)
Role = _literal(ROLES)
ErrorCode = _literal(ERRORS)
DocumentKind = _literal(Document.Kind.values)
DocumentAccess = _literal(Document.Access.values)
DocumentStatus = _literal(Document.Status.values)
DocumentFileKind = _literal(DocumentVersion.FileKind.values)
DocumentState = _literal(DocumentVersion.State.values)

ROLES_OF = {
    "staff": ("chair", "secretary"),
    "delegate": ("delegate", "guest"),
    "display": ("display",),
    "public": ("public",),
}


# ---- pieces of the state ------------------------------------------------

class SittingInfo(Message):
    id: Id
    title: str
    body: str
    body_kind: BodyKind
    session: str | None
    starts_at: Time
    place: str
    is_public: bool
    status: SittingStatus
    opened_at: Time | None
    closed_at: Time | None


class Announcement(Message):
    text: Annotated[str, Field(min_length=1)]
    at: Time


class AgendaItem(Message):
    """One item; `number` ("2.1") and `depth` (0 = top level) follow the tree order."""

    id: Id
    parent_id: Id | None
    number: Annotated[str, Field(pattern=r"^\d+(\.\d+)*$")]
    depth: Count
    title: str
    kind: ItemKind
    presenter: str
    planned_minutes: Count
    status: ItemStatus
    started_at: Time | None = Field(description="start of the current run; set only while the item is current")
    elapsed_before_s: Count = Field(description="seconds spent on the item in earlier runs")


class Agenda(Message):
    """Every item in reading order (depth first, siblings by position)."""

    current_item_id: Id | None
    items: list[AgendaItem]


class AttendanceRow(Message):
    """A member expected at the sitting (or who checked in anyway), as everyone sees it."""

    member_id: Id
    name: str
    kind: MemberKind
    group: str | None
    seat: str | None
    seat_row: Count | None
    seat_number: Count | None
    counts: bool = Field(description="counted for quorum (a delegate of the sitting's body)")
    status: AttendanceStatus | None = Field(description="null: not recorded yet")
    at: Time | None


class StaffAttendanceRow(AttendanceRow):
    """The chair's and secretary's view of a row: how it was recorded and why absent."""

    method: AttendanceMethod | None
    reason: str


class Quorum(Message):
    present: Count = Field(description="delegates counted for quorum who are present")
    total: Count = Field(description="delegates counted for quorum")
    required: Count
    met: bool
    rule: Annotated[str, Field(pattern=r"^\d+/\d+$", description="fraction of the total that must be present")]


class DisplayInfo(Message):
    id: Id
    name: str
    slide: str
    sitting_id: Id | None = Field(description="the sitting it follows; another id (or null) means it left this sitting")


class SlideInfo(Message):
    key: str
    title: str


class DocumentRef(Message):
    """A document of the sitting (library): what a list shows, and where to open it."""

    id: Id
    kind: DocumentKind
    number: str = Field(description="số, ký hiệu, e.g. 125/TTr-UBND; may be empty")
    issued_on: str | None = Field(description="date of issue, YYYY-MM-DD")
    issuer: str
    summary: str = Field(description="trích yếu")
    access: DocumentAccess
    status: DocumentStatus = Field(description="staff also see drafts; others only published documents")
    published_at: Time | None
    late: bool = Field(description="published after the due date (DOCUMENTS_DUE_DAYS before the session opens)")
    version: Count | None = Field(description="number of the current version")
    version_id: Id | None
    file_kind: DocumentFileKind | None
    pages: Count
    state: DocumentState | None = Field(description="processing of the current version")
    url: str = Field(description="the viewer page, relative to the site")


class ItemDocuments(Message):
    item_id: Id
    documents: list[Id]


class Documents(Message):
    """Every document this audience may see: of the session, of the sitting, of each agenda item.
    `list` has each once; the other fields give ids into it."""

    list: list[DocumentRef]
    session: list[Id]
    sitting: list[Id]
    items: list[ItemDocuments]


class _State(Message):
    sitting: SittingInfo
    announcement: Announcement | None
    agenda: Agenda
    quorum: Quorum


class PublicState(_State):
    attendance: list[AttendanceRow]
    documents: Documents


class DelegateState(_State):
    attendance: list[AttendanceRow]
    documents: Documents


class DisplayState(_State):
    attendance: list[AttendanceRow]
    displays: list[DisplayInfo]


class StaffState(_State):
    attendance: list[StaffAttendanceRow]
    displays: list[DisplayInfo]
    slides: list[SlideInfo]
    documents: Documents


STATES = {"staff": StaffState, "display": DisplayState, "delegate": DelegateState, "public": PublicState}


# ---- the snapshot -------------------------------------------------------

class _You(Message):
    member_id: Id | None = Field(description="your member id (delegates and guests)")
    display_id: Id | None = Field(description="the display you are (hall displays)")


def _snapshot_model(audience: str):
    you = create_model(f"You{audience.title()}", __base__=_You, __module__=__name__,
                       role=(_literal(ROLES_OF[audience]), ...))
    return create_model(
        f"Snapshot{audience.title()}", __base__=Message, __module__=__name__,
        __doc__="Everything this audience may see, exact at `seq`. Also the answer to `sync` when "
                "replaying is not possible; then it carries `in_response`.",
        type=(Literal["snapshot"], ...),
        seq=(Count, ...),
        server_time=(Time, ...),
        you=(you, ...),
        data=(STATES[audience], ...),
        in_response=(CorrelationId | None, None),
    )


SNAPSHOTS = {audience: _snapshot_model(audience) for audience in AUDIENCES}


# ---- events -------------------------------------------------------------

EventSeq = Annotated[int, Field(ge=1)]


class SittingStatusData(Message):
    status: SittingStatus
    opened_at: Time | None
    closed_at: Time | None


class SittingStatusEvent(Message):
    """The sitting was opened or closed. Merge `data` into state.sitting."""

    type: Literal["sitting.status"]
    seq: EventSeq
    data: SittingStatusData


class AnnouncementData(Message):
    announcement: Announcement | None


class AnnouncementEvent(Message):
    """The announcement to the hall changed (null: withdrawn). state.announcement = data.announcement."""

    type: Literal["sitting.announcement"]
    seq: EventSeq
    data: AnnouncementData


class AgendaCurrentEvent(Message):
    """The current item moved: `items` are the items whose status or clock changed."""

    type: Literal["agenda.current"]
    seq: EventSeq
    data: Agenda


class AgendaItemsEvent(Message):
    """The agenda was edited (insert, move, postpone, restore): `data` is the whole agenda."""

    type: Literal["agenda.items"]
    seq: EventSeq
    data: Agenda


class AttendanceData(Message):
    row: AttendanceRow
    quorum: Quorum


class StaffAttendanceData(Message):
    row: StaffAttendanceRow
    quorum: Quorum


class AttendanceUpdatedEvent(Message):
    """One member's attendance changed, and with it the quorum."""

    type: Literal["attendance.updated"]
    seq: EventSeq
    data: AttendanceData


class StaffAttendanceUpdatedEvent(Message):
    """One member's attendance changed (with how it was recorded and the reason), and the quorum."""

    type: Literal["attendance.updated"]
    seq: EventSeq
    data: StaffAttendanceData


class DisplayUpdatedEvent(Message):
    """A hall display changed slide (or left the sitting). Staff and displays only."""

    type: Literal["display.updated"]
    seq: EventSeq
    data: DisplayInfo


class DocumentsChangedData(Message):
    documents: Documents
    published: list[Id] = Field(description="documents just published to you: say so (a notification)")


class DocumentsChangedEvent(Message):
    """The sitting's documents changed (upload, new version, attach, publish, withdraw).
    state.documents = data.documents. Hall displays get `skip`."""

    type: Literal["documents.changed"]
    seq: EventSeq
    data: DocumentsChangedData


class SkipEvent(Message):
    """A change this audience may not see: only the seq advances."""

    type: Literal["skip"]
    seq: EventSeq
    data: None


_COMMON_EVENTS = (SittingStatusEvent, AnnouncementEvent, AgendaCurrentEvent, AgendaItemsEvent, SkipEvent)
EVENTS = {
    "staff": (*_COMMON_EVENTS, StaffAttendanceUpdatedEvent, DisplayUpdatedEvent, DocumentsChangedEvent),
    "display": (*_COMMON_EVENTS, AttendanceUpdatedEvent, DisplayUpdatedEvent),
    "delegate": (*_COMMON_EVENTS, AttendanceUpdatedEvent, DocumentsChangedEvent),
    "public": (*_COMMON_EVENTS, AttendanceUpdatedEvent, DocumentsChangedEvent),
}
EVENT_TYPES = sorted({m.model_fields["type"].annotation.__args__[0] for ms in EVENTS.values() for m in ms})


def event_union(audience: str):
    return Annotated[Union[EVENTS[audience]], Field(discriminator="type")]  # noqa: UP007 (a Union of a tuple built at runtime)


# ---- the heartbeat ------------------------------------------------------

class Heartbeat(Message):
    """Sent to every connection every HUB_HEARTBEAT_SECONDS (5 s by default). Not an event: it changes
    no state. A `seq` above yours means you missed events: send `sync`."""

    type: Literal["heartbeat"]
    seq: Count = Field(description="the sitting's current seq")
    server_time: Time


class HubStatus(Message):
    """This server process could (degraded false) or could not (true) publish to the channel layer:
    while degraded, events may arrive late or only through `sync`; commands still work."""

    type: Literal["hub.status"]
    degraded: bool


# ---- replies ------------------------------------------------------------

class OkReply(Message):
    """The command was done. `data` depends on the command (see command.<cmd>.reply)."""

    in_response: CorrelationId
    ok: Literal[True]
    data: dict[str, Any]
    replayed: Literal[True] | None = Field(default=None, description=(
        "present when this id was answered before: the stored first outcome, nothing was run again"))


class StaleCurrent(Message):
    """What a `stale` command met: the current agenda item (null: none) and the sitting's seq."""

    item_id: Id | None
    seq: int = Field(ge=0)


class ErrorInfo(Message):
    code: ErrorCode
    message: str = Field(description="for people, in the client's language; do not branch on it")
    fields: list[str] | None = Field(default=None, description="dotted paths of the invalid fields, when known")
    current: StaleCurrent | None = Field(default=None, description="`stale` only: the state the command met")


class ErrorReply(Message):
    """The command (or frame) was refused and changed nothing. `in_response` is null when the
    message carried no usable id (binary frame, too large, not JSON)."""

    in_response: CorrelationId | None
    ok: Literal[False]
    error: ErrorInfo
    replayed: Literal[True] | None = Field(default=None, description=(
        "present when this id was answered before: the stored first outcome, nothing was run again"))


# The `data` of each command's ok reply.
class NoResult(Message):
    pass


class PingResult(Message):
    server_time: Time
    seq: Count | None = Field(description="the sitting's current seq: yours is lower, you missed events (sync); "
                                          "null when the server could not read it")


class CurrentItemResult(Message):
    current_item_id: Id | None


class InsertResult(Message):
    item_id: Id


class AttendanceResult(Message):
    status: AttendanceStatus
    at: Time


def _sync_result(audience: str):
    return create_model(f"SyncResult{audience.title()}", __base__=Message, __module__=__name__,
                        __doc__="The events after since_seq, in order, as this audience sees them.",
                        events=(list[event_union(audience)], ...))


SYNC_RESULTS = {audience: _sync_result(audience) for audience in AUDIENCES}

RESULTS = {
    "ping": PingResult,
    "sitting.open": NoResult,
    "sitting.close": NoResult,
    "sitting.announce": NoResult,
    "agenda.next": CurrentItemResult,
    "agenda.previous": CurrentItemResult,
    "agenda.jump": CurrentItemResult,
    "agenda.insert": InsertResult,
    "agenda.move": NoResult,
    "agenda.postpone": NoResult,
    "agenda.restore": NoResult,
    "attendance.check_in": AttendanceResult,
    "attendance.mark": AttendanceResult,
    "display.set_slide": NoResult,
}


def result_model(cmd: str, audience: str):
    """The model of `data` in the ok reply to `cmd`. `sync` may also be answered by a snapshot."""
    if cmd == "sync":
        return SYNC_RESULTS[audience]
    return RESULTS[cmd]


# ---- client -> server ---------------------------------------------------

def command_args() -> dict[str, type[BaseModel]]:
    """Every command a client may send and the model of its `args` (built-ins first)."""
    from .commands import COMMANDS

    return {"ping": schemas.NoArgs, "sync": schemas.SyncArgs, **{cmd: model for cmd, (model, _call) in COMMANDS.items()}}


# ---- validation and JSON Schemas ------------------------------------------

def server_message(audience: str):
    """Any message the server may send to a connection of this audience."""
    return SNAPSHOTS[audience] | event_union(audience) | Heartbeat | HubStatus | OkReply | ErrorReply


@cache
def server_adapter(audience: str) -> TypeAdapter:
    return TypeAdapter(server_message(audience))


def parse_server_message(text: str, audience: str):
    """Validate one text frame from the server; raises pydantic.ValidationError."""
    return server_adapter(audience).validate_json(text)


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _schema(name: str, model, description: str = "") -> dict:
    schema = TypeAdapter(model).json_schema()
    out = {"$schema": SCHEMA_DIALECT, "$id": f"{name}.json", "title": schema.pop("title", name)}
    if description:
        out["description"] = description
    out.update(schema)
    return out


def json_schemas() -> dict[str, dict]:
    """name -> JSON Schema of every message (file `<name>.json` from hub_schema)."""
    out = {"client.envelope": _schema("client.envelope", schemas.Envelope, "Every message a client sends.")}
    for cmd, model in command_args().items():
        out[f"command.{cmd}.args"] = _schema(f"command.{cmd}.args", model, f"The `args` of `{cmd}`.")
    for cmd in command_args():
        if cmd == "sync":
            for audience in AUDIENCES:
                name = f"command.sync.reply.{audience}"
                out[name] = _schema(name, SYNC_RESULTS[audience], f"The `data` of the ok reply to `sync` ({audience}).")
        else:
            name = f"command.{cmd}.reply"
            out[name] = _schema(name, RESULTS[cmd], f"The `data` of the ok reply to `{cmd}`.")
    for audience in AUDIENCES:
        out[f"server.{audience}"] = _schema(f"server.{audience}", server_message(audience),
                                            f"Any message the server sends to the {audience} audience.")
        out[f"snapshot.{audience}"] = _schema(f"snapshot.{audience}", SNAPSHOTS[audience])
    for model in (SittingStatusEvent, AnnouncementEvent, AgendaCurrentEvent, AgendaItemsEvent, AttendanceUpdatedEvent,
                  DisplayUpdatedEvent, SkipEvent):
        name = "event." + model.model_fields["type"].annotation.__args__[0]
        out[name] = _schema(name, model)
    out["event.attendance.updated.staff"] = _schema("event.attendance.updated.staff", StaffAttendanceUpdatedEvent)
    out["heartbeat"] = _schema("heartbeat", Heartbeat)
    out["hub.status"] = _schema("hub.status", HubStatus)
    out["reply.ok"] = _schema("reply.ok", OkReply)
    out["reply.error"] = _schema("reply.error", ErrorReply)
    return out
