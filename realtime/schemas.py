"""Typed messages of the hub from clients: the envelope, and the arguments of the core's commands.

Unknown fields are rejected. Each module's commands have their argument models in its own
hub.py (built on `Strict`, e.g. agenda/hub.py), registered with the command (realtime.registry).
docs/protocol.md documents each; the JSON Schemas come from these models (`python manage.py hub_schema`).
"""

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
