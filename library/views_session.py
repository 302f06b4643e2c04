"""Convocation letters, the session link their QR code carries, and the
public list of documents.

Each view asks accounts.permissions who may do what; the letter itself is
drawn by library.convocation.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.pages import problem
from accounts.permissions import Actor, is_office_staff, may_get_convocation, may_print_convocations, public_documents as public_filter
from audit.services import record
from meeting.models import Member, Session, Sitting

from . import convocation as convocation_letter
from .convocation import letter_pdf
from .models import Document
from .services import LibraryError

PUBLIC_PAGE_SIZE = 50


def _actor(request) -> Actor:
    return Actor(role="secretary" if is_office_staff(request.user) else "reader", user=request.user)


def _audit(request, action: str, *, outcome: str = "ok", **detail):
    with transaction.atomic():
        record(_actor(request), action, outcome=outcome, detail=detail)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _session_members(session):
    """Everyone the letters of a session go to: the delegates of its body, in the list's order."""
    return (Member.objects.filter(memberships__body=session.body, memberships__active=True, kind=Member.Kind.DELEGATE)
            .select_related("delegate_group").order_by("code").distinct())


def _forbidden(request, message: str):
    return problem(request, "forbidden", message, title=_("Không có quyền truy cập"),
                   advice=_("Nếu bạn cần giấy triệu tập, hãy liên hệ Văn phòng HĐND."))


@never_cache
def convocation(request, session_id: int, member_id: int):
    """One member's convocation letter (the member themself, or office staff)."""
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = Member.objects.select_related("delegate_group").filter(pk=member_id).first()
    if member is None or not may_get_convocation(request.user, member):
        # The same answer whether or not the member exists: nothing to learn by guessing ids.
        _audit(request, "library.convocation", outcome="forbidden", session=session.pk, member=member_id)
        return _forbidden(request, _("Giấy triệu tập chỉ dành cho chính đại biểu được triệu tập và cán bộ Văn phòng HĐND."))
    if not member.memberships.filter(body_id=session.body_id, active=True).exists():
        return problem(request, "not_found", _("%(name)s không thuộc %(body)s nên không có giấy triệu tập dự kỳ họp này.")
                       % {"name": member.full_name, "body": session.body.name},
                       title=_("Không có giấy triệu tập"))
    data = letter_pdf(session, [member], _base_url(request))
    _audit(request, "library.convocation", session=session.pk, member=member.pk)
    return _pdf(data, f"giay-trieu-tap-ky-hop-{session.number}-{member.code}.pdf")


@never_cache
def convocations(request, session_id: int):
    """Every delegate's letter in one PDF, for printing (office staff)."""
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_print_convocations(request.user):
        _audit(request, "library.convocations", outcome="forbidden", session=session.pk)
        return _forbidden(request, _("In giấy triệu tập của cả kỳ họp chỉ dành cho cán bộ Văn phòng HĐND."))
    members = list(_session_members(session))
    data = letter_pdf(session, members, _base_url(request))
    _audit(request, "library.convocations", session=session.pk, members=len(members))
    return _pdf(data, f"giay-trieu-tap-ky-hop-{session.number}.pdf")


def issue_convocation(request, session_id: int):
    """POST: issue the session's convocation letter with its number and date (office staff); back to the
    session's page with what happened. The letter then keeps that date and the programme as planned now."""
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return redirect("library:session", session_id=session.pk)
    try:
        issued_on = dt.date.fromisoformat(request.POST.get("issued_on", ""))
    except ValueError:
        issued_on = None
    try:
        if issued_on is None:
            raise LibraryError("invalid", _("Hãy ghi ngày ban hành giấy triệu tập."))
        done = convocation_letter.issue(request.user, session, number=request.POST.get("number", ""), issued_on=issued_on)
    except LibraryError as refused:
        if refused.code == "forbidden":
            return _forbidden(request, refused.message)
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Đã ban hành giấy triệu tập số %(n)s ngày %(d)s.")
                         % {"n": done.number, "d": done.issued_on.strftime("%d/%m/%Y")})
    return redirect("library:session", session_id=session.pk)


def session_sitting(session) -> Sitting | None:
    """The sitting a session's link opens: the live one, else the next scheduled, else the last."""
    sittings = Sitting.objects.filter(session=session)
    return (sittings.filter(status=Sitting.Status.LIVE).order_by("starts_at", "pk").first()
            or sittings.filter(status=Sitting.Status.SCHEDULED).order_by("starts_at", "pk").first()
            or sittings.order_by("-starts_at", "-pk").first())


@never_cache
def open_session(request, session_id: int):
    """What a convocation's QR code opens: the terminal of the session's sitting of the moment.

    The terminal decides who may follow that sitting (accounts.permissions.role_in).
    """
    session = get_object_or_404(Session, pk=session_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sitting = session_sitting(session)
    if sitting is None:
        return problem(request, "not_found",
                       _("Kỳ họp “%(title)s” chưa có phiên họp nào trên hệ thống.") % {"title": session.title},
                       title=_("Kỳ họp chưa có phiên họp"),
                       advice=_("Văn phòng HĐND sẽ xếp lịch các phiên họp trước ngày khai mạc; hãy mở lại đường dẫn này sau."),
                       links=[(reverse("home"), _("Về trang chủ"))])
    return redirect("meeting:terminal", sitting_id=sitting.pk)


def public_documents(request):
    """Published public documents, grouped by session, newest first (phones first)."""
    documents = (public_filter(Document.objects.all())
                 .select_related("session", "current_version")
                 .order_by(F("session__start_date").desc(nulls_last=True), "session_id",
                           F("published_at").desc(nulls_last=True), "-pk"))
    page = Paginator(documents, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "library/public_documents.html", {"page": page, "documents": list(page.object_list)})
