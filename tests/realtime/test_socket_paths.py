"""A WebSocket path that names no sitting is refused cleanly: close code 4404, no traceback."""

import logging

import pytest

from .hub import Refused, open_client

pytestmark = pytest.mark.django_db(transaction=True)


async def _close_code(path, caplog):
    with caplog.at_level(logging.WARNING):
        with pytest.raises(Refused) as refused:
            await open_client(0, path=path)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
    return refused.value.code


async def test_a_sitting_id_that_is_not_a_number_is_no_such_sitting(sitting, caplog):
    assert await _close_code("/ws/sitting/abc/", caplog) == 4404


async def test_a_sitting_id_beyond_any_database_key_is_no_such_sitting(sitting, caplog):
    assert await _close_code("/ws/sitting/99999999999999999999999/", caplog) == 4404


async def test_a_path_outside_the_hub_is_no_such_sitting(sitting, caplog):
    assert await _close_code("/ws/elsewhere/", caplog) == 4404


async def test_a_sitting_that_does_not_exist_is_still_4404(sitting, caplog):
    assert await _close_code(f"/ws/sitting/{sitting.pk + 1000}/", caplog) == 4404
