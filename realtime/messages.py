"""The schema of every message of the hub, both ways.

Server -> client: the snapshot (one state shape per audience), each event, the
heartbeat, the ok reply and the error reply, and the `data` of each command's ok reply.
Client -> server: the envelope and each command's arguments (the consumer validates with them).

Every model forbids unknown fields and is strict (no "1" for 1), so a message
that drifts from its schema fails its test. `json_schemas()` turns them into
JSON Schemas (draft 2020-12) for other clients: `python manage.py hub_schema`.
docs/protocol.md explains each message in prose.

The core's messages are here (envelope, snapshot frame, `skip`, heartbeat, replies, errors).
Everything a module adds comes from the registry (realtime/registry.py): the state's slices and
which audiences see each, the event types with their `data` per audience, the commands with
their arguments and reply data, the error codes. The models of those parts live in each
module's own `hub.py` (meeting, agenda, displays, library), built from the pieces below
(`Message`, `Id`, `Count`, `Time`, `literal`). Nothing is built at import: the schema set is
built on first use, after every app registered its parts, and again when the registry changes.

Audiences (accounts.permissions.AUDIENCES): what differs between them is declared by each
part — a slice or event names the audiences that see it (the others get no key, or `skip`)
and, where an audience sees a different shape, its own model.
"""

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, create_model

from accounts.permissions import AUDIENCE, AUDIENCES, ROLES

from . import registry, schemas
from .errors import ERRORS


def literal(values):
    """Literal["a", "b", ...] of these values (e.g. a model's choices)."""
    return Literal[tuple(values)]


_literal = literal


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


Id = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]
Time = AwareDatetime  # ISO 8601 with offset, e.g. "2026-11-27T08:00:00+07:00"
CorrelationId = Annotated[str, Field(min_length=1, max_length=64)] | Annotated[int, Field(ge=0, le=2**53)]
Role = _literal(ROLES)

ROLES_OF = {audience: tuple(role for role in ROLES if AUDIENCE[role] == audience) for audience in AUDIENCES}


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.replace("_", ".").split("."))


# ---- the snapshot -------------------------------------------------------

class _You(Message):
    member_id: Id | None = Field(description="your member id (delegates and guests)")
    display_id: Id | None = Field(description="the display you are (hall displays)")
    pseq: Count | None = Field(description=(
        "the pseq of the last per-member event stored for you (0: none yet); null when you are no member"))


# The audiences whose connections may be a member's (accounts.permissions.actor_for: delegates and
# guests): the only ones per-member events reach.
MEMBER_AUDIENCES = tuple(audience for audience, roles in ROLES_OF.items() if {"delegate", "guest"} & set(roles))


def _state_model(audience: str):
    """The state this audience sees: every registered slice it may see, in the registry's order."""
    fields = {part.key: (part.schema_for(audience), ...) for part in registry.slices() if audience in part.audiences}
    return create_model(f"{audience.title()}State", __base__=Message, __module__=__name__, **fields)


def _snapshot_model(audience: str, state):
    # The core's keys, and each registered `you` part of this audience (realtime.private).
    parts = {part.key: (part.schema, ...) for part in registry.you_parts(audience)}
    you = create_model(f"You{audience.title()}", __base__=_You, __module__=__name__,
                       __doc__="Who you are, and what you alone may see: built for your connection alone.",
                       role=(_literal(ROLES_OF[audience]), ...), **parts)
    return create_model(
        f"Snapshot{audience.title()}", __base__=Message, __module__=__name__,
        __doc__="Everything this audience may see, exact at `seq`. Also the answer to `sync` when "
                "replaying is not possible; then it carries `in_response`.",
        type=(Literal["snapshot"], ...),
        seq=(Count, ...),
        server_time=(Time, ...),
        you=(you, ...),
        data=(state, ...),
        in_response=(CorrelationId | None, None),
    )


# ---- events -------------------------------------------------------------

EventSeq = Annotated[int, Field(ge=1)]


