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


def sessions_log(request, sitting_id: int):
    """Remote participation for the minutes: who joined from afar, when, how long, how often the
    connection was lost and joined again, how it ended (CSV). For the sitting's chair and secretary."""
    import csv

    from django.http import Http404, HttpResponse
    from django.utils import timezone

    from .models import RemoteSession

    sitting = get_object_or_404(Sitting, pk=sitting_id)
    if role_in(sitting, user=request.user) not in (CHAIR, SECRETARY):
        raise Http404  # as if it did not exist
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="du-hop-truc-tuyen-phien-{sitting.pk}.csv"'
    response.write("\ufeff")  # a spreadsheet opens UTF-8 with its BOM

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    out = csv.writer(response)
    out.writerow([_("STT"), _("Người dự họp"), _("Chức vụ"), _("Vào lúc"), _("Rời lúc"), _("Thời gian (phút)"),
                  _("Số lần mất kết nối"), _("Số lần vào lại"), _("Kết thúc do"), _("Lý do")])
    rows = (RemoteSession.objects.filter(sitting=sitting, kind=RemoteSession.Kind.MEMBER).select_related("member")
            .order_by("joined_at", "pk"))
    now = timezone.now()
    for n, s in enumerate(rows, start=1):
        minutes = round(((s.ended_at or now) - s.joined_at).total_seconds() / 60, 1)
        out.writerow([n, s.member.full_name, s.member.position, local(s.joined_at), local(s.ended_at), minutes,
                      s.lost_count, s.rejoins, s.get_ended_how_display() if s.ended_how else _("đang dự họp"), s.reason])
    return response
