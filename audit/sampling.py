"""Sampling repeated refusals, so one client cannot fill the audit log.

A hub connection keeps one RefusalSampler. The first refusal of each kind
(command, action, code) on that connection is written in full, as any refusal;
later ones of the same kind are only counted, and `flush()` writes one row per
kind with the count (`detail.repeated`) when the connection closes. The write path asks `admit()`
through the sampler current in its thread (`sampling()`); outside a connection
(pages, the admin) there is none and every refusal is written.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from .services import record

_current: ContextVar["RefusalSampler | None"] = ContextVar("audit_refusal_sampler", default=None)


class RefusalSampler:
    def __init__(self):
        self.refusals = 0        # every refusal seen, written or counted
        self.command = ""        # the command being run (set by the connection)
        self._seen: set[tuple[str, str, str]] = set()
        self._repeated: dict[tuple[str, str, str], list] = {}  # (command, action, code) -> [count, last message]

    def admit(self, action: str, code: str, message: str) -> bool:
        """Count one refusal; True when it is to be written in full (the first of its kind)."""
        self.refusals += 1
        key = (self.command, action, code)
        if key not in self._seen:
            self._seen.add(key)
            return True
        entry = self._repeated.setdefault(key, [0, ""])
        entry[0] += 1
        entry[1] = str(message)
        return False

    @property
    def pending(self) -> bool:
        """Repeats counted and not yet written (what `flush()` would write)."""
        return bool(self._repeated)

    def flush(self, actor, sitting=None) -> None:
        """Write one row per kind of refusal counted since the last flush (call in a transaction)."""
        repeated, self._repeated = self._repeated, {}
        for (command, action, code), (count, message) in repeated.items():
            detail = {"message": message, "repeated": count}
            if command:
                detail["command"] = command
            record(actor, action, sitting=sitting, outcome=code, detail=detail)


def current() -> RefusalSampler | None:
    return _current.get()


@contextmanager
def sampling(sampler: RefusalSampler):
    token = _current.set(sampler)
    try:
        yield sampler
    finally:
        _current.reset(token)
