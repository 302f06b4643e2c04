"""The two live faces of a sitting: the chair console and the delegate terminal.

Each view only decides, through accounts.permissions, whether this person may
open the page, and renders an empty frame with the sitting's id. Everything
live (agenda, attendance, quorum, displays) comes over the hub (hub.js) and
every action is a hub command; no rule of the sitting lives here.
"""

from datetime import timedelta

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.pages import problem
from accounts.permissions import AUDIENCE, faces_for, may_view, role_in
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


# A closed sitting stays in the list this long after its closing (to reread, or to be reopened).
RECENTLY_CLOSED = timedelta(days=1)


@never_cache
def sittings_to_follow(request):
    """The sittings this client may follow over the hub, soonest first: scheduled, live, and closed
    within the last day (docs/protocol.md, "Finding a sitting"). Anonymous: the public ones."""
    since = timezone.now() - RECENTLY_CLOSED
    candidates = (Sitting.objects.select_related("body", "session")
                  .filter(Q(status__in=(Sitting.Status.SCHEDULED, Sitting.Status.LIVE)) | Q(closed_at__gte=since))
                  .order_by("starts_at", "pk")[:200])
    out = []
    for s in candidates:
        role = role_in(s, user=request.user)
        if not may_view(role, s):
            continue
        out.append({"id": s.pk, "title": s.title, "body": s.body.name, "starts_at": s.starts_at.isoformat(),
                    "status": s.status, "role": role, "audience": AUDIENCE[role], "hub": f"/ws/sitting/{s.pk}/"})
    return JsonResponse({"sittings": out})


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
