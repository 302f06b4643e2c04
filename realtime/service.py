"""The one write path: every change of a sitting's state goes through `change()`.

    with change(actor, "agenda.navigate", sitting_id) as c:
        ...write rows...
        c.emit("agenda.current", {...})

1. checks the permission (accounts.permissions) — a refusal is audited and raises;
2. opens a transaction and locks the sitting row (select_for_update);
3. refuses a sitting that is not live (unless `live=False`);
4. runs the body, which writes and emits events (`c.emit`, and `c.emit_to` for what one
   member alone is told: realtime.private, docs/decisions/0008);
5. appends the audit record (without the values of the keys `c.redact` names), bumps the
   sitting's seq once per event, stores the events (for replay) and the stored per-member
   events with their pseq, and publishes them all after commit.
"""

import hashlib
import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction

from accounts.permissions import Actor, current_actor, current_actors, may
from audit import sampling as audit_sampling
from audit.operations import ServiceError, redacted  # ServiceError: where the write path's callers have long found it
from audit.models import AuditRecord
from audit.services import build_record, record

from .external import announced
from .models import CommandOutcome, MemberEvent, SittingEvent
from .private import store_member_events
from .publish import publish_after_commit
from .registry import event as event_type
from .registry import member_event, sitting_model
from .rows import insert_rows, update_rows

log = logging.getLogger(__name__)


@dataclass
class Change:
    actor: Actor
    sitting: Any  # the sitting, locked (registry.sitting_model())
    events: list[tuple[str, dict]] = field(default_factory=list)
    detail: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)

    # (member id, type, data, stored): per-member events, outside the audiences' broadcast
    member_events: list[tuple[int, str, dict, bool]] = field(default_factory=list)
    redacted: set[str] = field(default_factory=set)

    def emit(self, type_: str, data: dict) -> None:
        self.events.append((type_, data))

    def emit_to(self, member_id: int, type_: str, data: dict, store: bool | None = None) -> None:
        """Tell one member alone (their connections only; registry.register_member_event). A stored
        one takes the member's next pseq and is replayed to them; `store=False` (or a type registered
        so) is published once and kept nowhere. It takes no seq of the sitting."""
        part = member_event(type_)
        if part is None:
            raise ValueError(f"per-member event type {type_!r} is not registered")
        if store is None:
            store = part.store
        elif store and not part.store:
            raise ValueError(f"per-member event type {type_!r} is registered never stored")
        self.member_events.append((int(member_id), type_, data, bool(store)))

    def redact(self, *keys: str) -> None:
        """The audit record keeps these keys of `detail` by name only, never their values
        (`detail["redacted"]` lists them): a secret a service needs to pass along, not to keep."""
        self.redacted.update(keys)

    def audit_detail(self) -> dict:
        return redacted(self.detail, self.redacted)


def refuse(actor: Actor, action: str, sitting_id, code: str, message: str, *, audit: bool = True):
    # On a hub connection, a repeat of a refusal already written is only counted (audit.sampling).
    sampler = audit_sampling.current()
    if audit and (sampler is None or sampler.admit(action, code, message)):
        with transaction.atomic():
            record(actor, action, sitting=sitting_model().objects.filter(pk=sitting_id).first(), outcome=code,
                   detail={"message": str(message)})
    raise ServiceError(code, message)


class _NoLongerAllowed(Exception):
    def __init__(self, actor: Actor):
        self.actor = actor