class SkipEvent(Message):
    """A change this audience may not see: only the seq advances."""

    type: Literal["skip"]
    seq: EventSeq
    data: None


def _event_model(part: registry.EventType, audience: str | None):
    """The message of a registered event type, as `audience` gets it (None: the common model)."""
    data = part.schema if audience is None else part.schema_for(audience)
    prefix = audience.title() if audience is not None and audience in part.schemas else ""
    return create_model(f"{prefix}{_camel(part.type)}Event", __base__=Message, __module__=__name__,
                        __doc__=part.doc, type=(Literal[part.type], ...), seq=(EventSeq, ...), data=(data, ...))


def _replaced_model(audience: str, state):
    """`state.replaced` (realtime.external): the whole state this audience may see, at `seq`."""
    return create_model(
        f"StateReplaced{audience.title()}", __base__=Message, __module__=__name__,
        __doc__="The state was changed beside the commands (the office edited it in the admin, or "
                "imported members): `data` is the whole state as you may see it, exact at `seq`. "
                "Put it in place of yours (state = data).",
        type=(Literal["state.replaced"], ...), seq=(EventSeq, ...), data=(state, ...))


# ---- per-member events ---------------------------------------------------

def _member_event_model(part: registry.MemberEventType):
    """A registered per-member event: `pseq` the member's next, or null for one never stored."""
    pseq = (Annotated[int, Field(ge=1)], ...) if part.store else (None, ...)
    return create_model(f"{_camel(part.type)}MemberEvent", __base__=Message, __module__=__name__,
                        __doc__=part.doc, type=(Literal[part.type], ...), pseq=pseq, data=(part.schema, ...))


# What a connection that gets no per-member events finds in a `sync` reply's `member_events`.
_NoMemberEvents = Annotated[list[Any], Field(max_length=0)]


# ---- batches --------------------------------------------------------------

def _batch_model(audience: str, events):
    """Several events in one frame (realtime.publish.batch_frame), as this audience gets them."""
    return create_model(
        f"Batch{audience.title()}", __base__=Message, __module__=__name__,
        __doc__="Several events in one frame: handle each of `events` in order, exactly as if it had "
                "arrived alone (the same seq rules; a per-member event by its pseq rules). Either the "
                "sitting's events (in seq order, a `skip` for each you may not see) or per-member "
                "events for you (in pseq order), never both.",
        type=(Literal["batch"], ...),
        events=(list[events], Field(min_length=2)),
    )


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


def _stale_model():
    """What a `stale` command met: the sitting's seq, and what each module registered
    (registry.register_stale_key: the agenda's current item, the speech at the floor)."""
    keys = {key: (schema | None, Field(default=None, description=doc))
            for key, (schema, doc) in registry.stale_keys().items()}
    return create_model("StaleCurrent", __base__=Message, __module__=__name__,
                        __doc__=_stale_model.__doc__, seq=(int, Field(ge=0)), **keys)


def _error_models():
    StaleCurrent = _stale_model()
    info = create_model(
        "ErrorInfo", __base__=Message, __module__=__name__,
        code=(_literal(ERRORS), ...),
        message=(str, Field(description="for people, in the client's language; do not branch on it")),
        fields=(list[str] | None, Field(default=None, description="dotted paths of the invalid fields, when known")),
        current=(StaleCurrent | None, Field(default=None, description="`stale` only: the state the command met")),
    )
    reply = create_model(
        "ErrorReply", __base__=Message, __module__=__name__,
        __doc__="The command (or frame) was refused and changed nothing. `in_response` is null when the "
                "message carried no usable id (binary frame, too large, not JSON).",
        in_response=(CorrelationId | None, ...),
        ok=(Literal[False], ...),
        error=(info, ...),
        replayed=(Literal[True] | None, Field(default=None, description=(
            "present when this id was answered before: the stored first outcome, nothing was run again"))),
    )
    return info, reply


# The `data` of each command's ok reply.
class NoResult(Message):
    pass


