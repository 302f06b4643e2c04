"""One change that is not a sitting's: its permission, transaction, audit and after-commit effects.

A sitting's state changes through `realtime.service.change` (lock, seq, events). Everything else
the office does — a device revoked, a document edited or published, a letter classified — goes
through `operation`, the same steps without the sitting:

    with operation(actor, "device.revoke", allowed=may_manage_reference_data(user),
                   refusal=_("Chỉ cán bộ văn phòng mới thu hồi được thiết bị.")) as op:
        ...write rows...
        op.detail["device_id"] = device.pk
        op.after_commit(lambda: close_device(device.pk))

1. a refusal (`allowed` false) is audited in a transaction of its own, before the change's is
   opened, and raises ServiceError("forbidden") (or the module's subclass);
2. the body runs in a transaction;
3. one audit record, with `op.detail` (keys named by `op.redact` kept by name only), is written
   in that transaction — a change and its record commit together or not at all;
4. what must happen only once the change is in the database (a mail, a connection closed, an
   index updated) runs after the commit, and its failure never undoes or fails the change.

`ServiceError` lives here, not in the hub: the library, the petitions and the accounts raise it
as much as the sitting's commands do (realtime.service re-exports it).
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from .services import record


class ServiceError(Exception):
    """A refused request. `code` is stable (docs/protocol.md for the hub, each module's doc otherwise).

    `data`: what an error reply carries beside code and message, e.g. for the hub's `stale`
    {"current": {"item_id", "seq"}} (the consumer merges it into `error`)."""

    def __init__(self, code: str, message: str = "", data: dict | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.data = data or {}


@dataclass
class Operation:
    actor: Any
    detail: dict = field(default_factory=dict)
    redacted: set[str] = field(default_factory=set)
    effects: list[Callable[[], None]] = field(default_factory=list)

    def redact(self, *keys: str) -> None:
        """The audit record keeps these keys of `detail` by name only, never their values."""
        self.redacted.update(keys)

    def after_commit(self, effect: Callable[[], None]) -> None:
        self.effects.append(effect)

    def audit_detail(self) -> dict:
        return redacted(self.detail, self.redacted)


def redacted(detail: dict, keys) -> dict:
    """`detail` as the audit log keeps it: the values of `keys` left out, their names listed in
    `detail["redacted"]` (a secret a change passes along, not one it keeps)."""
    hidden = sorted(k for k in keys if k in detail)
    if not hidden:
        return detail
    return {**{k: v for k, v in detail.items() if k not in keys}, "redacted": hidden}


def refuse(actor, action: str, message: str, *, code: str = "forbidden", error=ServiceError, detail: dict | None = None):
    """Audit a refused request and raise. Called outside a transaction (as every service does: it
    refuses before it opens one), the record commits on its own; inside one, it would go with it."""
    with transaction.atomic():
        record(actor, action, outcome=code, detail=detail or {})
    raise error(code, message)


@contextmanager
def operation(actor, action: str, *, allowed: bool = True, refusal: str = "", error=ServiceError,
              detail: dict | None = None):
    """Permission, transaction, audit record and after-commit effects of one change (see the module doc).
    `error`: the module's own ServiceError subclass to raise (LibraryError, PetitionError)."""
    if not allowed:
        refuse(actor, action, refusal, error=error, detail=detail)
    with transaction.atomic():
        op = Operation(actor, detail=dict(detail or {}))
        yield op
        record(actor, action, detail=op.audit_detail())
        for effect in op.effects:
            transaction.on_commit(effect, robust=True)
