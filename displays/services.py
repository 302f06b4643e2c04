from django.utils.translation import gettext as _

from accounts.permissions import Actor
from realtime.service import ServiceError, change

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
