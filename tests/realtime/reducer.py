"""A client's state, kept by exactly the rules of docs/protocol.md ("Applying events").

The JavaScript client follows the same rules; the tests check that a snapshot
plus the events after it equals a fresh snapshot, for every audience.
"""

import copy


class Gap(Exception):
    """An event arrived with seq > current + 1: the client must send sync."""


def row_order(row: dict):
    # The same order as meeting.state.row_order: seated rows by (row, number), then the rest by name.
    return (row["seat_row"] is None, row["seat_row"] or 0, row["seat_number"] or 0, row["name"], row["member_id"])


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
    if type_ == "skip":
        return
    data = copy.deepcopy(data)  # the state must not share objects with the message it came from
    if type_ == "sitting.status":
        state["sitting"].update(data)
    elif type_ == "sitting.announcement":
        state["announcement"] = data["announcement"]
    elif type_ == "agenda.current":
        items = state["agenda"]["items"]
        index = {item["id"]: i for i, item in enumerate(items)}
        for item in data["items"]:
            items[index[item["id"]]] = item
        state["agenda"]["current_item_id"] = data["current_item_id"]
    elif type_ == "agenda.items":
        state["agenda"] = data
    elif type_ == "attendance.updated":
        row = data["row"]
        rows = [r for r in state["attendance"] if r["member_id"] != row["member_id"]]
        rows.append(row)
        rows.sort(key=row_order)
        state["attendance"] = rows
        state["quorum"] = data["quorum"]
    elif type_ == "display.updated":
        if "displays" in state:
            displays = [d for d in state["displays"] if d["id"] != data["id"]]
            if data["sitting_id"] == state["sitting"]["id"]:
                displays.append(data)
            displays.sort(key=lambda d: d["name"])
            state["displays"] = displays
    elif type_ == "documents.changed":
        state["documents"] = data["documents"]
    else:
        raise ValueError(f"unknown event type {type_!r}")
