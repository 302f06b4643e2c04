"""A toy module, written against docs/modules.md alone: a counter the chair bumps.

It has a slice (`toy`: staff and delegates see the count, delegates without the chair's note),
an event (`toy.bumped`: the public gets `skip`), a command (`toy.bump`), a permission action,
an error code, a browser script and panels on the console and the terminal — and the core is not
edited for any of it.

And what one member alone may see (docs/decisions/0008): a `you` part (`you.toy`: how often the
chair poked you, and the last note), a stored per-member event (`toy.poked`, command `toy.poke`)
and a never-stored one carrying a secret (`toy.whispered`, command `toy.whisper`, registered
secret, its audit detail redacted).
"""

import copy

from pydantic import Field, constr

from accounts import permissions
from realtime import registry
from realtime.messages import Count, Message
from realtime.schemas import Strict
from realtime.service import ServiceError, change, last_event

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


class YouToy(Message):
    pokes: Count
    note: str


class Whisper(Message):
    text: str


class PokeArgs(Strict):
    member_id: int
    note: constr(max_length=40) = ""


class WhisperArgs(Strict):
    member_id: int
    text: constr(min_length=1, max_length=80)


class NoResult(Message):
    pass


def toy_state(sitting) -> dict:
    # Its own events are its state: the last one as this change sees it, with those of the commands
    # committed in the same group before it (docs/modules.md, "Commands committed together").
    return last_event(sitting.pk, "toy.bumped") or {"count": 0, "note": ""}


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


def last_poke(sitting_id: int, member_id: int) -> dict:
    return last_event(sitting_id, "toy.poked", member_id=member_id) or {"pokes": 0, "note": ""}


def you_toy(actor, sitting) -> dict:
    """The member's own part: built for their connection alone, from what they were told."""
    return last_poke(sitting.pk, actor.member_id)


def poke(actor, sitting_id: int, member_id: int, note: str) -> dict:
    with change(actor, "toy.poke", sitting_id, detail={"member_id": member_id}) as c:
        pokes = last_poke(sitting_id, member_id)["pokes"] + 1
        c.emit_to(member_id, "toy.poked", {"pokes": pokes, "note": note})
    return {}


def whisper(actor, sitting_id: int, member_id: int, text: str) -> dict:
    with change(actor, "toy.poke", sitting_id, detail={"member_id": member_id, "text": text}) as c:
        c.redact("text")  # the audit record says a whisper went to the member, never what it said
        c.emit_to(member_id, "toy.whispered", {"text": text})
    return {}


def _apply_poked(you, data):
    you["toy"] = dict(data)


def _apply_whispered(you, data):
    pass  # a toast: nothing of it is kept (after a reconnect nothing shows it)


PARTS = {"slices": ["toy"], "events": ["toy.bumped"], "commands": ["toy.bump", "toy.poke", "toy.whisper"],
         "errors": ["toy_refused"], "scripts": ["toy/hub-events.js"], "you": ["toy"],
         "member_events": ["toy.poked", "toy.whispered"],
         "panels": [("console", "toy"), ("terminal", "toy")]}


def register():
    permissions.register_action("toy.bump", (permissions.CHAIR, permissions.SECRETARY))
    registry.register_slice("toy", toy_state, Toy, audiences=SEEN_BY, schemas={"delegate": DelegateToy}, shape=hide_note)
    registry.register_event("toy.bumped", Toy, apply=_apply, audiences=SEEN_BY, schemas={"delegate": DelegateToy},
                            shape=hide_note, doc="The counter moved: state.toy = data.")
    registry.register_command("toy.bump", BumpArgs, lambda actor, sid, a: bump(actor, sid, a.note),
                              result=BumpResult, action="toy.bump")
    registry.register_error("toy_refused", "The toy says no.")
    registry.register_script("toy/hub-events.js")
    # Its panels on the chair console and the delegate terminal (templates and script in its folder).
    registry.register_panel("console", "toy", "toy/console_panel.html", script="toy/panel.js")
    registry.register_panel("terminal", "toy", "toy/terminal_panel.html", script="toy/panel.js")
    # What one member alone may see.
    permissions.register_action("toy.poke", (permissions.CHAIR, permissions.SECRETARY))
    registry.register_you("toy", you_toy, YouToy, audiences=("delegate",))
    registry.register_member_event("toy.poked", YouToy, apply=_apply_poked,
                                   doc="The chair poked you: you.toy = data.")
    registry.register_member_event("toy.whispered", Whisper, apply=_apply_whispered, store=False,
                                   doc="The chair whispered to you (never stored): show it, keep nothing.")
    registry.register_command("toy.poke", PokeArgs, lambda actor, sid, a: poke(actor, sid, a.member_id, a.note),
                              result=NoResult, action="toy.poke")
    registry.register_command("toy.whisper", WhisperArgs,
                              lambda actor, sid, a: whisper(actor, sid, a.member_id, a.text),
                              result=NoResult, action="toy.poke", secret=True)


def unregister():
    registry.unregister(**PARTS)
    permissions.ACTIONS.pop("toy.bump", None)
    permissions.ACTIONS.pop("toy.poke", None)
