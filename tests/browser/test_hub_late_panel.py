"""A panel whose script arrives after the hub has its state is drawn at once (hub.js, Hub.registerPanel).

The face's own script (the terminal's) opens the hub; the panels' scripts come after it
(`{% hub_panel_scripts %}`). While the parser waits for one of them on a slow network, the browser
goes on handling the WebSocket: the snapshot may be in and told before the panel registers. Such a
panel used to stay undrawn until the next change of the sitting, which may never come: the floor
browser test's terminal, in a busy whole-suite run, had no floor panel ("Đăng ký phát biểu" hidden).

Persona: delegate Alice (db010) on her tablet, on a slow network that delivers the floor panel's
script only once her page is live; against the real Daphne of tests/browser/conftest.py.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


def test_a_panel_whose_script_comes_after_the_snapshot_is_drawn_at_once(new_context, login, fresh_sitting, hub):
    s = fresh_sitting()
    with hub("db001", s["id"]) as chair:
        chair.command("sitting.open")
    terminal = new_context(**TABLET).new_page()
    held = []
    terminal.route(re.compile(r"/static/floor/terminal(\.[0-9a-f]+)?\.js$"), lambda route: held.append(route))  # answered below

    login(terminal, "db010", next_url=f"/sitting/{s['id']}/terminal/", wait_until="commit")  # "load" waits for it
    expect(terminal.locator("body")).to_have_attribute("data-connection", "live")  # the snapshot is told
    expect(terminal.locator("#agenda .t-item")).not_to_have_count(0)  # the face's own drawing
    for _ in range(100):  # its request reaches the test's handler (events pumped while it waits), at most 5 s
        if held:
            break
        terminal.wait_for_timeout(50)
    assert len(held) == 1, held  # asked for, not yet come
    held[0].continue_()

    # No change of the sitting follows: the panel draws from the state the hub already has.
    expect(terminal.locator("#flt-actions")).to_be_visible()
    expect(terminal.locator("#flt-request-speech")).to_be_enabled()
