"""The agenda as the hub shows it: items in reading order (depth first) with
their computed numbers ("2", "2.1") and depth."""

from .models import AgendaItem

FIELDS = ("id", "parent_id", "position", "title", "kind", "presenter", "planned_minutes", "status", "started_at", "elapsed_before_s")


def ordered_items(sitting_id: int) -> list[AgendaItem]:
    """All items of the sitting, depth first, siblings by position."""
    items = list(AgendaItem.objects.filter(sitting_id=sitting_id).order_by("position", "id"))
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    out: list[AgendaItem] = []

    def walk(parent_id, prefix, depth):
        for i, item in enumerate(children.get(parent_id, []), start=1):
            item.number = f"{prefix}{i}"
            item.depth = depth
            out.append(item)
            walk(item.pk, f"{item.number}.", depth + 1)

    walk(None, "", 0)
    return out


def item_state(item: AgendaItem) -> dict:
    return {
        "id": item.pk,
        "parent_id": item.parent_id,
        "number": getattr(item, "number", ""),
        "depth": getattr(item, "depth", 0),
        "title": item.title,
        "kind": item.kind,
        "presenter": item.presenter,
        "planned_minutes": item.planned_minutes,
        "status": item.status,
        "started_at": item.started_at.isoformat() if item.started_at else None,
        "elapsed_before_s": item.elapsed_before_s,
    }


def agenda_state(sitting_id: int, items: list[AgendaItem] | None = None) -> dict:
    items = ordered_items(sitting_id) if items is None else items
    current = next((i.pk for i in items if i.status == AgendaItem.Status.CURRENT), None)
    return {"current_item_id": current, "items": [item_state(i) for i in items]}
