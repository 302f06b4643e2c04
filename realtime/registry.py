"""The registry of the hub's parts: what each module (app) adds to the hub, declared in its own folder.

The core (realtime, accounts, audit) imports no domain app. Each app declares its parts in one
module of its own (`<app>/hub.py`) and registers them from its AppConfig.ready(), the way hall
slides are registered (displays/slides.py). The core loops over what is registered here:

- snapshot slices: a key of the state, how to build it from the sitting, which audiences see it,
  how each sees it, and its schema (realtime.snapshot, realtime.audience, realtime.messages);
- event types: which audiences see one, how each sees it, the schema of its data, and the
  reference reducer (how a client applies it; the JavaScript one is in the app's script)
  (realtime.audience, realtime.messages, tests/realtime/reducer.py);
- commands: argument model, the service call, reply model, permission action (realtime.commands,
  realtime.messages);
- signals: requests answered on the connection's event loop with no stored outcome, no seq and no
  audit row, for what changes no sitting state and may wait on another process (the video
  module's SDP offers and ICE candidates; docs/decisions/0014);
- error codes the module's services raise (realtime.errors);
- `you` parts: what one connection alone sees of the sitting, built per connection
  (realtime.private, the snapshot's `you`);
- per-member events: what one member alone is told, with its own counter `pseq`
  (realtime.private; `Change.emit_to`), and its reference reducer applied to `you`;
- sources: the models a module's slices are built from, so that a row changed beside the write
  path (the admin, an import) still reaches every client (realtime.external);
- panels a module adds to the chair console, the delegate terminal and the public page (a
  template and the script that draws it: `{% hub_panels face %}`, `{% hub_panel_scripts face %}`);
- browser scripts that register the module's event reducers in hub.js (`Hub.registerEvent`),
  loaded on every page that uses hub.js (`{% hub_scripts %}`, realtime/templatetags/hub.py).

Registering a name twice raises. docs/modules.md is the recipe for a new module.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings

from accounts.permissions import AUDIENCES


@dataclass(frozen=True)
class Slice:
    """One key of a sitting's state (snapshot `data`)."""

    key: str
    build: Callable[[Any], Any]  # build(sitting) -> JSON-ready value, inside the seq-consistent read
    schema: Any  # the value's type (a pydantic model, list[...], X | None), for every audience that sees it
    # Who sees it; others get no key (so the schema of each audience's state is exact).
    audiences: tuple[str, ...] = AUDIENCES
    schemas: dict[str, Any] = field(default_factory=dict)  # audience -> type, where it differs
    shape: Callable[[Any, str], Any] | None = None  # shape(value, audience) -> what that audience sees
    order: int = 100  # position of the key in the state
    select_related: tuple[str, ...] = ()  # what build needs of the sitting, read with it once

    def schema_for(self, audience: str):
        return self.schemas.get(audience, self.schema)


@dataclass(frozen=True)
class EventType:
    """One event type: `{"type", "seq", "data"}`."""

    type: str
    schema: Any  # the model of `data`
    doc: str  # what happened and how to apply it (the schema's description)
    apply: Callable[[dict, Any], None]  # the reference reducer: apply(state, data), in place
    audiences: tuple[str, ...] = AUDIENCES  # who sees it; others get `skip` with the same seq
    schemas: dict[str, Any] = field(default_factory=dict)  # audience -> model of `data`, where it differs
    shape: Callable[[Any, str], Any] | None = None  # shape(data, audience) -> data, or None: `skip`
    # coalesce(data) -> key, for an event whose data is absolute (a count, not a step): of several
    # with one key committed together (realtime.service.run_group), only the last is kept; the
    # others are never stored nor sent, and take no seq. None: every one is kept.
    coalesce: Callable[[Any], Any] | None = None
    # merge(earlier, later) -> data, with `coalesce`: for an event that is absolute in part and a step
    # in part (a count with who just voted), the data kept for one key in its last one's place, from
    # the earlier (itself merged) and the later one's data; applying it must leave a client's state
    # as applying both in turn does. None: the later one's data as it is.
    merge: Callable[[Any, Any], Any] | None = None

    def schema_for(self, audience: str):
        return self.schemas.get(audience, self.schema)


