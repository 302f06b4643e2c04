from .models import AuditRecord


def record(actor, action: str, *, sitting=None, outcome: str = "ok", detail: dict | None = None) -> AuditRecord:
    """Append an audit row for `actor` (an accounts.actors.Actor)."""
    row = build_record(actor, action, sitting=sitting, outcome=outcome, detail=detail)
    row.save(force_insert=True)
    return row


def build_record(actor, action: str, *, sitting=None, outcome: str = "ok", detail: dict | None = None) -> AuditRecord:
    """The audit row `record` appends, not yet saved: several are written at once by the write
    path's group commit (realtime.service.run_group)."""
    return AuditRecord(
        user=actor.user if actor and actor.user and actor.user.is_authenticated else None,
        device=actor.device if actor else None,
        role=actor.role if actor else "",
        action=action,
        sitting=sitting,
        outcome=outcome,
        detail=detail or {},
    )