@contextmanager
def change(actor: Actor, action: str, sitting_id: int, *, live: bool = True, detail: dict | None = None):
    from django.utils.translation import gettext as _

    forbidden = _("Vai trò của bạn không được thực hiện thao tác này.")
    if not may(actor.role, action):
        # The role was resolved when the connection opened: one made chair since may act now.
        sitting = sitting_model().objects.filter(pk=sitting_id).first()
        actor = current_actor(actor, sitting) if sitting is not None else actor
        if not may(actor.role, action):
            refuse(actor, action, sitting_id, "forbidden", forbidden)
    Sitting = sitting_model()
    group = _current_group(sitting_id)
    mark = group.mark() if group is not None else None
    try:
        with transaction.atomic():
            try:
                sitting = group.sitting if group is not None and group.sitting is not None else \
                    Sitting.objects.select_for_update().get(pk=sitting_id)
            except Sitting.DoesNotExist:
                raise ServiceError("not_found", _("Không tìm thấy phiên họp.")) from None
            if group is not None:
                # Locked and read once for the group; each change after the first goes on from the
                # row as the changes before it left it. Its events take their seqs when the group
                # commits: the seq as this change sees it.
                group.sitting = sitting
                sitting.seq = group.seq_now(sitting)
            # Who may act is read again under the lock (a chair replaced, a device revoked, a
            # person deactivated since the connection opened), never taken from the connection;
            # once per person and device in a group (nothing in it changes who they are).
            actor = group.actor(actor, sitting) if group is not None else current_actor(actor, sitting)
            if not may(actor.role, action):
                raise _NoLongerAllowed(actor)
            if live and sitting.status != Sitting.Status.LIVE:
                raise ServiceError("sitting_not_live", _("Phiên họp không đang diễn ra."))
            c = Change(actor=actor, sitting=sitting, detail=dict(detail or {}))
            with announced():  # its writes are told by its own events (realtime.external)
                yield c
            if group is not None:
                # Written with the group's other changes, once, when it commits (run_group).
                group.add(c, action)
            else:
                record(actor, action, sitting=sitting, detail=c.audit_detail())
                if c.events:
                    _store_events(sitting, c.events)
                if c.member_events:
                    store_member_events(sitting, c.member_events)
    except _NoLongerAllowed as e:  # outside the rolled-back transaction, so the refusal is audited
        if group is not None:
            group.undo(mark)
        refuse(e.actor, action, sitting_id, "forbidden", forbidden)
    except BaseException:
        if group is not None:
            group.undo(mark)  # rolled back with its savepoint: nothing of it is written
        raise


def _store_events(sitting, events: list[tuple[str, dict]]) -> None:
    """Give the events the sitting's next seqs, store them (for replay), publish them after commit."""
    Sitting = sitting_model()
    first = sitting.seq + 1
    sitting.seq += len(events)
    Sitting.objects.filter(pk=sitting.pk).update(seq=sitting.seq)
    stored = [SittingEvent(sitting_id=sitting.pk, seq=first + i, type=t, data=d) for i, (t, d) in enumerate(events)]
    insert_rows(SittingEvent, stored)
    publish_after_commit(sitting, [(e.seq, e.type, e.data) for e in stored])


# ---- group commit (docs/decisions/0011-group-commit.md) ------------------------------------

_groups = threading.local()


def _current_group(sitting_id: int) -> "_Group | None":
    group = getattr(_groups, "current", None)
    return group if group is not None and group.sitting_id == int(sitting_id) else None


class _Group:
    """The changes of several commands of one sitting, committed in one transaction: each
    `change()` inside it is its own savepoint, as alone; what every change writes at its end (the
    audit record, the seq and the stored events, the per-member events) is written once for all
    when the group commits."""

    def __init__(self, sitting_id: int):
        self.sitting_id = int(sitting_id)
        self.base_seq: int | None = None  # the sitting's seq when the group first locked it
        self.sitting = None  # the sitting's row, locked by the group's first change
        self.actors: dict = {}  # who each actor is now (current_actors), read once for the group
        self.expected: list[Actor] = []
        self.audits: list = []
        self.events: list[tuple[str, dict]] = []
        self.member_events: list[tuple[int, str, dict, bool]] = []

    def seq_now(self, sitting) -> int:
        if self.base_seq is None:
            self.base_seq = sitting.seq
        return self.base_seq + len(self.events)

    def expect(self, actors: list[Actor]) -> None:
        """The actors of the group's commands: read again together, at the first change that asks."""
        self.expected = list(actors)

    def actor(self, actor: Actor, sitting) -> Actor:
        key = _actor_key(actor)
        if key not in self.actors:
            wanted = {_actor_key(a): a for a in [*self.expected, actor] if _actor_key(a) not in self.actors}
            for k, now in zip(wanted, current_actors(list(wanted.values()), sitting)):
                self.actors[k] = now
        return self.actors[key]

    def mark(self) -> tuple[int, int, int]:
        return len(self.audits), len(self.events), len(self.member_events)

    def undo(self, mark) -> None:
        del self.audits[mark[0]:], self.events[mark[1]:], self.member_events[mark[2]:]
        # Its savepoint rolled back the row, not what the change did to the object: read it again.
        self.sitting = None

    def add(self, c: Change, action: str) -> None:
        self.audits.append(build_record(c.actor, action, sitting=c.sitting, detail=c.audit_detail()))
        self.events.extend(c.events)
        self.member_events.extend(c.member_events)

    def write(self) -> None:
        """Inside the group's transaction, after its last change."""
        insert_rows(AuditRecord, self.audits)
        events = coalesced(self.events)
        if not events and not self.member_events:
            return
        sitting = self.sitting if self.sitting is not None else sitting_model().objects.get(pk=self.sitting_id)
        sitting.seq = self.base_seq if self.base_seq is not None else sitting.seq
        if events:
            _store_events(sitting, events)
        if self.member_events:
            store_member_events(sitting, self.member_events)


