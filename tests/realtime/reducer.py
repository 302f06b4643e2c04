"""A client's state, kept by exactly the rules of docs/protocol.md ("Applying events").

The JavaScript client follows the same rules; the tests check that a snapshot
plus the events after it equals a fresh snapshot, for every audience. The rule for each
event type is its module's reference reducer, registered with the type (e.g. agenda/hub.py).
"""

import copy

from realtime import registry


class Gap(Exception):
    """An event arrived with seq > current + 1: the client must send sync."""


class ClientState:
    def __init__(self):
        self.seq = None
        self.state = None

    def apply(self, message: dict) -> bool:
        """Apply a snapshot or an event; returns False when it was dropped (already seen)."""
        if message["type"] == "snapshot":
            self.state = copy.deepcopy(message["data"])
            self.seq = message["seq"]
            return True
        if self.seq is None or message["seq"] <= self.seq:
            return False
        if message["seq"] != self.seq + 1:
            raise Gap(f"have seq {self.seq}, got {message['seq']}")
        apply_event(self.state, message["type"], message["data"])
        self.seq = message["seq"]
        return True


def apply_event(state: dict, type_: str, data) -> None:
    """Apply one event by its module's reference reducer (realtime.registry: each event type
    registers how a client applies it; hub.js's are registered by each module's script)."""
    if type_ == "skip":
        return
    if type_ == "state.replaced":  # the whole state, sent again (realtime.external)
        state.clear()
        state.update(copy.deepcopy(data))
        return
    part = registry.event(type_)
    if part is None:
        raise ValueError(f"unknown event type {type_!r}")
    part.apply(state, copy.deepcopy(data))  # the state must not share objects with the message it came from