class PingResult(Message):
    server_time: Time
    seq: Count | None = Field(description="the sitting's current seq: yours is lower, you missed events (sync); "
                                          "null when the server could not read it")
    pseq: Count | None = Field(description="your member's current pseq: your `you.pseq` is lower, you missed "
                                           "per-member events (sync with since_pseq); null when you are no member "
                                           "or the server could not read it")


def _sync_result(audience: str, events, member_events):
    return create_model(f"SyncResult{audience.title()}", __base__=Message, __module__=__name__,
                        __doc__="The events after since_seq, in order, as this audience sees them; with "
                                "since_pseq also your per-member events after it.",
                        events=(list[events], ...),
                        member_events=((_NoMemberEvents if member_events is None else list[member_events]) | None, Field(default=None, description=(
                            "present when the sync gave since_pseq: your stored per-member events after it, "
                            "in pseq order ([] when you are no member)"))))


# ---- everything registered, built once --------------------------------------

class _Built:
    """Every model that depends on the registry, built together on first use."""

    def __init__(self):
        self.STATES = {audience: _state_model(audience) for audience in AUDIENCES}
        self.SNAPSHOTS = {audience: _snapshot_model(audience, self.STATES[audience]) for audience in AUDIENCES}
        # type -> the common model; (type, audience) -> an audience's own model where it differs
        self.EVENT_MODELS = {part.type: _event_model(part, None) for part in registry.events()}
        self.AUDIENCE_EVENT_MODELS = {(part.type, audience): _event_model(part, audience)
                                      for part in registry.events() for audience in part.schemas}
        self.REPLACED = {audience: _replaced_model(audience, self.STATES[audience]) for audience in AUDIENCES}
        self.EVENTS = {audience: (SkipEvent, self.REPLACED[audience],
                                  *(self._event_for(part, audience) for part in registry.events()
                                    if audience in part.audiences))
                       for audience in AUDIENCES}
        self.EVENT_TYPES = sorted(["skip", "state.replaced", *self.EVENT_MODELS])
        self.RESULTS = {"ping": PingResult, **{part.name: part.result for part in registry.commands()},
                        **{part.name: part.result for part in registry.signals()}}
        self.MEMBER_EVENT_MODELS = {part.type: _member_event_model(part) for part in registry.member_events()}
        self.MEMBER_EVENT_TYPES = sorted(self.MEMBER_EVENT_MODELS)
        self.SYNC_RESULTS = {audience: _sync_result(audience, self.event_union(audience),
                                                    self.member_event_union(audience))
                             for audience in AUDIENCES}
        self.ErrorInfo, self.ErrorReply = _error_models()
        self.BATCHES = {audience: _batch_model(audience, self.batched_union(audience)) for audience in AUDIENCES}

    def _event_for(self, part, audience):
        return self.AUDIENCE_EVENT_MODELS.get((part.type, audience), self.EVENT_MODELS[part.type])

    def member_event_union(self, audience: str):
        """A per-member event as a connection of `audience` may get one; None: it gets none."""
        models = tuple(self.MEMBER_EVENT_MODELS.values()) if audience in MEMBER_AUDIENCES else ()
        if not models:
            return None
        if len(models) == 1:
            return models[0]
        return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007 (built at runtime)

    def batched_union(self, audience: str):
        """What a batch of `audience` may hold: its events, and the per-member events it may get."""
        models = (*self.EVENTS[audience],
                  *(self.MEMBER_EVENT_MODELS.values() if audience in MEMBER_AUDIENCES else ()))
        return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007 (built at runtime)

    def event_union(self, audience: str):
        return Annotated[Union[self.EVENTS[audience]], Field(discriminator="type")]  # noqa: UP007 (built at runtime)


@cache
def built() -> _Built:
    return _Built()


def _forget():
    built.cache_clear()
    server_adapter.cache_clear()


registry.on_change(_forget)

