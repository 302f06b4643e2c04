"""Sign-in, pairing a device by its QR code, and the office's device page."""

from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.operations import ServiceError

from . import pairing, services
from .decorators import office_staff_required
from .forms import IssueForm
from .landing import landing_path
from .models import Device, PairingToken
from .pages import problem

login = auth_views.LoginView.as_view(template_name="accounts/login.html")
logout = auth_views.LogoutView.as_view()

PAIR_TITLES = {
    "used": (gettext_lazy("Mã đã được sử dụng"), gettext_lazy("Mỗi mã QR chỉ ghép được một thiết bị, một lần.")),
    "expired": (gettext_lazy("Mã đã hết hạn"), gettext_lazy("Mã QR ghép nối chỉ có hiệu lực trong thời gian ngắn.")),
    "forged": (gettext_lazy("Mã không hợp lệ"), gettext_lazy("Mã này không do hệ thống cấp, hoặc đã bị sửa đổi.")),
    "wrong_purpose": (gettext_lazy("Mã không đúng loại thiết bị"), gettext_lazy("Mã này dùng để ghép một loại thiết bị khác.")),
    pairing.RIGHTS_EXCEED_ISSUER: (gettext_lazy("Không được ghép nối cho tài khoản này"),
                                   gettext_lazy("Mã ghép nối chỉ dành cho người có quyền không vượt quá quyền của người "
                                                "cấp mã, và không bao giờ cho tài khoản quản trị. Người này hãy đăng nhập "
                                                "bằng tên đăng nhập và mật khẩu của mình.")),
}


def _pair_problem(request, error: pairing.PairingError):
    title, why = PAIR_TITLES.get(error.code, (_("Không ghép nối được"), ""))
    # A new code would not help a person pairing may never sign in as.
    again = "" if error.code == pairing.RIGHTS_EXCEED_ISSUER else _(
        "Thiết bị chưa được ghép nối. Hãy nhờ thư ký (Văn phòng HĐND) cấp mã QR mới rồi quét lại.")
    return problem(request, error.code, error.message, title=str(title), advice=" ".join(filter(None, [str(why), again])))


@never_cache
def pair(request, token):
    """GET shows what this code pairs and a button; POST (with CSRF) pairs.

    Link previewers and prefetchers only GET, so they never use up a code."""
    expect = request.POST.get("expect") or request.GET.get("expect") or None
    if request.method == "POST":
        try:
            row, device = pairing.redeem(token, expected_purpose=expect)
        except pairing.PairingError as e:
            return _pair_problem(request, e)
        if row.purpose == PairingToken.Purpose.DISPLAY:
            auth.logout(request)  # a hall display acts as the display, never as a person
        else:
            auth.login(request, row.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session["device_id"] = device.pk
        request.session.save()
        services.bind_session(device, request.session.session_key)
        return redirect(landing_path(row.purpose, row.user))
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    try:
        row = pairing.inspect(token)
        if expect and row.purpose != expect:
            raise pairing.PairingError("wrong_purpose", _("Mã này không dùng để ghép loại thiết bị này."))
    except pairing.PairingError as e:
        return _pair_problem(request, e)
    return render(request, "accounts/pair_confirm.html", {
        "row": row,
        "expect": expect or "",
        "target": _target_label(row),
        "other_user": request.user if request.user.is_authenticated and request.user != row.user else None,
    })


def _target_label(row: PairingToken) -> str:
    if row.display_id:
        return row.display.name
    member = getattr(row.user, "member", None)
    return member.full_name if member else (row.user.get_full_name() or row.user.get_username())


@office_staff_required
@never_cache
def devices(request):
    """Issue a pairing QR code for a delegate's tablet, a hall display or a console; list paired devices."""
    if request.method == "POST":
        form = IssueForm(request.POST, issuer=request.user)
        token = None
        if form.is_valid():
            try:
                token = pairing.issue(form.cleaned_data["purpose"], created_by=request.user, **form.target())
            except pairing.PairingError as e:
                form.add_error(None, e.message)
        if token is not None:
            row = pairing.lookup(token)
            return render(request, "accounts/device_code.html", {
                "form": form,
                "row": row,
                "target": _target_label(row),
                "token": token,
                "pair_url": request.build_absolute_uri(reverse("accounts:pair", args=[token])),
                "expires_in": max(0, int((row.expires_at - timezone.now()).total_seconds())),
            })
    else:
        form = IssueForm(initial={"purpose": request.GET.get("purpose", PairingToken.Purpose.TERMINAL)},
                         issuer=request.user)
    return render(request, "accounts/devices.html", {
        "form": form,
        "active": Device.objects.filter(revoked=False).select_related("user", "display").order_by("kind", "label"),
        "revoked": Device.objects.filter(revoked=True).select_related("user", "display").order_by("-paired_at")[:50],
    })


def _own_token(request, token) -> PairingToken:
    """A token this staff member issued; anything else is not found (no QR for arbitrary data)."""
    try:
        row = pairing.lookup(token)
    except pairing.PairingError:
        raise Http404 from None
    if row.created_by_id != request.user.pk:
        raise Http404
    return row


def _qr_response(request, token, render_qr, content_type):
    row = _own_token(request, token)
    if row.used_at is not None or row.expires_at <= timezone.now():
        return HttpResponse(status=410)
    url = request.build_absolute_uri(reverse("accounts:pair", args=[token]))
    return HttpResponse(render_qr(url), content_type=content_type,
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@office_staff_required
def device_qr_png(request, token):
    return _qr_response(request, token, pairing.qr_png, "image/png")


@office_staff_required
def device_qr_svg(request, token):
    return _qr_response(request, token, pairing.qr_svg, "image/svg+xml")


@office_staff_required
@never_cache
def device_qr_status(request, token):
    """Whether the code on screen was scanned yet, for the device page to say so."""
    row = _own_token(request, token)
    if row.used_at is not None:
        state = "used"
    elif row.expires_at <= timezone.now():
        state = "expired"
    else:
        state = "waiting"
    return JsonResponse({"state": state, "device": row.device.label if row.device else None,
                         "expires_in": max(0, int((row.expires_at - timezone.now()).total_seconds()))})


@office_staff_required
@require_POST
def device_revoke(request, pk):
    try:
        services.revoke_device(request.user, pk)
    except ServiceError as e:
        return problem(request, e.code, e.message)
    return redirect("accounts:devices")
