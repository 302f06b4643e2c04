"""A client's state, kept by exactly the rules of docs/protocol.md ("Applying events").

The JavaScript client follows the same rules; the tests check that a snapshot
plus the events after it equals a fresh snapshot, for every audience. The rule for each
event type is its module's reference reducer, registered with the type (e.g. agenda/hub.py).
"""

import copy

from realtime import registry


class Gap(Exception):
    """An event arrived with seq > current + 1: the client must send sync."""


class PrivateGap(Gap):
    """A per-member event arrived with pseq > you.pseq + 1: the client must send sync with since_pseq."""


class ClientState:
    def __init__(self):
        self.seq = None
        self.state = None
        self.you = None  # the snapshot's `you`, kept by the per-member events (docs/protocol.md)

    def apply(self, message: dict) -> bool:
        """Apply a snapshot, an event or a per-member event; returns False when it was dropped (already seen)."""
        if message["type"] == "snapshot":
            self.state = copy.deepcopy(message["data"])
            self.seq = message["seq"]
            self.you = copy.deepcopy(message["you"])
            return True
        if "pseq" in message:
            return self.apply_private(message)
        if self.seq is None or message["seq"] <= self.seq:
            return False
        if message["seq"] != self.seq + 1:
            raise Gap(f"have seq {self.seq}, got {message['seq']}")
        apply_event(self.state, message["type"], message["data"])
        self.seq = message["seq"]
        return True


    def apply_private(self, message: dict) -> bool:
        """A per-member event: applied to `you` when its pseq is the next (or null: never stored,
        its reducer idempotent); dropped when already seen; a gap raises PrivateGap."""
        pseq = message["pseq"]
        if self.you is None or (pseq is not None and pseq <= self.you["pseq"]):
            return False
        if pseq is not None and pseq != self.you["pseq"] + 1:
            raise PrivateGap(f"have pseq {self.you['pseq']}, got {pseq}")
        part = registry.member_event(message["type"])
        if part is None:
            raise ValueError(f"unknown per-member event type {message['type']!r}")
        part.apply(self.you, copy.deepcopy(message["data"]))
        if pseq is not None:
            self.you["pseq"] = pseq
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
