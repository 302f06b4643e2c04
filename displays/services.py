from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import Actor, may
from audit.operations import ServiceError
from realtime.service import change, refuse

from . import slides
from .models import Display
from .state import display_state


def set_slide(actor: Actor, sitting_id: int, display_id: int, slide: str) -> dict:
    """Choose which slide a display of this sitting shows."""
    with change(actor, "display.control", sitting_id, live=False, detail={"display_id": display_id, "slide": slide}) as c:
        # Checked after the permission, so a role that may not control displays is refused (and audited) first.
        if not slides.exists(slide):
            raise ServiceError("invalid_args", _("Không có trang chiếu này."))
        try:
            display = Display.objects.select_for_update().get(pk=display_id, sitting_id=sitting_id)
        except Display.DoesNotExist:
            raise ServiceError("not_found", _("Màn hình này không theo dõi phiên họp.")) from None
        display.slide = slide
        display.save(update_fields=["slide"])
        c.emit("display.updated", display_state(display))
    return {}


def assign(user, display_id: int, sitting_id: int | None) -> dict:
    """Move a display to another sitting (or none).

    Announced in the sitting it leaves (its page there reloads onto the new
    one at once) and in the sitting it joins (its console lists it). Each side
    is a change of its own sitting, with that sitting's permission check.
    """
    from accounts.permissions import actor_for
    from meeting.models import Sitting

    display = Display.objects.filter(pk=display_id).first()
    if display is None:
        raise ServiceError("not_found", _("Không tìm thấy màn hình."))
    if sitting_id is not None and not Sitting.objects.filter(pk=sitting_id).exists():
        raise ServiceError("not_found", _("Không tìm thấy phiên họp."))
    old = display.sitting_id
    if old == sitting_id:
        return {}
    actors = {sid: actor_for(Sitting.objects.get(pk=sid), user=user) for sid in (old, sitting_id) if sid is not None}
    # Both sides are checked before either is written: a move refused in the
    # sitting it joins must not have left the one it leaves (audited, as always).
    for sid, actor in actors.items():
        if not may(actor.role, "display.control"):
            refuse(actor, "display.control", sid, "forbidden", _("Vai trò của bạn không được thực hiện thao tác này."))
    with transaction.atomic():
        # Sittings are locked in the order of their ids (docs/locking.md): two moves in opposite
        # directions at once wait for each other instead of deadlocking.
        for sid, actor in sorted(actors.items()):
            with change(actor, "display.control", sid, live=False, detail={"display_id": display_id, "sitting_id": sitting_id}) as c:
                d = Display.objects.select_for_update().get(pk=display_id)
                d.sitting_id = sitting_id
                d.save(update_fields=["sitting"])
                c.emit("display.updated", display_state(d))
        # Its open connections to the sitting it left are closed (4403): they would go on
        # receiving that sitting's events. Its page finds the new one (displays.views).
        if old is not None:
            from accounts.models import Device
            from realtime.publish import close_device_after_commit

            for device_id in Device.objects.filter(display_id=display_id).values_list("pk", flat=True):
                close_device_after_commit(device_id)
    return {}
