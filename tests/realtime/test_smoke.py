import pytest
from channels.testing import WebsocketCommunicator

from agenda import services as agenda
from config.asgi import application
from meeting import services as meeting


def test_open_and_advance(sitting, actors):
    meeting.open_sitting(actors["chair"], sitting.pk)
    r = agenda.next_item(actors["chair"], sitting.pk)
    assert r["current_item_id"]
    meeting.check_in(actors["alice"], sitting.pk)


@pytest.mark.django_db(transaction=True)
async def test_ws_snapshot(sitting, users):
    from asgiref.sync import sync_to_async
    from django.test import Client
    c = Client()
    await sync_to_async(c.force_login)(users["chair"])
    cookie = c.cookies["sessionid"].value
    comm = WebsocketCommunicator(application, f"/ws/sitting/{sitting.pk}/", headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), (b"cookie", f"sessionid={cookie}".encode())])
    ok, _ = await comm.connect()
    assert ok
    snap = await comm.receive_json_from()
    assert snap["type"] == "snapshot"
    await comm.send_json_to({"id": 1, "cmd": "sitting.open"})
    r1 = await comm.receive_json_from()
    r2 = await comm.receive_json_from()
    print(r1, r2)
    await comm.send_json_to({"id": 2, "cmd": "agenda.next"})
    print(await comm.receive_json_from(), await comm.receive_json_from())
    await comm.disconnect()
