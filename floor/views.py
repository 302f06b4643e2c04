"""The speech log for the minutes: who spoke, as what, on which item, from when to when, with
pauses and extra time (CSV, one row per turn at the floor). For the sitting's chair and secretary."""

import csv
import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import may, role_in
from meeting.models import Sitting

from .models import Speech


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _clock(iso: str) -> str:
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%H:%M:%S")


def speech_log(request, sitting_id: int):
    sitting = get_object_or_404(Sitting, pk=sitting_id)
    if not may(role_in(sitting, user=request.user), "floor.manage"):
        raise Http404  # as if it did not exist: nothing says which sittings have a log
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="phat-bieu-phien-{sitting.pk}.csv"'
    response.write("\ufeff")  # a spreadsheet opens UTF-8 with its BOM
    out = csv.writer(response)
    out.writerow([_("STT"), _("Người phát biểu"), _("Chức vụ"), _("Loại"), _("Mục chương trình"), _("Nhóm vấn đề"),
                  _("Bắt đầu"), _("Kết thúc"), _("Thời gian nói (giây)"), _("Cho phép (giây)"), _("Thêm (giây)"),
                  _("Tạm dừng (giây)"), _("Các lần tạm dừng"), _("Kết thúc do")])
    speeches = (Speech.objects.filter(sitting=sitting).select_related("member", "item", "issue")
                .order_by("started_at", "id"))
    for n, s in enumerate(speeches, start=1):
        out.writerow([n, s.member.full_name, s.member.position, s.get_kind_display(), s.item.title if s.item else "",
                      s.issue.title if s.issue else "", _local(s.started_at), _local(s.ended_at),
                      round(s.spoken_seconds(timezone.now()), 1), s.limit_s, s.extra_s, round(s.paused_s, 1),
                      "; ".join(f"{_clock(a)}–{_clock(b)}" for a, b in s.pauses),
                      s.get_ending_display() if s.ending else _("đang phát biểu")])
    return response
