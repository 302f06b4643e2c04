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


def shown_statuses(items: list[AgendaItem]) -> dict[int, str]:
    """Each item's status as every face shows it. An item with items under it is in progress
    (`current`) while it or any item under it is, and done when every item under it that was not
    postponed is done; otherwise it shows its own status, except that leaving it for one of its
    own items does not make it done (the sitting moved into 3.1: item 3 is in progress, not done).
    An item without items under it shows its own status."""
    S = AgendaItem.Status
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    shown: dict[int, str] = {}

    def status_of(item: AgendaItem) -> str:
        kids = children.get(item.pk, [])
        if not kids:
            shown[item.pk] = item.status
            return item.status
        under = [status_of(kid) for kid in kids]
        if item.status == S.CURRENT or S.CURRENT in under:
            status = S.CURRENT
        elif item.status == S.POSTPONED:
            status = S.POSTPONED
        elif any(u == S.DONE for u in under) and all(u in (S.DONE, S.POSTPONED) for u in under):
            status = S.DONE
        else:
            status = S.PENDING
        shown[item.pk] = status
        return status

    for root in children.get(None, []):
        status_of(root)
    return shown


def ancestors(item: AgendaItem, items: list[AgendaItem]) -> list[AgendaItem]:
    by_id = {i.pk: i for i in items}
    out, parent = [], by_id.get(item.parent_id)
    while parent is not None:
        out.append(parent)
        parent = by_id.get(parent.parent_id)
    return out


def item_state(item: AgendaItem, status: str | None = None) -> dict:
    """`status`: as shown (shown_statuses), for an item with items under it."""
    return {
        "id": item.pk,
        "parent_id": item.parent_id,
        "number": getattr(item, "number", ""),
        "depth": getattr(item, "depth", 0),
        "title": item.title,
        "kind": item.kind,
        "presenter": item.presenter,
        "planned_minutes": item.planned_minutes,
        "status": status or item.status,
        "started_at": item.started_at.isoformat() if item.started_at else None,
        "elapsed_before_s": item.elapsed_before_s,
    }


def agenda_state(sitting_id: int, items: list[AgendaItem] | None = None) -> dict:
    items = ordered_items(sitting_id) if items is None else items
    current = next((i.pk for i in items if i.status == AgendaItem.Status.CURRENT), None)
    shown = shown_statuses(items)
    return {"current_item_id": current, "items": [item_state(i, shown[i.pk]) for i in items]}


def changed_states(changed: list[AgendaItem], items: list[AgendaItem]) -> list[dict]:
    """The states of the items that changed and of every item above them (whose shown status
    follows theirs), for an event that carries only what changed."""
    shown = shown_statuses(items)
    out, seen = [], set()
    for item in changed:
        for i in [item, *ancestors(item, items)]:
            if i.pk not in seen:
                seen.add(i.pk)
                out.append(item_state(i, shown.get(i.pk)))
    return out