def _actor_key(actor: Actor) -> tuple:
    return getattr(actor.user, "pk", None), getattr(actor.device, "pk", None), actor.role


def last_event(sitting_id: int, type_: str, *, member_id: int | None = None) -> dict | None:
    """The data of the sitting's last event of this type (with `member_id`: of that member's
    per-member events), as the change asking sees it: with the events of the commands grouped
    before it, which are written only when their group commits. For a module whose state is its
    own events (tests/realtime/toy); a module with tables of its own reads those."""
    group = _current_group(sitting_id)
    if group is not None:
        if member_id is None:
            pending = [data for t, data in group.events if t == type_]
        else:
            pending = [data for m, t, data, _s in group.member_events if t == type_ and m == member_id]
        if pending:
            return pending[-1]
    if member_id is None:
        last = SittingEvent.objects.filter(sitting_id=sitting_id, type=type_).order_by("-seq").first()
    else:
        last = MemberEvent.objects.filter(sitting_id=sitting_id, member_id=member_id, type=type_).order_by("-pseq").first()
    return last.data if last is not None else None


def coalesced(events: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The events without those a later one of the same coalescing key makes useless
    (registry.EventType.coalesce: absolute data, such as a count): each key's last stays, where it
    is, with the data its type's `merge(earlier, later)` makes of them all in turn (none: its own)."""
    parts, keys = [], []
    for type_, data in events:
        part = event_type(type_)
        parts.append(part)
        keys.append((type_, part.coalesce(data)) if part is not None and part.coalesce is not None else None)
    last = {key: i for i, key in enumerate(keys) if key is not None}
    merged: dict = {}
    out = []
    for i, ((type_, data), key, part) in enumerate(zip(events, keys, parts)):
        if key is None:
            out.append((type_, data))
            continue
        if key in merged and part.merge is not None:
            data = part.merge(merged[key], data)
        merged[key] = data
        if last[key] == i:
            out.append((type_, data))
    return out


# ---- commands: one outcome each (docs/decisions/0005-exactly-once-commands.md) ----

@dataclass
class Outcome:
    """What a hub command came to: ok with `data`, or refused with `error` {code, message, ...}.
    `replayed`: answered from the stored outcome of an earlier command with the same id."""

    ok: bool
    data: dict | None = None
    error: dict | None = None
    replayed: bool = False


def error_body(e: ServiceError) -> dict:
    return {"code": e.code, "message": str(e.message), **e.data}


def sender_key(actor: Actor) -> str | None:
    """Whose command ids these are: the paired device, else the signed-in person; None for
    an anonymous observer (it changes nothing, so nothing of it is stored)."""
    if actor.device is not None:
        return f"device:{actor.device.pk}"
    user = actor.user
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _command_key(command_id) -> str:
    # Typed, so that the ids 5 and "5" stay two commands.
    return f"i:{command_id}" if isinstance(command_id, int) else f"s:{command_id}"


def _fingerprint(cmd: str, args: dict) -> str:
    canonical = json.dumps([cmd, args], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_command(actor: Actor, sitting_id: int, command_id, cmd: str, args: dict, call, *, secret: bool = False) -> Outcome:
    """`_run_command`, surviving a database that restarted or cannot be reached.

    A connection that fails (the pool kept it from before a PostgreSQL restart, the server ended
    it) is dropped and the command run again on another. Running again is safe: the attempt that
    failed either rolled back, or (the link broke in the very commit) committed with its outcome,
    which the next attempt finds and answers. A database that cannot be reached at all
    (restarting, the network down) is answered `unavailable`, and nothing is stored."""
    from django.utils.translation import gettext as _

    for attempt in range(RETRIES + 1):
        try:
            return _run_command(actor, sitting_id, command_id, cmd, args, call, secret=secret)
        except (OperationalError, InterfaceError) as e:
            log.warning("command %s: the database failed (%s)", cmd, e)
            if _waited_for_a_connection(e) or not _reconnect():
                break  # out of reach
            if attempt == RETRIES:
                raise  # the database answers, and this command keeps failing: `internal`
    return Outcome(ok=False, error=error_body(ServiceError("unavailable", _(
        "Tạm thời không kết nối được cơ sở dữ liệu. Hãy gửi lại lệnh này sau giây lát."))))


# How many failed connections in a row a command replaces before it gives up: the pool may hold a
# few from before a restart, and each fails at once.
RETRIES = 5


def _waited_for_a_connection(error: Exception) -> bool:
    """The pool had no connection to give for its whole timeout: the database is out of reach, and
    asking again would only make this thread (every connection's) wait as long again."""
    return type(error.__cause__).__name__ == "PoolTimeout"


def _reconnect() -> bool:
    """Drop this thread's connection and take a working one; False when the database cannot be reached."""
    for _ in range(2):  # the pool may hand out another broken one first
        try:
            connection.close()  # with the pool: handed back, and the pool discards a broken one
        except Exception:
            connection.connection = None
        try:
            connection.ensure_connection()
        except Exception:
            return False
        if connection.is_usable():
            return True
    return True  # the next attempt finds out


def _run_command(actor: Actor, sitting_id: int, command_id, cmd: str, args: dict, call, *, secret: bool = False) -> Outcome:
    """Run `call()` (a service call) as the hub command `command_id` of this sender in this sitting, once.

    The outcome row is inserted first, in the transaction that then runs the service, and
    completed before it commits: a change that committed has its outcome, a rolled-back one
    none. The same id again (any connection, any worker) finds the row and runs nothing; two
    racing with one id collide on the unique key, and the loser answers the winner's outcome.
    A refusal (ServiceError) is an outcome too, stored beside the audit record it wrote.
    Any other exception rolls everything back (nothing changed, nothing stored) and propagates.
    """
    who = sender_key(actor)
    if who is None:
        return _outcome(call)
    key = _command_key(command_id)
    # A secret command's arguments leave no trace, not even a hash: one of a few possible choices
    # is found from its hash at once. Its id still cannot be reused for another command.
    fingerprint = _fingerprint(cmd, {} if secret else args)
    inserted = False
    try:
        with transaction.atomic():
            row = CommandOutcome.objects.create(who=who, command_id=key, sitting_id=sitting_id, cmd=cmd,
                                                fingerprint=fingerprint, ok=False)
            inserted = True
            outcome = _outcome(call)
            row.ok, row.result, row.error = outcome.ok, outcome.data, outcome.error
            row.save(update_fields=["ok", "result", "error"])
    except IntegrityError:
        if inserted:
            raise  # the service's own constraint, not ours
        row = CommandOutcome.objects.filter(who=who, sitting_id=sitting_id, command_id=key).first()
        if row is None:  # pruned in between: as old as that, it is a new command
            return _run_command(actor, sitting_id, command_id, cmd, args, call, secret=secret)
        return _replay(row, fingerprint)
    if row.pk % PRUNE_EVERY == 0:
        # Outcomes are kept for a bounded time: every PRUNE_EVERY-th command sweeps the old ones.
        # After the commit: a failure here must not turn the committed change's reply into an error.
        try:
            prune_command_outcomes()
        except Exception:
            log.exception("pruning old command outcomes failed")
    return outcome


PRUNE_EVERY = 1000


def prune_command_outcomes(now=None) -> int:
    """Forget outcomes older than HUB_COMMAND_OUTCOME_DAYS days; returns how many.
    Also `manage.py prune_command_outcomes`."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=settings.HUB_COMMAND_OUTCOME_DAYS)
    deleted, _ = CommandOutcome.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _outcome(call) -> Outcome:
    try:
        return Outcome(ok=True, data=call() or {})
    except ServiceError as e:
        return Outcome(ok=False, error=error_body(e))


def _replay(row: CommandOutcome, fingerprint: str) -> Outcome:
    from django.utils.translation import gettext as _

    if row.fingerprint != fingerprint:
        return Outcome(ok=False, error={"code": "id_reused", "message": str(
            _("Mã lệnh này đã được dùng cho một lệnh khác; không có gì thay đổi."))})
    return Outcome(ok=row.ok, data=row.result if row.ok else None, error=row.error, replayed=True)


# ---- several commands of one sitting at once (docs/decisions/0011-group-commit.md) ----------

@dataclass
class GroupItem:
    """One command of a group: what `run_command` takes, and the context it runs in (the sender's
    language and refusal sampler: `enter()` returns a context manager)."""

    actor: Actor
    command_id: Any
    cmd: str
    args: dict
    call: Any  # call() -> reply data
    secret: bool = False
    enter: Any = None


def run_group(sitting_id: int, items: list[GroupItem]) -> list[Outcome | BaseException]:
    """Run several commands of one sitting, in order, each with its one outcome as `run_command`
    gives it, committed together: one transaction, one lock of the sitting, and the audit records,
    events, per-member events and outcomes of all written at once (what a command costs beyond its
    service's own reads and writes, paid once for the group). A command's refusal is its own, as
    alone. Anything else going wrong rolls the whole group back, and each command is then run
    alone (`run_command`): nothing of the group was written, so none runs twice. Returns, per
    item, its Outcome, or the exception it raised when run alone (answered `internal`)."""
    if len(items) == 1:
        return [_run_alone(items[0], sitting_id)]
    try:
        return _run_group(sitting_id, items)
    except Exception:
        log.warning("a group of %d commands of sitting %s failed; running each alone", len(items), sitting_id,
                    exc_info=True)
        if connection.needs_rollback or not connection.is_usable():
            _reconnect()
    return [_run_alone(item, sitting_id) for item in items]


def _run_alone(item: GroupItem, sitting_id: int) -> Outcome | BaseException:
    try:
        with _entered(item):
            return run_command(item.actor, sitting_id, item.command_id, item.cmd, item.args, item.call,
                               secret=item.secret)
    except Exception as e:  # noqa: BLE001 (the caller answers it `internal`, as for a command alone)
        return e


def _entered(item: GroupItem):
    from contextlib import nullcontext

    return item.enter() if item.enter is not None else nullcontext()


# A group's outcome rows are written by one statement run for every row (realtime.rows: the driver's
# loop, not Django's per-row SQL building, which was most of a burst's outcome cost), completed by
# the row's unique key (who, sitting, id).
_written = {"n": 0}
_written_lock = threading.Lock()


def _count_written(n: int) -> bool:
    """Count outcomes written by groups in this process: True each time the count passes a
    multiple of PRUNE_EVERY (time for the sweep, as run_command does by the row's id)."""
    with _written_lock:
        before = _written["n"]
        _written["n"] = before + n
        return n > 0 and before // PRUNE_EVERY != (before + n) // PRUNE_EVERY


def _run_group(sitting_id: int, items: list[GroupItem]) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(items)
    keys = [(sender_key(item.actor), _command_key(item.command_id)) for item in items]
    prints = [_fingerprint(item.cmd, {} if item.secret else item.args) for item in items]
    with transaction.atomic():
        known = {}
        asked = [key for key in keys if key[0] is not None]
        if asked:
            rows = CommandOutcome.objects.filter(sitting_id=sitting_id, who__in={w for w, _k in asked},
                                                 command_id__in={k for _w, k in asked})
            known = {(row.who, row.command_id): row for row in rows}
        first_of: dict[tuple, int] = {}
        fresh: dict[int, CommandOutcome] = {}
        for i, (item, key, fingerprint) in enumerate(zip(items, keys, prints)):
            if key[0] is None:
                continue  # an anonymous observer: nothing of it is stored (run_command)
            if key in known:
                outcomes[i] = _replay(known[key], fingerprint)
            elif key not in first_of:
                first_of[key] = i
                fresh[i] = CommandOutcome(who=key[0], command_id=key[1], sitting_id=sitting_id, cmd=item.cmd,
                                          fingerprint=fingerprint, ok=False)
        # Inserted first, as alone: the same id sent to another worker meanwhile waits on these rows,
        # or has them already (IntegrityError: the group is run again command by command).
        insert_rows(CommandOutcome, list(fresh.values()))
        group = _Group(sitting_id)
        group.expect([item.actor for i, item in enumerate(items) if outcomes[i] is None])
        _groups.current = group
        try:
            for i, item in enumerate(items):
                if outcomes[i] is not None or (keys[i][0] is not None and i not in fresh):
                    continue  # answered from an earlier outcome, or a repeat within the group (below)
                with _entered(item):
                    outcomes[i] = _outcome(item.call)
            group.write()
        finally:
            _groups.current = None
        for i, row in fresh.items():
            row.ok, row.result, row.error = outcomes[i].ok, outcomes[i].data, outcomes[i].error
        # The placeholders, new in this transaction and seen by nobody else, completed.
        update_rows(CommandOutcome, ("ok", "result", "error"), ("who", "sitting_id", "command_id"),
                    list(fresh.values()))
    for i, key in enumerate(keys):
        if outcomes[i] is None:  # the same sender's same id twice in the group: the first's outcome
            outcomes[i] = _replay(fresh[first_of[key]], prints[i])
    if _count_written(len(fresh)):
        try:
            prune_command_outcomes()
        except Exception:
            log.exception("pruning old command outcomes failed")
    return outcomes
