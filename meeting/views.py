"""The two live faces of a sitting: the chair console and the delegate terminal.

Each view only decides, through accounts.permissions, whether this person may
open the page, and renders an empty frame with the sitting's id. Everything
live (agenda, attendance, quorum, displays) comes over the hub (hub.js) and
every action is a hub command; no rule of the sitting lives here.
"""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.pages import problem
from accounts.permissions import faces_for, role_in
from agenda.models import AgendaItem

from .models import Sitting


def _open_face(request, sitting_id: int, face: str, template: str, refusal: str):
    sitting = get_object_or_404(Sitting.objects.select_related("body", "session"), pk=sitting_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role = role_in(sitting, user=request.user)
    if face not in faces_for(role):
        return problem(request, "forbidden", refusal, title=_("Không có quyền truy cập"),
                       advice=_("Nếu bạn cho rằng đây là nhầm lẫn, hãy liên hệ thư ký phiên họp (Văn phòng HĐND)."))
    return render(request, template, {
        "sitting": sitting,
        "role": role,
        "agenda_kinds": AgendaItem.Kind.choices,
    })


@never_cache
def console(request, sitting_id: int):
    """The chair's console: one screen that drives the sitting (chair and secretary only)."""
    return _open_face(request, sitting_id, "console", "meeting/console.html",
                      _("Bàn điều khiển chỉ dành cho chủ tọa và thư ký của phiên họp này."))


@never_cache
def terminal(request, sitting_id: int):
    """A delegate's tablet: follow the sitting, check in (delegates and guests; chair and secretary to test)."""
    return _open_face(request, sitting_id, "terminal", "meeting/terminal.html",
                      _("Trang này dành cho đại biểu và khách mời của phiên họp."))
