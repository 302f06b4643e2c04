"""The agenda module's parts of the hub (realtime/registry.py). docs/modules.md uses it as the
worked example of a module.

State: `agenda` (every item in reading order, and the current one). Events: `agenda.current`
(the current item moved) and `agenda.items` (the agenda was edited). Commands: next, previous,
jump (each says which item the client saw as current: `stale` otherwise), insert, move,
postpone, restore. Error: `no_such_item`. Registered from AgendaConfig.ready(); the browser
side is agenda/static/agenda/hub-events.js.
"""

import copy
from typing import Annotated, Literal

from pydantic import Field, conint, constr

from accounts import permissions
from realtime import registry
from realtime.messages import Count, Id, Message, NoResult, Time, literal
from realtime.schemas import Id as ArgId
from realtime.schemas import Strict

from . import services
from .models import AgendaItem as AgendaItemModel
from .state import agenda_state

ItemStatus = literal(AgendaItemModel.Status.values)
ItemKind = literal(AgendaItemModel.Kind.values)


# ---- the state ------------------------------------------------------------

class AgendaItem(Message):
    """One item; `number` ("2.1") and `depth` (0 = top level) follow the tree order."""

    id: Id
    parent_id: Id | None
    number: Annotated[str, Field(pattern=r"^\d+(\.\d+)*$")]
    depth: Count
    title: str
    kind: ItemKind
    presenter: str
    planned_minutes: Count
    status: ItemStatus
    started_at: Time | None = Field(description="start of the current run; set only while the item is current")
    elapsed_before_s: Annotated[float, Field(ge=0)] = Field(
        description="seconds spent on the item in earlier runs, to the millisecond")


class Agenda(Message):
    """Every item in reading order (depth first, siblings by position)."""

    current_item_id: Id | None
    items: list[AgendaItem]


# ---- events: the reference reducers (the browser's are in hub-events.js) ----

def _apply_current(state, data):
    """`items` are the items whose status or clock changed: replace them; set the current id."""
    items = state["agenda"]["items"]
    index = {item["id"]: i for i, item in enumerate(items)}
    for item in data["items"]:
        items[index[item["id"]]] = copy.deepcopy(item)
    state["agenda"]["current_item_id"] = data["current_item_id"]


def _apply_items(state, data):
    state["agenda"] = copy.deepcopy(data)


# ---- commands -------------------------------------------------------------

class NavigateArgs(Strict):
    """agenda.next / agenda.previous: the id of the item the client saw as current (null: none).

    Required, null included: a client that does not say what it saw cannot move the hall.
    A different current item on the server is refused with `stale`."""

    expect_current: ArgId | None


class JumpArgs(Strict):
    item_id: ArgId
    expect_current: ArgId | None


class ItemArgs(Strict):
    item_id: ArgId


class InsertArgs(Strict):
    title: constr(min_length=1, max_length=500)
    kind: Literal["report", "submission", "draft_resolution", "questioning", "election", "other"] = "other"
    presenter: constr(max_length=300) = ""
    planned_minutes: conint(ge=0, le=1440) = 0
    parent_id: ArgId | None = None
    after_id: ArgId | None = None


class MoveArgs(Strict):
    item_id: ArgId
    parent_id: ArgId | None = None
    index: conint(ge=0, le=10000)


class CurrentItemResult(Message):
    current_item_id: Id | None


class InsertResult(Message):
    item_id: Id


def register():
    permissions.register_action("agenda.navigate", (permissions.CHAIR, permissions.SECRETARY))
    permissions.register_action("agenda.edit", (permissions.CHAIR, permissions.SECRETARY))
    registry.register_slice("agenda", lambda sitting: agenda_state(sitting.pk), Agenda, order=30)
    # An item edited in the admin (a scheduled sitting's plan) reaches the sitting's clients.
    registry.register_source(AgendaItemModel, lambda item: [item.sitting_id])

    registry.register_event("agenda.current", Agenda, apply=_apply_current,
                            doc="The current item moved: `items` are the items whose status or clock changed.")
    registry.register_event("agenda.items", Agenda, apply=_apply_items,
                            doc="The agenda was edited (insert, move, postpone, restore): `data` is the whole agenda.")

    # Navigation is relative to the current item: the client says which one it saw (`stale` otherwise).
    registry.register_command(
        "agenda.next", NavigateArgs,
        lambda actor, sid, a: services.next_item(actor, sid, expect_current=a.expect_current),
        result=CurrentItemResult, action="agenda.navigate")
    registry.register_command(
        "agenda.previous", NavigateArgs,
        lambda actor, sid, a: services.previous_item(actor, sid, expect_current=a.expect_current),
        result=CurrentItemResult, action="agenda.navigate")
    registry.register_command(
        "agenda.jump", JumpArgs,
        lambda actor, sid, a: services.jump_to(actor, sid, a.item_id, expect_current=a.expect_current),
        result=CurrentItemResult, action="agenda.navigate")
    registry.register_command("agenda.insert", InsertArgs,
                              lambda actor, sid, a: services.insert_item(actor, sid, **a.model_dump()),
                              result=InsertResult, action="agenda.edit")
    registry.register_command(
        "agenda.move", MoveArgs,
        lambda actor, sid, a: services.move_item(actor, sid, a.item_id, parent_id=a.parent_id, index=a.index),
        result=NoResult, action="agenda.edit")
    registry.register_command("agenda.postpone", ItemArgs,
                              lambda actor, sid, a: services.postpone_item(actor, sid, a.item_id),
                              result=NoResult, action="agenda.edit")
    registry.register_command("agenda.restore", ItemArgs,
                              lambda actor, sid, a: services.restore_item(actor, sid, a.item_id),
                              result=NoResult, action="agenda.edit")

    registry.register_stale_key("item_id", Id, "agenda navigation: the current item (null: none)")
    registry.register_error("no_such_item", "The agenda item named is not in this sitting's agenda, "
                                            "or there is no item to move to.")

    registry.register_script("agenda/hub-events.js")
