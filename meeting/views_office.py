"""Back-office pages of the council office: the member list, CSV import,
printable badges and seat codes, per-delegate attendance history; and the
page a seat's QR code opens (check-in).

The chair console and the delegate terminal live in meeting/views.py."""

import csv
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import pairing
from accounts.decorators import office_staff_required
from accounts.models import Device, PairingToken
from accounts.pages import problem
from accounts.permissions import actor_for, may_manage_reference_data, may_view_attendance_history, pairable_users
from audit.operations import ServiceError

from . import importing, services
from .checkin import read_seat_token, seat_token
from .history import attendance_history
from .models import Attendance, Body, Member, Seat, Sitting

TERMINAL_PATH = "/sitting/%d/terminal/"


@office_staff_required
def members(request):
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    group = request.GET.get("group", "")
    qs = Member.objects.select_related("seat", "delegate_group", "user")
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(code__icontains=q) | Q(seat__label__iexact=q))
    if kind in Member.Kind.values:
        qs = qs.filter(kind=kind)
    if group.isdigit():
        qs = qs.filter(delegate_group_id=int(group))
    return render(request, "meeting/office/members.html", {
        "members": qs.order_by("code"),
        "q": q, "kind": kind, "group": group,
        "kinds": Member.Kind.choices,
        "groups": Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP).order_by("name"),
    })


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp CSV"))
    dry_run = forms.BooleanField(label=gettext_lazy("Chỉ kiểm tra, chưa nhập"), required=False)


