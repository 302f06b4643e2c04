"""Agenda progression and editing while a sitting is live.

Moving the current item: the item left behind becomes "done" when the chair
moves forward, "pending" again when the chair goes back. Time spent on an item
accumulates across its runs (elapsed_before_s + now - started_at).

Navigation says what it saw: `expect_current` is the id of the item the client
had as current (None: no item). When the sitting's current item is another one
by the time the command runs (under the sitting's row lock), the move is refused
with `stale` and the current state, so a double-click, or the chair and the
secretary pressing "next" together, moves the hall one item, not two. Only the
current item counts: an attendance change raises the seq but leaves "next" valid.
In-process callers that decide on the current state themselves may leave it out
(UNCHECKED); the hub's commands require it (realtime/schemas.py).
"""

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Actor
from audit.operations import ServiceError
from realtime.service import change

from .models import AgendaItem
from .state import agenda_state, changed_states, ordered_items

Status = AgendaItem.Status
MAX_TITLE = 500
UNCHECKED = object()  # expect_current not given: an in-process caller, not a client


def _seconds(delta) -> float:
    """A run's length, to the millisecond (whole seconds dropped every fraction of every run)."""
    return max(0.0, round(delta.total_seconds(), 3))


def stop_current(sitting, now) -> dict | None:
    """Stop the clock of the current item (closing the sitting). Returns the event data or None."""
    items = ordered_items(sitting.pk)
    cur = next((i for i in items if i.status == Status.CURRENT), None)
    if cur is None:
        return None
    _leave(cur, now, Status.DONE)
    return {"current_item_id": None, "items": changed_states([cur], items)}


def _leave(item: AgendaItem, now, new_status: str) -> None:
    if item.started_at:
        item.elapsed_before_s += _seconds(now - item.started_at)
    item.started_at = None
    item.status = new_status
    item.save(update_fields=["status", "started_at", "elapsed_before_s"])


def _enter(item: AgendaItem, now) -> None:
    item.status = Status.CURRENT
    item.started_at = now
    item.save(update_fields=["status", "started_at"])


def _check_expectation(c, items, cur, expect_current, wanted=None) -> None:
    """Refuse with `stale` when the client saw another current item (unless it asks for the one now current)."""
    seen = cur.pk if cur is not None else None
    if expect_current is UNCHECKED or expect_current == seen or (wanted is not None and wanted == seen):
        return
    if cur is None:
        message = _("Mục đang thực hiện đã thay đổi (nay không có mục nào); lệnh không được thực hiện.")
    else:
        message = _("Mục đang thực hiện đã thay đổi (nay là mục %(number)s); lệnh không được thực hiện.") % {
            "number": cur.number}
    raise ServiceError("stale", message, data={"current": {"item_id": seen, "seq": c.sitting.seq}})


def _move_to(actor: Actor, sitting_id: int, pick, detail: dict, expect_current=UNCHECKED) -> dict:
    with change(actor, "agenda.navigate", sitting_id, detail=detail) as c:
        items = ordered_items(sitting_id)
        cur = next((i for i in items if i.status == Status.CURRENT), None)
        _check_expectation(c, items, cur, expect_current, detail.get("item_id"))
        target = pick(items, cur)
        if target is None:
            raise ServiceError("no_such_item", _("Không có mục nào để chuyển tới."))
        if target is cur:
            return {"current_item_id": cur.pk}
        now = timezone.now()
        changed = [target]
        if cur is not None:
            forward = items.index(target) > items.index(cur)
            _leave(cur, now, Status.DONE if forward else Status.PENDING)
            changed.insert(0, cur)
        _enter(target, now)
        c.detail["to"] = target.pk
        c.emit("agenda.current", {"current_item_id": target.pk, "items": changed_states(changed, items)})
    return {"current_item_id": target.pk}


def _open(items):
    return [i for i in items if i.status != Status.POSTPONED]


def next_item(actor: Actor, sitting_id: int, *, expect_current=UNCHECKED) -> dict:
    def pick(items, cur):
        candidates = _open(items)
        if cur is None:
            return next((i for i in candidates if i.status == Status.PENDING), candidates[0] if candidates else None)
        later = [i for i in candidates if items.index(i) > items.index(cur)]
        return later[0] if later else None

    return _move_to(actor, sitting_id, pick, {"move": "next"}, expect_current)


def previous_item(actor: Actor, sitting_id: int, *, expect_current=UNCHECKED) -> dict:
    def pick(items, cur):
        if cur is None:
            return None
        earlier = [i for i in _open(items) if items.index(i) < items.index(cur)]
        return earlier[-1] if earlier else None

    return _move_to(actor, sitting_id, pick, {"move": "previous"}, expect_current)


def jump_to(actor: Actor, sitting_id: int, item_id: int, *, expect_current=UNCHECKED) -> dict:
    def pick(items, cur):
        target = next((i for i in items if i.pk == item_id), None)
        if target is None:
            raise ServiceError("no_such_item", _("Mục này không thuộc chương trình phiên họp."))
        return target

    return _move_to(actor, sitting_id, pick, {"move": "jump", "item_id": item_id}, expect_current)


