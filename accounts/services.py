"""State changes of paired devices: bind a device to its browser session, revoke it.

Pairing itself is accounts.pairing.redeem. These are not changes of a sitting,
so they do not go through realtime.service.change, but they follow the same
rule: check permission, write in a transaction, append an audit record (audit.operations).
"""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.operations import ServiceError, operation, refuse
from realtime.publish import close_device_after_commit

from .models import Device
from .permissions import SECRETARY, Actor, may_manage_reference_data


def bind_session(device: Device, session_key: str) -> None:
    """Remember which browser session a freshly paired device lives in."""
    Device.objects.filter(pk=device.pk).update(session_key=session_key or "")
    device.session_key = session_key or ""


def revoke_devices(user, device_ids) -> int:
    """Office staff revoke paired devices (a lost tablet, a replaced screen).

    The device can no longer follow a sitting, the browser session it was
    paired into is ended (a terminal is signed out too), and its open hub
    connections are closed with 4403. Returns how many
    devices were revoked (already revoked ones are skipped)."""
    allowed = may_manage_reference_data(user)
    actor = Actor(role=SECRETARY if allowed else "", user=user)
    if not allowed:  # audited, committed on its own
        refuse(actor, "device.revoke", _("Chỉ cán bộ văn phòng mới thu hồi được thiết bị."))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    count = 0
    with transaction.atomic():
        for device in Device.objects.select_for_update().filter(pk__in=list(device_ids), revoked=False):
            # One audited operation per device, all in one transaction.
            with operation(actor, "device.revoke", detail={"device_id": device.pk, "kind": device.kind,
                                                           "label": device.label}):
                device.revoked = True
                device.save(update_fields=["revoked"])
                if device.session_key:
                    store(session_key=device.session_key).delete()
                close_device_after_commit(device.pk)
            count += 1
    return count


def revoke_device(user, device_id: int) -> None:
    if not revoke_devices(user, [device_id]):
        if not Device.objects.filter(pk=device_id).exists():
            raise ServiceError("not_found", _("Không tìm thấy thiết bị."))
