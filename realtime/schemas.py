"""Typed messages of the hub from clients: the envelope, and the arguments of the core's commands.

Unknown fields are rejected. Each module's commands have their argument models in its own
hub.py (built on `Strict`, e.g. agenda/hub.py), registered with the command (realtime.registry).
docs/protocol.md documents each; the JSON Schemas come from these models (`python manage.py hub_schema`).
"""

from pydantic import BaseModel, ConfigDict, Field, conint, constr, field_validator

Id = conint(ge=1, le=2**53)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    """Arguments of a command: unknown fields refused, no type coercion, and no NUL character in any
    text (PostgreSQL cannot store one, SQLite would: refused alike, as `invalid_args`)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if _has_nul(value):
            raise ValueError("a NUL character (U+0000) is not allowed in text")
        return value


class Envelope(Strict):
    """A command from a client."""

    id: constr(min_length=1, max_length=64) | conint(ge=0, le=2**53)
    cmd: constr(min_length=1, max_length=60)
    args: dict = Field(default_factory=dict)

    @field_validator("id", "cmd", mode="before")  # the args are checked by the command's own model
    @classmethod
    def _no_nul(cls, value):
        if _has_nul(value):
            raise ValueError("a NUL character (U+0000) is not allowed in text")
        return value


class NoArgs(Strict):
    pass


class SyncArgs(Strict):
    since_seq: conint(ge=0, le=2**63)
    # Your `you.pseq`: the reply also carries your per-member events after it (realtime.private).
    since_pseq: conint(ge=0, le=2**63) | None = None
