from .models import AuditRecord


def record(actor, action: str, *, sitting=None, outcome: str = "ok", detail: dict | None = None) -> AuditRecord:
    """Append an audit row for `actor` (an accounts.actors.Actor)."""
    return AuditRecord.objects.create(
        user=actor.user if actor and actor.user and actor.user.is_authenticated else None,
        device=actor.device if actor else None,
        role=actor.role if actor else "",
        action=action,
        sitting=sitting,
        outcome=outcome,
        detail=detail or {},
    )
