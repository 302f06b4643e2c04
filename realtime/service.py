"""The one write path: every change of a sitting's state goes through `change()`.

    with change(actor, "agenda.navigate", sitting_id) as c:
        ...write rows...
        c.emit("agenda.current", {...})

1. checks the permission (accounts.permissions) — a refusal is audited and raises;
2. opens a transaction and locks the sitting row (select_for_update);
3. refuses a sitting that is not live (unless `live=False`);
4. runs the body, which writes and emits events;
5. appends the audit record, bumps the sitting's seq once per event, stores
   the events (for replay) and publishes them after commit.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from accounts.permissions import Actor, may
from audit import sampling as audit_sampling
from audit.services import record
from meeting.models import Sitting

from .models import SittingEvent
from .publish import publish_after_commit


class ServiceError(Exception):
    """A refused command. `code` is stable and documented in docs/protocol.md.

    `data`: what the error reply carries beside code and message, e.g. for `stale`
    {"current": {"item_id", "seq"}} (the consumer merges it into `error`)."""

    def __init__(self, code: str, message: str = "", data: dict | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.data = data or {}


@dataclass
class Change:
    actor: Actor
    sitting: Sitting
    events: list[tuple[str, dict]] = field(default_factory=list)
    detail: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)

    def emit(self, type_: str, data: dict) -> None:
        self.events.append((type_, data))


def refuse(actor: Actor, action: str, sitting_id, code: str, message: str, *, audit: bool = True):
    # On a hub connection, a repeat of a refusal already written is only counted (audit.sampling).
    sampler = audit_sampling.current()
    if audit and (sampler is None or sampler.admit(action, code, message)):
        with transaction.atomic():
            record(actor, action, sitting=Sitting.objects.filter(pk=sitting_id).first(), outcome=code,
                   detail={"message": str(message)})
    raise ServiceError(code, message)


@contextmanager
def change(actor: Actor, action: str, sitting_id: int, *, live: bool = True, detail: dict | None = None):
    from django.utils.translation import gettext as _

    if not may(actor.role, action):
        refuse(actor, action, sitting_id, "forbidden", _("Vai trò của bạn không được thực hiện thao tác này."))
    with transaction.atomic():
        try:
            sitting = Sitting.objects.select_for_update().get(pk=sitting_id)
        except Sitting.DoesNotExist:
            raise ServiceError("not_found", _("Không tìm thấy phiên họp.")) from None
        if live and sitting.status != Sitting.Status.LIVE:
            raise ServiceError("sitting_not_live", _("Phiên họp không đang diễn ra."))
        c = Change(actor=actor, sitting=sitting, detail=dict(detail or {}))
        yield c
        record(actor, action, sitting=sitting, detail=c.detail)
        if c.events:
            first = sitting.seq + 1
            sitting.seq += len(c.events)
            Sitting.objects.filter(pk=sitting.pk).update(seq=sitting.seq)
            stored = [
                SittingEvent(sitting_id=sitting.pk, seq=first + i, type=t, data=d)
                for i, (t, d) in enumerate(c.events)
            ]
            SittingEvent.objects.bulk_create(stored)
            publish_after_commit(sitting, [(e.seq, e.type, e.data) for e in stored])
