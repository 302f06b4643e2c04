"""Publishing events after commit: encode once per audience, one group_send each."""

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from accounts.permissions import AUDIENCES

from .audience import group_name, shape_event


def encode(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def event_message(seq: int, type_: str, data: dict, audience: str) -> dict:
    shaped = shape_event(type_, data, audience)
    if shaped is None:
        # The audience may not see this event, but must still see the seq advance.
        return {"type": "skip", "seq": seq, "data": None}
    return {"type": type_, "seq": seq, "data": shaped}


def publish_after_commit(sitting, events: list[tuple[int, str, dict]]) -> None:
    sitting_id = sitting.pk
    transaction.on_commit(lambda: publish(sitting_id, events))


def publish(sitting_id: int, events: list[tuple[int, str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(_send_all)
    send(layer, sitting_id, events)


async def _send_all(layer, sitting_id, events):
    for seq, type_, data in events:
        for audience in AUDIENCES:
            text = encode(event_message(seq, type_, data, audience))
            group = group_name(sitting_id, audience)
            await layer.group_send(group, {"type": "hub.event", "text": text, "group": group, "seq": seq})


def device_group(device_id: int) -> str:
    return f"device.{device_id}"


def close_device_after_commit(device_id: int) -> None:
    """After commit, close every hub connection of this (revoked) device."""

    def send():
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(device_group(device_id), {"type": "hub.revoked"})

    transaction.on_commit(send)
