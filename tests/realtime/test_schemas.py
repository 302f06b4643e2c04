"""The published contract: JSON Schemas, error codes, and docs/protocol.md agree with the code."""

import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from accounts.permissions import ACTIONS
from agenda.hub import InsertArgs
from agenda.models import AgendaItem
from realtime import messages, registry
from realtime.commands import COMMANDS
from realtime.errors import ERRORS

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "docs" / "protocol.md"
SKIP_DIRS = {".venv", "tests", "node_modules", ".git", "bench", "var", "staticfiles"}


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    """messages.json_schemas(), built once for the tests here that only read it (some 0.25 s a build)."""
    return messages.json_schemas()


def _source_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def raised_error_codes() -> dict[str, set[str]]:
    """code -> files, for every error code the code base can send: ServiceError("x"),
    refuse(actor, action, sitting, "x", …) and the consumer's _error(id, "x", …)."""
    patterns = [
        re.compile(r'ServiceError\(\s*"([a-z_]+)"'),
        re.compile(r'\brefuse\(\s*[^,()]+,\s*[^,()]+,\s*[^,()]+,\s*"([a-z_]+)"'),
        re.compile(r'\b_error\(\s*[^,()]+,\s*"([a-z_]+)"'),
    ]
    found: dict[str, set[str]] = {}
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            for code in pattern.findall(text):
                found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_code_scan_finds_the_codes_it_should():
    found = raised_error_codes()
    assert {"bad_json", "forbidden", "sitting_not_live", "no_such_item"} <= found.keys()


def test_every_error_code_raised_in_the_code_base_is_listed_in_realtime_errors():
    unlisted = {code: files for code, files in raised_error_codes().items() if code not in ERRORS}
    assert not unlisted, f"add these to realtime/errors.py and docs/protocol.md: {unlisted}"


def test_every_listed_error_code_is_documented_in_the_protocol():
    text = PROTOCOL.read_text(encoding="utf-8")
    assert [code for code in ERRORS if f"`{code}`" not in text] == []


def test_every_command_is_documented_in_the_protocol():
    text = PROTOCOL.read_text(encoding="utf-8")
    assert [cmd for cmd in messages.command_args() if f"`{cmd}`" not in text] == []


def test_every_event_type_is_documented_in_the_protocol():
    text = PROTOCOL.read_text(encoding="utf-8")
    assert [t for t in messages.EVENT_TYPES if f"`{t}`" not in text] == []


def test_every_per_member_event_type_and_you_part_is_documented_in_the_protocol():
    text = PROTOCOL.read_text(encoding="utf-8")
    assert [t for t in messages.MEMBER_EVENT_TYPES if f"`{t}`" not in text] == []
    assert [p.key for p in registry.you_parts() if f"`you.{p.key}`" not in text] == []


def test_every_per_member_event_type_has_its_generated_schema(schemas):
    names = schemas.keys()
    assert [t for t in messages.MEMBER_EVENT_TYPES if f"member_event.{t}" not in names] == []


def test_every_command_has_an_argument_schema_and_a_reply_schema():
    for cmd in COMMANDS:
        assert cmd in messages.RESULTS, f"register {cmd} with its reply model (realtime.registry.register_command)"
    signals = {part.name for part in registry.signals()}
    for name in signals:
        assert name in messages.RESULTS, f"register {name} with its reply model (realtime.registry.register_signal)"
    assert set(messages.command_args()) == {"ping", "sync", *COMMANDS, *signals}
    assert set(COMMANDS) == {part.name for part in registry.commands()}
    assert not signals & set(COMMANDS), "a signal never shares a command's name"


def test_every_command_names_a_permission_action_that_exists():
    assert [part.name for part in registry.commands() if part.action not in ACTIONS] == []
    assert [part.name for part in registry.signals() if part.action not in ACTIONS] == []


def test_every_registered_event_type_has_its_generated_schema(schemas):
    # The protocol promises one event.<type>.json per event type (documents.changed once had none).
    names = schemas.keys()
    assert [t for t in messages.EVENT_TYPES if f"event.{t}" not in names] == []
    for part in registry.events():
        assert {f"event.{part.type}.{audience}" for audience in part.schemas} <= names


def test_every_registered_slice_is_in_the_snapshot_schema_of_each_audience_that_sees_it(schemas):
    schemas_ = schemas
    for audience in ("staff", "delegate", "display", "public"):
        state = schemas_[f"snapshot.{audience}"]["$defs"][f"{audience.title()}State"]
        expected = {part.key for part in registry.slices() if audience in part.audiences}
        assert set(state["properties"]) == expected
        assert set(state["required"]) == expected


def test_every_schema_is_a_valid_draft_2020_12_schema(schemas):
    for name, schema in schemas.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"{name}.json"


def test_hub_schema_writes_one_json_file_per_schema(tmp_path, schemas):
    call_command("hub_schema", "--out", str(tmp_path / "schema"), stdout=io.StringIO())
    written = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "schema").iterdir()}
    assert written == {f"{name}.json": schema for name, schema in schemas.items()}


def test_schemas_forbid_unknown_fields(schemas):
    validator = jsonschema.Draft202012Validator(schemas["event.skip"])
    assert validator.is_valid({"type": "skip", "seq": 3, "data": None})
    assert not validator.is_valid({"type": "skip", "seq": 3, "data": None, "extra": 1})


def test_a_staff_only_field_is_invalid_for_other_audiences(schemas):
    row = {"member_id": 1, "name": "A", "kind": "delegate", "group": None, "seat": None, "seat_row": None,
           "seat_number": None, "counts": True, "status": "absent", "at": "2026-12-01T08:00:00+07:00"}
    quorum = {"present": 0, "total": 1, "required": 1, "met": False, "rule": "2/3"}
    event = {"type": "attendance.updated", "seq": 1, "data": {"row": {**row, "method": "secretary", "reason": "Ốm"},
                                                              "quorum": quorum}}
    schemas_ = schemas
    assert jsonschema.Draft202012Validator(schemas_["server.staff"]).is_valid(event)
    assert not jsonschema.Draft202012Validator(schemas_["server.public"]).is_valid(event)


def test_the_error_schema_enumerates_the_listed_codes(schemas):
    schema = schemas["reply.error"]
    assert set(schema["$defs"]["ErrorInfo"]["properties"]["code"]["enum"]) == set(ERRORS)


def test_agenda_kinds_accepted_by_insert_are_the_models_kinds():
    kinds = InsertArgs.model_fields["kind"].annotation.__args__
    assert set(kinds) == set(AgendaItem.Kind.values)
