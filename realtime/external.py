"""No side doors: a change made beside the write path still reaches every client.

The hub's clients keep their state by applying events (docs/protocol.md). A change made in the
admin, by the CSV import of members, or from a shell goes through no service and emits no event,
so an open console, terminal or hall display would keep showing the old state until it
reconnected. Each module names the models its slices are built from and, for a row, the
sittings whose state it feeds (`registry.register_source`). When such a row is saved or deleted
outside the write path, after the transaction commits every affected sitting gets one
`state.replaced` event through `realtime.service.change` (as the system actor, audited, with a
seq of its own): the whole state, as each audience may see it, which a client puts in place of
its own.

Writes the write path makes announce themselves: inside `change()` (or `announced()`, for a
module's service that emits its own events) nothing is scheduled. One transaction that saves
many rows (an import of a hundred members) gives one event per sitting, not one per row.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_save, pre_delete

log = logging.getLogger(__name__)

# The event a client applies by putting `data` (the whole state it may see) in place of its own.
STATE_REPLACED = "state.replaced"
# The permission action of the refresh: the project's own background work only.
REFRESH_ACTION = "hub.refresh"

_local = threading.local()
# model -> sittings(instance) -> ids of the sittings whose state the row feeds
_sources: dict[type, Callable[[object], Iterable[int]]] = {}


@contextmanager
def announced():
    """Writes inside this block are announced by the code that makes them (its own events)."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def _announced() -> bool:
    return getattr(_local, "depth", 0) > 0


def register_source(model, sittings: Callable[[object], Iterable[int]]) -> None:
    """`model`'s rows feed the state of the sittings `sittings(row)` names: a row saved or deleted
    outside the write path refreshes them. `sittings` runs before a delete, while the row's
    relations can still be read."""
    if model in _sources:
        raise ValueError(f"hub source {model._meta.label} is registered twice")
    _sources[model] = sittings
    uid = f"realtime.external:{model._meta.label}"
    post_save.connect(_saved, sender=model, weak=False, dispatch_uid=uid)
    pre_delete.connect(_deleting, sender=model, weak=False, dispatch_uid=uid)


def unregister_source(model) -> None:
    """For tests that register a toy source."""
    if _sources.pop(model, None) is not None:
        uid = f"realtime.external:{model._meta.label}"
        post_save.disconnect(sender=model, dispatch_uid=uid)
        pre_delete.disconnect(sender=model, dispatch_uid=uid)


def sources() -> list[type]:
    return list(_sources)


def _saved(sender, instance, raw=False, **kwargs):
    if raw or _announced():  # raw: loading fixtures
        return
    _schedule(sender, instance)


def _deleting(sender, instance, **kwargs):
    if _announced():
        return
    _schedule(sender, instance)


def _schedule(model, instance) -> None:
    ids = {int(pk) for pk in _sources[model](instance) if pk is not None}
    if not ids:
        return
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = set()
    pending |= ids
    # One callback per write, each taking what is pending: the first after the commit refreshes
    # every sitting the transaction touched, the others find nothing left. (A write rolled back
    # leaves its ids pending, refreshed with the thread's next commit: a refresh is never wrong.)
    transaction.on_commit(_flush, robust=True)


def _flush() -> None:
    pending = getattr(_local, "pending", None)
    if not pending:
        return
    ids = sorted(pending)  # ascending: the lock order of docs/locking.md
    pending.clear()
    for sitting_id in ids:
        try:
            refresh(sitting_id)
        except Exception:  # the edit has committed: clients see it in their next snapshot (a reconnect)
            log.exception("sitting %s: could not announce a change made beside the write path", sitting_id)


def refresh(sitting_id: int) -> None:
    """Tell every client of the sitting its whole state as it is now (one `state.replaced` event)."""
    from accounts.permissions import system_actor

    from .publish import recheck_after_commit
    from .service import ServiceError, change
    from .snapshot import state_of

    try:
        with change(system_actor(), REFRESH_ACTION, sitting_id, live=False) as c:
            c.emit(STATE_REPLACED, state_of(c.sitting))
            # Who may follow it, and as what, may have changed too (made non-public, a chair
            # replaced, a membership ended): every connection checks its role again.
            recheck_after_commit(sitting_id)
    except ServiceError as e:
        if e.code != "not_found":  # deleted meanwhile: nobody follows it any more
            raise