@office_staff_required
def member_import(request):
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > importing.MAX_BYTES:
                report = importing.ImportReport(errors=[importing.RowError(
                    0, "", _("Tệp lớn quá %(mb)d MB. Hãy chia thành nhiều tệp nhỏ hơn.")
                    % {"mb": importing.MAX_BYTES // (1024 * 1024)})])
            else:
                report = importing.import_members(upload.read(), user=request.user, dry_run=form.cleaned_data["dry_run"])
    else:
        form = ImportForm()
    return render(request, "meeting/office/member_import.html", {
        "form": form, "report": report, "columns": importing.COLUMNS,
        "max_mb": importing.MAX_BYTES // (1024 * 1024),
    }, status=400 if report is not None and not report.ok else 200)


@office_staff_required
def member_import_template(request):
    """A sample file to fill in (UTF-8 with BOM so Excel reads the accents)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="mau-danh-sach-thanh-vien.csv"'})
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(importing.COLUMNS)
    group = Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP).values_list("short_name", flat=True).first() or ""
    plenary = Body.objects.filter(kind=Body.Kind.PLENARY).values_list("short_name", flat=True).first() or ""
    writer.writerow(["DB101", "Nguyễn Văn Mẫu", "delegate", "Đại biểu HĐND tỉnh", group, "K1", "", "",
                     "mau@example.org", "0912 345 678", plenary, "db101"])
    return response


@office_staff_required
@never_cache
def badges(request):
    """One printable badge per delegate, each with a QR code that pairs the delegate's tablet."""
    qs = Member.objects.select_related("seat", "delegate_group", "user")
    if request.GET.get("kind") != "all":
        qs = qs.filter(kind=Member.Kind.DELEGATE)
    group = request.GET.get("group", "")
    if group.isdigit():
        qs = qs.filter(delegate_group_id=int(group))
    ttl = settings.BADGE_TOKEN_TTL
    # A code only for whom this staff member may pair (never an admin account): permissions.may_issue_pairing.
    pairable = set(pairable_users(get_user_model().objects.filter(member__in=qs), request.user).values_list("pk", flat=True))
    cards = []
    with transaction.atomic():
        for m in qs.order_by("seat__row", "seat__number", "code"):
            qr = None
            if m.user_id in pairable:
                token = pairing.issue(PairingToken.Purpose.TERMINAL, user=m.user, created_by=request.user, ttl=ttl)
                qr = pairing.qr_svg_inline(request.build_absolute_uri(reverse("accounts:pair", args=[token])))
            cards.append({"member": m, "qr": qr})
    return render(request, "meeting/office/badges.html", {
        "cards": cards,
        "valid_until": timezone.now() + timedelta(seconds=ttl),
        "groups": Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP).order_by("name"),
        "group": group, "kind": request.GET.get("kind", ""),
    })


@office_staff_required
def seat_codes(request, sitting_id):
    """A printable sheet of seat check-in QR codes for one sitting."""
    sitting = get_object_or_404(Sitting.objects.select_related("body"), pk=sitting_id)
    cards = []
    if sitting.status != Sitting.Status.CLOSED:
        for seat in Seat.objects.select_related("member").order_by("row", "number"):
            url = request.build_absolute_uri(reverse("meeting:seat_checkin", args=[sitting.pk, seat_token(sitting.pk, seat.pk)]))
            cards.append({"seat": seat, "member": getattr(seat, "member", None), "qr": pairing.qr_svg_inline(url)})
    return render(request, "meeting/office/seat_codes.html", {"sitting": sitting, "cards": cards})


CHECKIN_ADVICE = {
    "forged": gettext_lazy("Hãy quét lại mã QR dán tại ghế. Nếu vẫn không được, hãy báo thư ký phiên họp."),
    "expired": gettext_lazy("Mã QR của ghế chỉ dùng được trong phiên họp chưa kết thúc."),
    "seat_mismatch": gettext_lazy("Hãy quét mã QR tại ghế của mình, hoặc điểm danh trên máy tính bảng. "
                                  "Nếu bạn được xếp ngồi ghế này, hãy báo thư ký để sửa sơ đồ chỗ ngồi."),
    "sitting_not_live": gettext_lazy("Điểm danh mở khi phiên họp khai mạc. Hãy quét lại mã khi phiên họp bắt đầu."),
    "forbidden": gettext_lazy("Chỉ đại biểu và khách mời tự điểm danh được. Nếu đây không phải tài khoản của bạn, "
                              "hãy đăng xuất rồi đăng nhập bằng tài khoản của mình."),
    "not_found": gettext_lazy("Hãy báo thư ký phiên họp."),
}


def _session_device(request):
    device_id = request.session.get("device_id")
    if not device_id:
        return None
    return Device.objects.filter(pk=device_id, revoked=False).first()


@never_cache
@require_http_methods(["GET", "POST"])
def seat_checkin(request, sitting_id, token):
    """What a seat's QR code opens. GET shows the seat and a button and changes nothing
    (link previewers and prefetchers only GET); the POST (with CSRF) checks the signed-in
    delegate in (method seat_qr)."""
    try:
        seat = read_seat_token(sitting_id, token)
    except ServiceError as e:
        return problem(request, e.code, e.message, title=_("Không điểm danh được"), advice=str(CHECKIN_ADVICE.get(e.code, "")))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sitting = get_object_or_404(Sitting, pk=sitting_id)
    if request.method == "GET":
        return render(request, "meeting/office/checkin_confirm.html", {
            "sitting": sitting, "seat": seat, "member": Member.objects.filter(user=request.user).first(),
        })
    device = _session_device(request)
    if device is not None and device.user_id != request.user.pk:
        device = None
    actor = actor_for(sitting, user=request.user, device=device)
    try:
        services.check_in(actor, sitting.pk, method=Attendance.Method.SEAT_QR, seat_id=seat.pk)
    except ServiceError as e:
        links = [(TERMINAL_PATH % sitting.pk, _("Mở máy tính bảng"))] if actor.member_id else []
        return problem(request, e.code, e.message, title=_("Không điểm danh được"),
                       advice=str(CHECKIN_ADVICE.get(e.code, "")), links=links)
    record = Attendance.objects.select_related("member").get(sitting=sitting, member_id=actor.member_id)
    return render(request, "meeting/office/checked_in.html", {
        "sitting": sitting, "seat": seat, "record": record, "terminal_url": TERMINAL_PATH % sitting.pk,
    })


def attendance_history_view(request, member_id):
    member = get_object_or_404(Member.objects.select_related("seat", "delegate_group"), pk=member_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_view_attendance_history(request.user, member):
        return problem(request, "forbidden", _("Bạn chỉ xem được lịch sử điểm danh của chính mình."),
                       title=_("Không có quyền truy cập"))
    history = attendance_history(member)
    return render(request, "meeting/office/attendance_history.html", {
        "member": member, "history": history, "office": may_manage_reference_data(request.user),
    })
