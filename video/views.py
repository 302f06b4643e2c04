"""The control room's hall camera page: publishes the room camera and the mixer's sound to the
sitting's video room, and plays the remote voices to the sound desk (docs/video.md)."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.pages import problem
from accounts.permissions import CHAIR, SECRETARY, role_in
from meeting.models import Sitting


@never_cache
def hallcam(request, sitting_id: int):
    sitting = get_object_or_404(Sitting.objects.select_related("body", "session"), pk=sitting_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if role_in(sitting, user=request.user) not in (CHAIR, SECRETARY):
        return problem(request, "forbidden", _("Trang camera hội trường chỉ dành cho thư ký và chủ tọa của phiên họp."),
                       title=_("Không có quyền truy cập"))
    return render(request, "video/hallcam.html", {"sitting": sitting})
