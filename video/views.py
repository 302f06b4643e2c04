"""The control room's hall camera page: publishes the room camera and the mixer's sound to the
sitting's video room, and plays the remote voices to the sound desk (docs/video.md)."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.pages import problem
from accounts.permissions import may, role_in
from meeting.models import Sitting


@never_cache
def hallcam(request, sitting_id: int):
    sitting = get_object_or_404(Sitting.objects.select_related("body", "session"), pk=sitting_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may(role_in(sitting, user=request.user), "video.control"):
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
    if not may(role_in(sitting, user=request.user), "video.control"):
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


def _recordings_allowed(request, sitting) -> bool:
    return may(role_in(sitting, user=request.user), "video.control")


@never_cache
def recordings(request, sitting_id: int):
    """The sitting's recordings for the minutes, and every turn at the floor placed in them: each
    speech links to its moment in the recording that covers it (a media fragment, #t=start,end)."""
    from django.http import Http404

    from floor.models import Speech

    from .models import Recording

    sitting = get_object_or_404(Sitting.objects.select_related("body"), pk=sitting_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _recordings_allowed(request, sitting):
        raise Http404
    rows = list(Recording.objects.filter(sitting=sitting).order_by("started_at", "pk"))
    speeches = []
    for s in Speech.objects.filter(sitting=sitting).select_related("member").order_by("started_at", "pk"):
        end = s.ended_at or s.started_at
        cover = next((r for r in rows if r.started_at <= s.started_at <= r.ended_at), None)
        start_s = max(0.0, (s.started_at - cover.started_at).total_seconds()) if cover else None
        end_s = min(cover.seconds, (end - cover.started_at).total_seconds()) if cover else None
        speeches.append({"speech": s, "recording": cover, "start_s": start_s, "end_s": end_s})
    return render(request, "video/recordings.html", {"sitting": sitting, "recordings": rows, "speeches": speeches})


def recording_file(request, pk: int):
    """One recording's sound (Ogg/Opus), for the sitting's chair and secretary only."""
    from django.http import Http404

    from config.media import send_private

    from .models import Recording

    row = get_object_or_404(Recording.objects.select_related("sitting"), pk=pk)
    if not request.user.is_authenticated or not _recordings_allowed(request, row.sitting):
        raise Http404
    return send_private(row.file, content_type="audio/ogg", filename=f"ghi-am-phien-{row.sitting_id}-{row.pk}.ogg",
                        as_attachment=False)
