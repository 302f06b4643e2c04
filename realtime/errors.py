"""Every error code the hub can send, in one place: code -> what it means.

An error reply is `{"in_response": id|null, "ok": false, "error": {"code", "message", "fields"?}}`.
The code is stable (clients branch on it); the message is for people and is
translated. docs/protocol.md lists these, the JSON Schemas enumerate them, and
a test checks that every code raised anywhere in the code base is listed here or registered.
The codes of the hub itself are here; a module registers the codes only its services raise
from its own folder (realtime.registry.register_error, e.g. agenda/hub.py), and ERRORS is both.
"""

from collections.abc import Mapping

CORE_ERRORS: dict[str, str] = {
    # The frame itself (never reaches a command; in_response is null).
    "bad_frame": "A binary frame: the hub reads text frames carrying JSON only.",
    "too_large": "The message is larger than the limit (64 KiB by default, setting HUB_MAX_MESSAGE_BYTES).",
    "bad_json": "The message is not valid JSON.",
    "bad_envelope": "Valid JSON, but not an object {id, cmd, args}; `fields` names what is wrong.",
    # The command.
    "unknown_command": "No command has this name.",
    "invalid_args": "The arguments do not fit the command (unknown field, wrong type, out of range, or a value the service rejects); `fields` names them when known.",
    "forbidden": "Your role may not send this command in this sitting. The refusal is audited.",
    "sitting_not_live": "The sitting is not open (still scheduled, or closed): nothing can change it now.",
    "not_found": "The sitting, member or display named does not exist or does not belong to this sitting.",
    "invalid_state": "The change is not allowed from the current state (e.g. opening a sitting twice, postponing a finished item).",
    "stale": "The command says what the client saw (`expect_current`), and the sitting has moved on since: nothing was changed; `current` carries the state now ({item_id, seq}).",
    "id_reused": "This sender already used this command id for another command (or other arguments): nothing was run. Use a new id per command.",
    "unavailable": "The server cannot reach its database right now (restarting, or the link to it down): the command was not carried out, unless the link broke in the very commit; send it again with the same id in a moment to learn its one outcome.",
    "internal": "The server failed; nothing was changed. Retry, or report it.",
    # The connection.
    "too_many_refusals": "HUB_MAX_REFUSALS commands of this connection were refused within HUB_REFUSAL_WINDOW seconds: the hub stops reading it and closes it with 4429 (in_response null).",
}



class _Errors(Mapping):
    """Every code: the core's, then the registered ones (read at each use, so always complete)."""

    def _all(self) -> dict[str, str]:
        from .registry import errors

        return {**CORE_ERRORS, **errors()}

    def __getitem__(self, code):
        return self._all()[code]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())


ERRORS: Mapping[str, str] = _Errors()

# The codes a frame-level problem produces: their reply carries in_response null.
FRAME_ERRORS = ("bad_frame", "too_large", "bad_json")
