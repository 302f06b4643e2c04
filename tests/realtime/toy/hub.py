"""A toy module, written against docs/modules.md alone: a counter the chair bumps.

It has a slice (`toy`: staff and delegates see the count, delegates without the chair's note),
an event (`toy.bumped`: the public gets `skip`), a command (`toy.bump`), a permission action,
an error code and a browser script — and the core is not edited for any of it.
"""

import copy

from pydantic import Field, constr

from accounts import permissions
from realtime import registry
from realtime.messages import Count, Message
from realtime.models import SittingEvent
from realtime.schemas import Strict
from realtime.service import ServiceError, change

SEEN_BY = ("staff", "delegate")


class Toy(Message):
    count: Count
    note: str = Field(description="the chair's last note; staff only")


class DelegateToy(Message):
    count: Count


class BumpArgs(Strict):
    note: constr(max_length=40) = ""


class BumpResult(Message):
    count: Count


def toy_state(sitting) -> dict:
    last = SittingEvent.objects.filter(sitting_id=sitting.pk, type="toy.bumped").order_by("-seq").first()
    return last.data if last else {"count": 0, "note": ""}


def hide_note(value: dict, audience: str) -> dict:
    return value if audience == "staff" else {"count": value["count"]}


def bump(actor, sitting_id: int, note: str) -> dict:
    if note == "nope":
        raise ServiceError("toy_refused", "no")
    with change(actor, "toy.bump", sitting_id) as c:
        count = toy_state(c.sitting)["count"] + 1
        c.emit("toy.bumped", {"count": count, "note": note})
        c.result = {"count": count}
    return c.result


def _apply(state, data):
    state["toy"] = copy.deepcopy(data)


PARTS = {"slices": ["toy"], "events": ["toy.bumped"], "commands": ["toy.bump"], "errors": ["toy_refused"],
         "scripts": ["toy/hub-events.js"]}


def register():
    permissions.register_action("toy.bump", (permissions.CHAIR, permissions.SECRETARY))
    registry.register_slice("toy", toy_state, Toy, audiences=SEEN_BY, schemas={"delegate": DelegateToy}, shape=hide_note)
    registry.register_event("toy.bumped", Toy, apply=_apply, audiences=SEEN_BY, schemas={"delegate": DelegateToy},
                            shape=hide_note, doc="The counter moved: state.toy = data.")
    registry.register_command("toy.bump", BumpArgs, lambda actor, sid, a: bump(actor, sid, a.note),
                              result=BumpResult, action="toy.bump")
    registry.register_error("toy_refused", "The toy says no.")
    registry.register_script("toy/hub-events.js")


def unregister():
    registry.unregister(**PARTS)
    permissions.ACTIONS.pop("toy.bump", None)
