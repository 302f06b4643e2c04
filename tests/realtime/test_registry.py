"""A module plugs into the hub from its own folder (docs/modules.md, docs/decisions/0007): the toy
module in tests/realtime/toy registers a slice, an event, a command, an action, an error code and
a script, and every loop of the core picks them up — snapshot, audiences, commands, schemas,
errors, the pages' scripts — over real WebSockets, with no edit of the core."""

import json

import jsonschema
import pytest
from channels.db import database_sync_to_async
from django.template import Context, Template

from realtime import messages, registry
from realtime.commands import COMMANDS
from realtime.errors import ERRORS
from realtime.publish import encode
from realtime.snapshot import forget_snapshots, snapshot_for

from . import hub as hub_helpers
from .toy import hub as toy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def toy_module():
    toy.register()
    forget_snapshots()
    hub_helpers._schemas.cache_clear()
    hub_helpers._validator.cache_clear()
    hub_helpers._seen.clear()
    yield
    toy.unregister()
    forget_snapshots()
    hub_helpers._schemas.cache_clear()
    hub_helpers._validator.cache_clear()
    hub_helpers._seen.clear()


def test_registering_a_name_twice_raises(toy_module):
    for again in (lambda: registry.register_slice("toy", toy.toy_state, toy.Toy),
                  lambda: registry.register_event("toy.bumped", toy.Toy, apply=toy._apply, doc=""),
                  lambda: registry.register_command("toy.bump", toy.BumpArgs, toy.bump, result=toy.BumpResult,
                                                    action="toy.bump"),
                  lambda: registry.register_error("toy_refused", ""),
                  lambda: registry.register_script("toy/hub-events.js"),
                  lambda: registry.register_command("sitting.open", toy.BumpArgs, toy.bump, result=toy.BumpResult,
                                                    action="toy.bump"),
                  lambda: registry.register_event("skip", toy.Toy, apply=toy._apply, doc=""),
                  # a frame's type (docs/protocol.md "Batches"), and what hub.js tells a page of one
                  lambda: registry.register_event("batch", toy.Toy, apply=toy._apply, doc=""),
                  lambda: registry.register_error("bad_json", "")):
        with pytest.raises(ValueError):
            again()


def test_a_toy_module_appears_in_the_schemas_the_command_table_and_the_errors(toy_module):
    schemas = messages.json_schemas()
    assert {"event.toy.bumped", "event.toy.bumped.delegate", "command.toy.bump.args", "command.toy.bump.reply"} <= set(schemas)
    assert "toy.bump" in COMMANDS and "toy.bump" in messages.command_args()
    assert "toy.bumped" in messages.EVENT_TYPES
    assert ERRORS["toy_refused"] == "The toy says no."
    assert "toy_refused" in schemas["reply.error"]["$defs"]["ErrorInfo"]["properties"]["code"]["enum"]
    staff_state = schemas["snapshot.staff"]["$defs"]["StaffState"]
    assert "toy" in staff_state["required"]
    assert "toy" not in schemas["snapshot.public"]["$defs"]["PublicState"]["properties"]
    # The delegates' own shape: the chair's note is no field of theirs.
    event = {"type": "toy.bumped", "seq": 3, "data": {"count": 1, "note": "x"}}
    assert jsonschema.Draft202012Validator(schemas["server.staff"]).is_valid(event)
    assert not jsonschema.Draft202012Validator(schemas["server.delegate"]).is_valid(event)
    html = Template("{% load hub %}{% hub_scripts %}").render(Context())
    assert html.index("realtime/hub.js") < html.index("toy/hub-events.js")


def test_a_toy_modules_panels_are_on_the_console_and_the_terminal_pages(toy_module, sitting, users, settings):
    """A module adds a panel to a face from its own folder: its template in the page, its script
    after the face's own (which draws it through Hub.registerPanel); the public page has none."""
    from pathlib import Path

    from django.test import Client

    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(toy.__file__).parent / "templates"]
    settings.TEMPLATES = templates
    chair, alice = Client(), Client()
    chair.force_login(users["chair"])
    alice.force_login(users["alice"])
    console = chair.get(f"/sitting/{sitting.pk}/console/").content.decode()
    assert 'id="toy-console-panel"' in console and 'id="toy-terminal-panel"' not in console
    assert console.index("meeting/console.js") < console.index("toy/panel.js")
    terminal = alice.get(f"/sitting/{sitting.pk}/terminal/").content.decode()
    assert 'id="toy-terminal-panel"' in terminal and 'id="toy-console-panel"' not in terminal
    assert terminal.index("meeting/terminal.js") < terminal.index("toy/panel.js")
    public = Client().get(f"/public/sitting/{sitting.pk}/")
    assert public.status_code == 200 and "toy-" not in public.content.decode()
    toy.unregister()
    assert 'id="toy-console-panel"' not in chair.get(f"/sitting/{sitting.pk}/console/").content.decode()


def test_a_panel_names_a_face_that_exists(toy_module):
    with pytest.raises(ValueError):
        registry.register_panel("hall", "toy", "toy/console_panel.html")
    with pytest.raises(ValueError):
        registry.register_panel("console", "toy", "toy/console_panel.html")  # twice


def test_without_the_toy_module_none_of_it_is_left(toy_module):
    toy.unregister()
    assert "toy.bump" not in COMMANDS and "toy_refused" not in ERRORS
    assert not any(name.startswith(("event.toy", "command.toy")) for name in messages.json_schemas())
    toy.register()  # for the fixture's teardown


async def test_a_toy_module_s_command_event_and_slice_over_the_hub(toy_module, hub, sitting):
    chair, alice, public = await hub.connect("chair"), await hub.connect("alice"), await hub.connect("public")
    assert chair.state["toy"] == {"count": 0, "note": ""}
    assert alice.state["toy"] == {"count": 0}
    assert "toy" not in public.state
    await chair.ok("sitting.open")
    assert await chair.ok("toy.bump", {"note": "một"}) == {"count": 1}
    assert await chair.ok("toy.bump", {"note": "hai"}) == {"count": 2}
    assert await alice.error("toy.bump") == "forbidden"
    assert await chair.error("toy.bump", {"note": "nope"}) == "toy_refused"
    assert await chair.error("toy.bump", {"note": "x" * 41}) == "invalid_args"
    for client in (alice, public):
        await client.settle()
    assert [e["type"] for e in public.events if e["seq"] > 1] == ["skip", "skip"]
    assert alice.state["toy"] == {"count": 2}
    # Each client's reduced state (the toy's reference reducer) is a fresh snapshot's.
    forget_snapshots()
    for client, audience in ((chair, "staff"), (alice, "delegate"), (public, "public")):
        seq, state = await database_sync_to_async(snapshot_for)(sitting.pk, audience)
        assert (client.seq, client.state) == (seq, json.loads(encode(state)))


def test_every_registered_event_type_has_a_browser_reducer_in_a_registered_script():
    # hub.js knows no event type itself: each module's script registers its reducers.
    from pathlib import Path

    from django.contrib.staticfiles import finders

    text = "".join(Path(finders.find(path)).read_text(encoding="utf-8") for path in registry.scripts())
    assert [part.type for part in registry.events() if f'Hub.registerEvent("{part.type}"' not in text] == []
    # And each per-member event type its reducer of `you` (Hub.registerMemberEvent).
    assert [part.type for part in registry.member_events()
            if f'Hub.registerMemberEvent("{part.type}"' not in text] == []