@dataclass(frozen=True)
class Command:
    """One command a client may send."""

    name: str
    args: Any  # pydantic model of `args` (realtime.schemas.Strict: unknown fields refused)
    call: Callable[[Any, int, Any], Any]  # call(actor, sitting_id, args) -> reply data (a dict) or None
    result: Any  # pydantic model of the ok reply's `data`
    action: str  # the permission action its service asks (accounts.permissions.ACTIONS)
    # Its arguments are a secret (a ballot's choice): no fingerprint of them is stored with its
    # outcome (docs/secrecy.md), so a re-sent id with other arguments cannot be told apart.
    secret: bool = False


@dataclass(frozen=True)
class YouPart:
    """One key of a connection's own `you` (docs/decisions/0008): built for that connection alone."""

    key: str
    # build(actor, sitting) -> JSON-ready value: at connect and for each snapshot answering `sync`,
    # inside a read checked against the snapshot's seq and the member's pseq; never per broadcast.
    build: Callable[[Any, Any], Any]
    schema: Any  # the value's type
    audiences: tuple[str, ...] = AUDIENCES  # whose `you` carries the key


@dataclass(frozen=True)
class MemberEventType:
    """One per-member event type: `{"type", "pseq", "data"}`, sent to one member's connections alone."""

    type: str
    schema: Any  # the model of `data`
    doc: str  # what it says and how to apply it to `you`
    apply: Callable[[dict, Any], None]  # the reference reducer: apply(you, data), in place
    # False: never stored (a secret, a toast): it takes no pseq, is never replayed, and its reducer
    # must be idempotent (it may arrive after a snapshot whose `you` already shows it).
    store: bool = True


@dataclass(frozen=True)
class Signal:
    """A request a client may send that changes no sitting state (docs/decisions/0014, §3): answered
    by `await call(actor, sitting_id, args)` on the connection's own event loop, outside the write
    path: no transaction, no stored outcome, no seq, no audit row. The permission `action` is asked
    with the connection's role; a refusal (`ServiceError`) counts toward the connection's 4429
    limit like a refused command. Use it only for what may be lost and sent again (a resend is the
    caller's idempotence to handle), never for a change a client must learn the outcome of."""

    name: str
    args: Any  # pydantic model of `args` (realtime.schemas.Strict)
    call: Callable[[Any, int, Any], Any]  # async call(actor, sitting_id, args) -> reply data (a dict) or None
    result: Any  # pydantic model of the ok reply's `data`
    action: str  # the permission action (accounts.permissions.ACTIONS)
    # Codes that say the other process is away, not that the client erred: not counted as refusals.
    not_refusals: frozenset[str] = frozenset()


_slices: dict[str, Slice] = {}
_you: dict[str, YouPart] = {}
_member_events: dict[str, MemberEventType] = {}
_events: dict[str, EventType] = {}
_commands: dict[str, Command] = {}
_signals: dict[str, Signal] = {}
_errors: dict[str, str] = {}
_stale_keys: dict[str, tuple[Any, str]] = {}  # key -> (type, description): what a `stale` reply's `current` carries
_scripts: list[str] = []
# name -> (args model, call): the table the consumer reads (realtime.commands.COMMANDS is this dict).
command_table: dict[str, tuple[Any, Callable]] = {}

# Names the core itself uses: no module may register them.
CORE_EVENT_TYPES = frozenset({"skip", "snapshot", "heartbeat", "hub.status", "state.replaced", "batch"})
CORE_COMMANDS = frozenset({"ping", "sync"})
# The keys of `you` the core fills itself.
CORE_YOU_KEYS = frozenset({"role", "member_id", "display_id", "pseq"})


def _once(table: dict, key: str, what: str):
    if key in table:
        raise ValueError(f"{what} {key!r} is registered twice")


def register_slice(key: str, build, schema, **options) -> Slice:
    _once(_slices, key, "snapshot slice")
    part = Slice(key, build, schema, **options)
    _check_audiences(part.audiences, part.schemas, f"slice {key!r}")
    _slices[key] = part
    _changed()
    return part


