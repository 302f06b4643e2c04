"""The hall displays' parts of the hub (realtime/registry.py; docs/modules.md).

State: `displays` (the displays following this sitting; staff and displays) and `slides` (the
registered hall slides, for the console; staff). Event: `display.updated` (staff and displays;
others get `skip`). Command: `display.set_slide`. Registered from DisplaysConfig.ready(); the
browser side is displays/static/displays/hub-events.js.
"""

import copy

from pydantic import Field, constr

from accounts import permissions
from realtime import registry
from realtime.messages import Id, Message, NoResult
from realtime.schemas import Id as ArgId
from realtime.schemas import Strict

from . import services
from .models import Display
from .slides import slides_state
from .state import displays_state


class DisplayInfo(Message):
    id: Id
    name: str
    slide: str
    sitting_id: Id | None = Field(description="the sitting it follows; another id (or null) means it left this sitting")


class SlideInfo(Message):
    key: str
    title: str


class SlideArgs(Strict):
    display_id: ArgId
    slide: constr(min_length=1, max_length=40)


def _displays(sitting):
    # Sorted here, by code point, as clients sort after display.updated: the
    # database's ORDER BY follows its collation, which varies between servers.
    return sorted(displays_state(sitting.pk), key=lambda d: d["name"])


def _apply_display(state, data):
    if "displays" in state:
        displays = [d for d in state["displays"] if d["id"] != data["id"]]
        if data["sitting_id"] == state["sitting"]["id"]:
            displays.append(copy.deepcopy(data))
        displays.sort(key=lambda d: d["name"])
        state["displays"] = displays


STAFF_AND_DISPLAYS = ("staff", "display")


def register():
    permissions.register_action("display.control", (permissions.CHAIR, permissions.SECRETARY))
    registry.register_slice("displays", _displays, list[DisplayInfo], order=60, audiences=STAFF_AND_DISPLAYS)
    registry.register_slice("slides", lambda sitting: slides_state(), list[SlideInfo], order=70, audiences=("staff",))
    # A display renamed (or added) in the admin; its sitting and slide change through the services.
    registry.register_source(Display, lambda display: [display.sitting_id])

    registry.register_event(
        "display.updated", DisplayInfo, apply=_apply_display, audiences=STAFF_AND_DISPLAYS,
        doc="A hall display changed slide (or left the sitting). Staff and displays only: replace it in "
            "state.displays (drop it when its sitting_id is another), sorted by name.")

    registry.register_command("display.set_slide", SlideArgs,
                              lambda actor, sid, a: services.set_slide(actor, sid, a.display_id, a.slide),
                              result=NoResult, action="display.control")

    registry.register_script("displays/hub-events.js")
