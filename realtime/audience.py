"""What each audience may see of an event or a snapshot.

Filtering happens once per audience (never per connection): the publisher
encodes each event once for each of the four audiences. What differs is
declared by each registered part (realtime.registry): the audiences that see
a slice or an event, and its `shape` for an audience, if any.
"""

from accounts.permissions import AUDIENCES

from . import registry
from .external import STATE_REPLACED


def shape_event(type_: str, data: dict, audience: str) -> dict | None:
    """The event's data as `audience` may see it; None if it may not see it at all."""
    if type_ == STATE_REPLACED:  # the whole state (realtime.external): as the snapshot is shaped
        return shape_snapshot(data, audience)
    part = registry.event(type_)
    if part is None:
        return data
    if audience not in part.audiences:
        return None
    return data if part.shape is None else part.shape(data, audience)


def shape_snapshot(state: dict, audience: str) -> dict:
    out = {}
    for key, value in state.items():
        part = registry.slice_(key)
        if part is None:
            out[key] = value
        elif audience in part.audiences:
            out[key] = value if part.shape is None else part.shape(value, audience)
    return out


def group_name(sitting_id: int, audience: str) -> str:
    assert audience in AUDIENCES
    return f"sitting.{sitting_id}.{audience}"