def register_event(type_: str, schema, *, doc: str, apply, **options) -> EventType:
    _once(_events, type_, "event type")
    if type_ in CORE_EVENT_TYPES or type_ in _member_events:
        raise ValueError(f"event type {type_!r} belongs to the core")
    part = EventType(type_, schema, doc, apply, **options)
    _check_audiences(part.audiences, part.schemas, f"event {type_!r}")
    if part.merge is not None and part.coalesce is None:
        raise ValueError(f"event {type_!r}: merge= needs coalesce= (which events it merges)")
    _events[type_] = part
    _changed()
    return part


def register_you(key: str, build, schema, *, audiences: tuple[str, ...] = AUDIENCES) -> YouPart:
    """A key of `you`: `build(actor, sitting)` for one connection (its actor: role, member_id, …)."""
    if key in CORE_YOU_KEYS:
        raise ValueError(f"you key {key!r} belongs to the core")
    _once(_you, key, "you part")
    part = YouPart(key, build, schema, tuple(audiences))
    _check_audiences(part.audiences, {}, f"you part {key!r}")
    _you[key] = part
    _changed()
    return part


def register_member_event(type_: str, schema, *, doc: str, apply, store: bool = True) -> MemberEventType:
    """A per-member event type (`Change.emit_to`); `store=False`: never stored, never replayed."""
    _once(_member_events, type_, "per-member event type")
    if type_ in CORE_EVENT_TYPES or type_ in _events:
        raise ValueError(f"per-member event type {type_!r} is a sitting event's name")
    part = MemberEventType(type_, schema, doc, apply, store)
    _member_events[type_] = part
    _changed()
    return part


def register_command(name: str, args, call, *, result, action: str, secret: bool = False) -> Command:
    _once(_commands, name, "command")
    if name in CORE_COMMANDS or name in _signals:
        raise ValueError(f"command {name!r} belongs to the core")
    part = Command(name, args, call, result, action, secret)
    _commands[name] = part
    command_table[name] = (args, call)
    _changed()
    return part


def register_signal(name: str, args, call, *, result, action: str, not_refusals=()) -> Signal:
    """A signal (class Signal): `call` is a coroutine function, awaited on the connection's loop."""
    import inspect

    if name in CORE_COMMANDS or name in _commands:
        raise ValueError(f"signal {name!r} is a command's name")
    _once(_signals, name, "signal")
    if not inspect.iscoroutinefunction(call):
        raise ValueError(f"signal {name!r}: call must be a coroutine function (it runs on the event loop)")
    part = Signal(name, args, call, result, action, frozenset(not_refusals))
    _signals[name] = part
    _changed()
    return part


def register_error(code: str, meaning: str) -> None:
    from .errors import CORE_ERRORS

    if code in CORE_ERRORS:
        raise ValueError(f"error code {code!r} belongs to the core")
    _once(_errors, code, "error code")
    _errors[code] = meaning
    _changed()


def register_stale_key(key: str, schema, doc: str) -> None:
    """A key of a `stale` reply's `current` (beside the core's `seq`): what your commands that say
    what they saw met instead (agenda: `item_id`; the floor: `speech_id`). Typed `schema` or absent."""
    if key == "seq":
        raise ValueError("stale key 'seq' belongs to the core")
    _once(_stale_keys, key, "stale key")
    _stale_keys[key] = (schema, doc)
    _changed()


def register_source(model, sittings) -> None:
    """`model`'s rows feed the state of the sittings `sittings(row)` (an iterable of ids) names: a
    row saved or deleted beside the write path (the admin, an import) sends those sittings'
    clients their whole state again (realtime.external, event `state.replaced`)."""
    from .external import register_source as register

    register(model, sittings)


# The pages a module may add a panel to (docs/modules.md, "Panels").
FACES = ("console", "terminal", "public")


@dataclass(frozen=True)
class Panel:
    """A module's part of a face: a template rendered into the page (with the page's context), and
    a script loaded after the face's own that draws it (`Hub.registerPanel(fn)` in hub.js)."""

    face: str
    name: str
    template: str
    script: str | None = None
    order: int = 100


