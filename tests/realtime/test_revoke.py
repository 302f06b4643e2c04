"""Revoking a device closes the hub connections it has open."""

import pytest
from channels.db import database_sync_to_async

from accounts.services import revoke_device

from .hub import Refused

pytestmark = pytest.mark.django_db(transaction=True)


async def test_revoking_a_display_closes_its_open_connection_with_4403(hub, users, display_device):
    display = await hub.connect("display")
    bystander = await hub.connect("alice")
    await database_sync_to_async(revoke_device)(users["secretary"], display_device.pk)
    with pytest.raises(Refused) as closed:
        await display.receive()
    assert closed.value.code == 4403
    # Nobody else is disturbed.
    assert (await bystander.command("ping"))["ok"] is True


async def test_moving_a_display_to_another_sitting_closes_its_connection_to_the_old_one(hub, users, display_device):
    """It kept receiving the old sitting's events on its open socket (issue 11, item 8)."""
    from displays import services as displays
    from meeting.models import Sitting

    display = await hub.connect("display")
    other = await database_sync_to_async(lambda: Sitting.objects.exclude(pk=hub.sitting_id).first().pk)()
    await database_sync_to_async(displays.assign)(users["secretary"], display_device.display_id, other)
    with pytest.raises(Refused) as closed:
        while True:
            await display.receive()  # the display.updated that says it left, then the close
    assert closed.value.code == 4403
