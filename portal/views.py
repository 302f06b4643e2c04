"""Public pages and the home page.

Which sittings someone may follow, and through which page, is decided in
accounts.permissions (may_view, public_sittings, role_in, faces_for); these
views only list and link.
"""

from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from meeting.models import Sitting

# How far back closed sittings are still listed, and how many of them.
RECENT_DAYS = 60
RECENT_LIMIT = 10

ROLE_LABELS = {
    permissions.CHAIR: _("Chủ tọa"),
    permissions.SECRETARY: _("Thư ký"),
    permissions.DELEGATE: _("Đại biểu"),
    permissions.GUEST: _("Đại biểu mời, khách mời"),
    permissions.PUBLIC: _("Theo dõi công khai"),
}

FACE_LINKS = {
    "console": ("/sitting/%d/console/", _("Bàn điều khiển")),
    "terminal": ("/sitting/%d/terminal/", _("Máy tính bảng đại biểu")),
    "public": ("/public/sitting/%d/", _("Theo dõi trực tiếp")),
}

# Office staff's back-office pages (each checks its own permission).
OFFICE_LINKS = [
    ("/devices/", _("Thiết bị và ghép nối")),
    ("/members/", _("Danh sách thành viên")),
    ("/members/import/", _("Nhập thành viên từ tệp CSV")),
    ("/members/badges/", _("In thẻ đại biểu")),
]


def _grouped(queryset) -> dict:
    """Sittings by what a visitor wants first: live, then upcoming (soonest
    first), then recently closed (latest first)."""
    qs = queryset.select_related("body", "session")
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return {
        "live": list(qs.filter(status=Sitting.Status.LIVE).order_by("starts_at", "pk")),
        "upcoming": list(qs.filter(status=Sitting.Status.SCHEDULED).order_by("starts_at", "pk")),
        "recent": list(qs.filter(status=Sitting.Status.CLOSED, closed_at__gte=since).order_by("-closed_at", "-pk")[:RECENT_LIMIT]),
    }


def _public_groups() -> dict:
    return _grouped(permissions.public_sittings(Sitting.objects.all()))


def home(request):
    user = request.user
    context = {"public": _public_groups()}
    if user.is_authenticated:
        mine = []
        groups = _grouped(Sitting.objects.all())
        for sitting in groups["live"] + groups["upcoming"] + groups["recent"]:
            role = permissions.role_in(sitting, user=user)
            faces = permissions.faces_for(role)
            if not faces:
                continue
            links = [(FACE_LINKS[f][0] % sitting.pk, FACE_LINKS[f][1]) for f in faces]
            mine.append({"sitting": sitting, "role": role, "role_label": ROLE_LABELS.get(role, ""), "links": links})
        context["mine"] = mine
        context["may_forward_letter"] = permissions.may_forward_letter(user)
        if permissions.may_manage_reference_data(user):
            context["office_links"] = OFFICE_LINKS + ([("/admin/", _("Quản trị dữ liệu"))] if user.is_staff else [])
    return render(request, "portal/home.html", context)


def public_list(request):
    return render(request, "portal/public_list.html", {"groups": _public_groups()})


def public_sitting(request, sitting_id: int):
    """The read-only live view of a public sitting; a closed sitting does not exist here."""
    sitting = Sitting.objects.select_related("body", "session").filter(pk=sitting_id).first()
    if sitting is None or not permissions.may_view(permissions.PUBLIC, sitting):
        raise Http404("no such public sitting")
    config = {"sittingId": sitting.pk, "timeZone": settings.TIME_ZONE}
    return render(request, "portal/public_sitting.html", {"sitting": sitting, "observer_config": config})