_panels: dict[tuple[str, str], Panel] = {}


def register_panel(face: str, name: str, template: str, *, script: str | None = None, order: int = 100) -> Panel:
    """A panel on the chair console, the delegate terminal or the public page ({% hub_panels face %})."""
    if face not in FACES:
        raise ValueError(f"panel {name!r}: unknown face {face!r} (one of {', '.join(FACES)})")
    _once(_panels, (face, name), "panel")
    part = Panel(face, name, template, script, order)
    _panels[(face, name)] = part
    return part


def panels(face: str) -> list[Panel]:
    return sorted((p for p in _panels.values() if p.face == face), key=lambda p: (p.order, p.name))


def register_script(path: str) -> None:
    """A static script that registers event reducers in hub.js (`Hub.registerEvent(type, fn)`, and
    `Hub.registerMemberEvent(type, fn)` for per-member events)."""
    if path in _scripts:
        raise ValueError(f"hub script {path!r} is registered twice")
    _scripts.append(path)


def unregister(*, slices=(), events=(), commands=(), errors=(), scripts=(), you=(), member_events=(),
               panels=(), stale_keys=(), signals=()) -> None:
    """Take parts out again (tests that register a toy module)."""
    for key in slices:
        _slices.pop(key, None)
    for key in you:
        _you.pop(key, None)
    for key in member_events:
        _member_events.pop(key, None)
    for key in events:
        _events.pop(key, None)
    for key in commands:
        _commands.pop(key, None)
        command_table.pop(key, None)
    for key in signals:
        _signals.pop(key, None)
    for key in errors:
        _errors.pop(key, None)
    for key in stale_keys:
        _stale_keys.pop(key, None)
    for path in scripts:
        if path in _scripts:
            _scripts.remove(path)
    for key in panels:  # (face, name)
        _panels.pop(tuple(key), None)
    _changed()


def _check_audiences(audiences, overrides, what):
    unknown = (set(audiences) | set(overrides)) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"{what}: unknown audiences {sorted(unknown)}")


# Listeners told when the registry changes (realtime.messages drops the schemas it built).
_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> None:
    _listeners.append(listener)


def _changed():
    for listener in _listeners:
        listener()


# ---- reading ---------------------------------------------------------------

def slices() -> list[Slice]:
    return sorted(_slices.values(), key=lambda s: (s.order, s.key))


def slice_(key: str) -> Slice | None:
    return _slices.get(key)


def you_parts(audience: str | None = None) -> list[YouPart]:
    """The `you` parts (of one audience's `you`, when named), by key."""
    return sorted((p for p in _you.values() if audience is None or audience in p.audiences), key=lambda p: p.key)


def member_events() -> list[MemberEventType]:
    return sorted(_member_events.values(), key=lambda e: e.type)


def member_event(type_: str) -> MemberEventType | None:
    return _member_events.get(type_)


def events() -> list[EventType]:
    return sorted(_events.values(), key=lambda e: e.type)


def event(type_: str) -> EventType | None:
    return _events.get(type_)


def commands() -> list[Command]:
    return list(_commands.values())


def command(name: str) -> Command | None:
    return _commands.get(name)


def signals() -> list[Signal]:
    return list(_signals.values())


def signal(name: str) -> Signal | None:
    return _signals.get(name)


def errors() -> dict[str, str]:
    return dict(_errors)


def stale_keys() -> dict[str, tuple[Any, str]]:
    return dict(sorted(_stale_keys.items()))


def scripts() -> list[str]:
    return list(_scripts)


# ---- the sitting: the room the hub serves -----------------------------------

def sitting_model():
    """The model of a sitting (setting HUB_SITTING_MODEL, "app_label.Model", like AUTH_USER_MODEL).

    The core needs of it: `seq` (bumped by every change), `status` with `Status.LIVE` and
    `Status.CLOSED`, `closed_at`, `is_public`, `session` (null or with `is_public`), `chair_id`,
    `secretary_id` and `body_id` (accounts.permissions.role_in)."""
    return django_apps.get_model(settings.HUB_SITTING_MODEL, require_ready=False)
