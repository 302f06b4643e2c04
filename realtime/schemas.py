"""Typed messages of the hub: one pydantic model per command's arguments.

Unknown fields are rejected. docs/protocol.md documents each; the JSON Schemas
come from these models (`python manage.py hub_schema`).
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, conint, constr

Id = conint(ge=1, le=2**53)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Envelope(Strict):
    """A command from a client."""

    id: constr(min_length=1, max_length=64) | conint(ge=0, le=2**53)
    cmd: constr(min_length=1, max_length=60)
    args: dict = Field(default_factory=dict)


class NoArgs(Strict):
    pass


class SyncArgs(Strict):
    since_seq: conint(ge=0, le=2**63)


class AnnounceArgs(Strict):
    text: constr(max_length=500)


class NavigateArgs(Strict):
    """agenda.next / agenda.previous: the id of the item the client saw as current (null: none).

    Required, null included: a client that does not say what it saw cannot move the hall.
    A different current item on the server is refused with `stale`."""

    expect_current: Id | None


class JumpArgs(Strict):
    item_id: Id
    expect_current: Id | None


class ItemArgs(Strict):
    item_id: Id


class InsertArgs(Strict):
    title: constr(min_length=1, max_length=500)
    kind: Literal["report", "submission", "draft_resolution", "questioning", "election", "other"] = "other"
    presenter: constr(max_length=300) = ""
    planned_minutes: conint(ge=0, le=1440) = 0
    parent_id: Id | None = None
    after_id: Id | None = None


class MoveArgs(Strict):
    item_id: Id
    parent_id: Id | None = None
    index: conint(ge=0, le=10000)


class CheckInArgs(Strict):
    remote: bool = False


class MarkArgs(Strict):
    member_id: Id
    status: Literal["present", "absent", "excused"]
    reason: constr(max_length=500) = ""


class SlideArgs(Strict):
    display_id: Id
    slide: constr(min_length=1, max_length=40)