# Names built from the registry, read as module attributes (messages.SNAPSHOTS, messages.EVENT_TYPES, …).
_BUILT_NAMES = ("STATES", "SNAPSHOTS", "EVENTS", "EVENT_TYPES", "RESULTS", "SYNC_RESULTS", "ErrorInfo", "ErrorReply",
                "MEMBER_EVENT_MODELS", "MEMBER_EVENT_TYPES", "BATCHES")


def __getattr__(name):
    if name in _BUILT_NAMES:
        return getattr(built(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def event_union(audience: str):
    return built().event_union(audience)


def result_model(cmd: str, audience: str):
    """The model of `data` in the ok reply to `cmd`. `sync` may also be answered by a snapshot."""
    if cmd == "sync":
        return built().SYNC_RESULTS[audience]
    return built().RESULTS[cmd]


# ---- client -> server ---------------------------------------------------

def command_args() -> dict[str, type[BaseModel]]:
    """Every command (and signal) a client may send and the model of its `args` (built-ins first)."""
    return {"ping": schemas.NoArgs, "sync": schemas.SyncArgs, **{part.name: part.args for part in registry.commands()},
            **{part.name: part.args for part in registry.signals()}}


# ---- validation and JSON Schemas ------------------------------------------

def server_message(audience: str):
    """Any message the server may send to a connection of this audience."""
    b = built()
    message = (b.SNAPSHOTS[audience] | b.event_union(audience) | b.BATCHES[audience] | Heartbeat | HubStatus | OkReply
               | b.ErrorReply)
    member_events = b.member_event_union(audience)  # what a member alone is told (realtime.private)
    return message if member_events is None else message | member_events


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
    b = built()
    out = {"client.envelope": _schema("client.envelope", schemas.Envelope, "Every message a client sends.")}
    for cmd, model in command_args().items():
        out[f"command.{cmd}.args"] = _schema(f"command.{cmd}.args", model, f"The `args` of `{cmd}`.")
    for cmd in command_args():
        if cmd == "sync":
            for audience in AUDIENCES:
                name = f"command.sync.reply.{audience}"
                out[name] = _schema(name, b.SYNC_RESULTS[audience], f"The `data` of the ok reply to `sync` ({audience}).")
        else:
            name = f"command.{cmd}.reply"
            out[name] = _schema(name, b.RESULTS[cmd], f"The `data` of the ok reply to `{cmd}`.")
    for audience in AUDIENCES:
        out[f"server.{audience}"] = _schema(f"server.{audience}", server_message(audience),
                                            f"Any message the server sends to the {audience} audience.")
        out[f"snapshot.{audience}"] = _schema(f"snapshot.{audience}", b.SNAPSHOTS[audience])
    # One schema per event type (`event.<type>`), and one per audience that sees it differently
    # (`event.<type>.<audience>`), for every registered type.
    for type_, model in b.EVENT_MODELS.items():
        out[f"event.{type_}"] = _schema(f"event.{type_}", model)
    for (type_, audience), model in b.AUDIENCE_EVENT_MODELS.items():
        out[f"event.{type_}.{audience}"] = _schema(f"event.{type_}.{audience}", model)
    out["event.state.replaced"] = _schema("event.state.replaced", _replaced_model("", dict[str, Any]))
    for audience, model in b.REPLACED.items():
        out[f"event.state.replaced.{audience}"] = _schema(f"event.state.replaced.{audience}", model)
    out["event.skip"] = _schema("event.skip", SkipEvent)
    # One per per-member event type (`member_event.<type>`): sent to one member's connections alone.
    for type_, model in b.MEMBER_EVENT_MODELS.items():
        out[f"member_event.{type_}"] = _schema(f"member_event.{type_}", model)
    for audience, model in b.BATCHES.items():
        out[f"batch.{audience}"] = _schema(f"batch.{audience}", model)
    out["heartbeat"] = _schema("heartbeat", Heartbeat)
    out["hub.status"] = _schema("hub.status", HubStatus)
    out["reply.ok"] = _schema("reply.ok", OkReply)
    out["reply.error"] = _schema("reply.error", b.ErrorReply)
    return out
