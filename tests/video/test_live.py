"""Who is heard: video/live.py by the table both it and live.js are held to (tests/video/live_cases.py;
the browser test test_video_browser.py runs the same table through live.js)."""

import pytest

from tests.video.live_cases import CASES
from video.live import live_members, live_peers


@pytest.mark.parametrize(("state", "heard"), CASES)
def test_the_rule_of_who_is_heard(state, heard):
    assert sorted(live_members(state)) == heard
    assert live_peers(state) == sorted(f"m:{m}" for m in heard)
