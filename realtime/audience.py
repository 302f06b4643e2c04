"""What each audience may see of an event or a snapshot.

Filtering happens once per audience (never per connection): the publisher
encodes each event once for each of the four audiences.
"""

from accounts.permissions import AUDIENCES
from library.state import shape_documents

# Attendance fields only the chair and secretary see.
STAFF_ONLY_ATTENDANCE = ("method", "reason")


def _attendance_row(row: dict, audience: str) -> dict:
    if audience == "staff":
        return row
    return {k: v for k, v in row.items() if k not in STAFF_ONLY_ATTENDANCE}


def shape_event(type_: str, data: dict, audience: str) -> dict | None:
    """The event's data as `audience` may see it; None if it may not see it at all."""
    if type_ == "attendance.updated":
        return {**data, "row": _attendance_row(data["row"], audience)}
    if type_ == "display.updated":
        return data if audience in ("staff", "display") else None
    if type_ == "documents.changed":
        documents = shape_documents(data["documents"], audience)
        if documents is None:
            return None
        visible = {d["id"] for d in documents["list"]}
        return {"documents": documents, "published": [i for i in data["published"] if i in visible]}
    return data


def shape_snapshot(state: dict, audience: str) -> dict:
    out = dict(state)
    out["attendance"] = [_attendance_row(r, audience) for r in state["attendance"]]
    if audience not in ("staff", "display"):
        out.pop("displays", None)
    if audience != "staff":
        out.pop("slides", None)
    documents = shape_documents(state["documents"], audience)
    if documents is None:
        out.pop("documents", None)
    else:
        out["documents"] = documents
    return out


def group_name(sitting_id: int, audience: str) -> str:
    assert audience in AUDIENCES
    return f"sitting.{sitting_id}.{audience}"