def _siblings(sitting_id, parent_id, exclude=None):
    qs = AgendaItem.objects.filter(sitting_id=sitting_id, parent_id=parent_id).order_by("position", "id")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs)


def _renumber(siblings):
    for pos, item in enumerate(siblings):
        if item.position != pos:
            item.position = pos
            item.save(update_fields=["position"])


def _check_parent(sitting_id, parent_id):
    if parent_id is not None and not AgendaItem.objects.filter(pk=parent_id, sitting_id=sitting_id).exists():
        raise ServiceError("no_such_item", _("Mục cha không thuộc chương trình phiên họp."))


def insert_item(actor: Actor, sitting_id: int, *, title: str, kind: str = "other",
                presenter: str = "", planned_minutes: int = 0, parent_id: int | None = None,
                after_id: int | None = None) -> dict:
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise ServiceError("invalid_args", _("Nội dung mục phải có từ 1 đến %(n)d ký tự.") % {"n": MAX_TITLE})
    if kind not in AgendaItem.Kind.values:
        raise ServiceError("invalid_args", _("Loại mục không hợp lệ."))
    if not 0 <= planned_minutes <= 24 * 60:
        raise ServiceError("invalid_args", _("Thời lượng dự kiến không hợp lệ."))
    with change(actor, "agenda.edit", sitting_id, detail={"op": "insert", "title": title}) as c:
        _check_parent(sitting_id, parent_id)
        siblings = _siblings(sitting_id, parent_id)
        index = len(siblings)
        if after_id is not None:
            ids = [s.pk for s in siblings]
            if after_id not in ids:
                raise ServiceError("no_such_item", _("Mục đứng trước không cùng cấp."))
            index = ids.index(after_id) + 1
        item = AgendaItem.objects.create(sitting_id=sitting_id, parent_id=parent_id, position=index, title=title,
                                         kind=kind, presenter=presenter.strip()[:300], planned_minutes=planned_minutes)
        siblings.insert(index, item)
        _renumber(siblings)
        c.detail["item_id"] = item.pk
        c.emit("agenda.items", agenda_state(sitting_id))
    return {"item_id": item.pk}


def move_item(actor: Actor, sitting_id: int, item_id: int, *, parent_id: int | None, index: int) -> dict:
    """Reorder: put the item at `index` among the children of `parent_id`."""
    with change(actor, "agenda.edit", sitting_id, detail={"op": "move", "item_id": item_id, "parent_id": parent_id, "index": index}) as c:
        item = _item(sitting_id, item_id)
        _check_parent(sitting_id, parent_id)
        # An item cannot move under itself or its descendants.
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == item.pk:
                raise ServiceError("invalid_args", _("Không thể chuyển một mục vào trong chính nó."))
            ancestor = AgendaItem.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()
        old_parent = item.parent_id
        item.parent_id = parent_id
        item.save(update_fields=["parent"])
        siblings = _siblings(sitting_id, parent_id, exclude=item.pk)
        siblings.insert(max(0, min(index, len(siblings))), item)
        _renumber(siblings)
        if old_parent != parent_id:
            _renumber(_siblings(sitting_id, old_parent))
        c.emit("agenda.items", agenda_state(sitting_id))
    return {}


def _item(sitting_id, item_id) -> AgendaItem:
    try:
        return AgendaItem.objects.get(pk=item_id, sitting_id=sitting_id)
    except AgendaItem.DoesNotExist:
        raise ServiceError("no_such_item", _("Mục này không thuộc chương trình phiên họp.")) from None


def postpone_item(actor: Actor, sitting_id: int, item_id: int) -> dict:
    """Postpone an item (and stop its clock if it is current); the sitting then has no current item."""
    with change(actor, "agenda.edit", sitting_id, detail={"op": "postpone", "item_id": item_id}) as c:
        item = _item(sitting_id, item_id)
        if item.status == Status.POSTPONED:
            raise ServiceError("invalid_state", _("Mục này đã hoãn."))
        if item.status == Status.DONE:
            raise ServiceError("invalid_state", _("Không hoãn được mục đã xong."))
        _leave(item, timezone.now(), Status.POSTPONED)
        c.emit("agenda.items", agenda_state(sitting_id))
    return {}


def restore_item(actor: Actor, sitting_id: int, item_id: int) -> dict:
    """Bring a postponed item back to pending."""
    with change(actor, "agenda.edit", sitting_id, detail={"op": "restore", "item_id": item_id}) as c:
        item = _item(sitting_id, item_id)
        if item.status != Status.POSTPONED:
            raise ServiceError("invalid_state", _("Chỉ khôi phục được mục đang hoãn."))
        item.status = Status.PENDING
        item.save(update_fields=["status"])
        c.emit("agenda.items", agenda_state(sitting_id))
    return {}


def next_position(sitting_id: int, parent_id: int | None) -> int:
    top = AgendaItem.objects.filter(sitting_id=sitting_id, parent_id=parent_id).aggregate(m=Max("position"))["m"]
    return 0 if top is None else top + 1
