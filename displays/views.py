"""The hall display page (a paired kiosk) and its preview for office staff.

The page is generic: it loads the script of every registered slide
(displays.slides) and draws whichever slide its display is set to, from the
hub's state. Who may see what is decided in accounts.permissions.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from accounts import permissions
from accounts.models import Device
from accounts.pages import problem

from . import slides
from .models import Display

# How often a display page asks the server whether it should show something
# else (seconds): a display with nothing to show often; one showing a sitting
# rarely, to notice changes made outside the hub (the admin moving the display
# to another sitting, the device revoked). Settings DISPLAY_IDLE_POLL_SECONDS and
# DISPLAY_SITTING_POLL_SECONDS override them (the browser tests poll every second).
IDLE_POLL_SECONDS = 20
SITTING_POLL_SECONDS = 60


def poll_seconds(page_key: str) -> int:
    if page_key.startswith("sitting:"):
        return getattr(settings, "DISPLAY_SITTING_POLL_SECONDS", SITTING_POLL_SECONDS)
    return getattr(settings, "DISPLAY_IDLE_POLL_SECONDS", IDLE_POLL_SECONDS)


def _session_device(request):
    device_id = request.session.get("device_id")
    if not device_id:
        return None
    return Device.objects.select_related("display__sitting").filter(pk=device_id).first()


def _names_a_place(name: str) -> bool:
    rest = " ".join(name.split()).lower()
    for prefix in ("hội đồng nhân dân", "hđnd"):
        rest = rest.removeprefix(prefix).strip()
    for level in ("thành phố", "tỉnh"):
        rest = rest.removeprefix(level).strip()
    return bool(rest)


def council_name(sitting=None) -> str:
    """The council as the hall's header names it, with its province: COUNCIL_NAME when it names one
    ("Hội đồng nhân dân tỉnh Tuyên Quang"), else (the default "Hội đồng nhân dân tỉnh") the name of the
    plenary body of the sitting's term."""
    if _names_a_place(settings.COUNCIL_NAME) or sitting is None:
        return settings.COUNCIL_NAME
    from meeting.models import Body

    body = sitting.body
    if body.kind != Body.Kind.PLENARY:
        body = Body.objects.filter(kind=Body.Kind.PLENARY, term_id=body.term_id).order_by("pk").first() or body
    return body.name if body.kind == Body.Kind.PLENARY and _names_a_place(body.name) else settings.COUNCIL_NAME


def _config(display, *, page_key: str, preview: bool) -> dict:
    return {
        "sittingId": display.sitting_id if display else None,
        "displayId": display.pk if display else None,
        "councilName": council_name(display.sitting if display and display.sitting_id else None),
        "timeZone": settings.TIME_ZONE,
        "preview": preview,
        "pageKey": page_key,
        "pollSeconds": poll_seconds(page_key),
    }


def _hall(request, display: Display | None, *, preview: bool):
    """The kiosk page for `display`: its sitting, or a calm waiting screen."""
    if display is None:
        kind, template, context = "not-paired", "displays/not_paired.html", {}
    elif display.sitting_id is None:
        kind, template, context = "waiting", "displays/waiting.html", {"display": display}
    else:
        kind, template = "sitting", "displays/hall.html"
        context = {"display": display, "sitting": display.sitting, "slides": slides.all_slides(),
                   "council_name": council_name(display.sitting)}
    # What this page shows; the page reloads when the server's answer changes (displays/display.js).
    page_key = f"sitting:{display.sitting_id}" if kind == "sitting" else kind
    context.update(preview=preview, hall_config=_config(display, page_key=page_key, preview=preview))
    response = render(request, template, context)
    response["X-Hall-Page"] = page_key
    return response


def _language_from_address(request) -> str | None:
    """A kiosk started on /display/?lang=en shows the hall in that language: the page, and (by the
    cookie set with it) the translation catalog its scripts load and every reload after."""
    code = request.GET.get("lang")
    if code not in dict(settings.LANGUAGES):
        return None
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code


@never_cache
def display(request):
    """What a paired hall display shows; how to pair it otherwise. Its language: the switch in
    its corner, or ?lang= in its address (the site's language cookie either way)."""
    code = _language_from_address(request)
    response = _hall(request, permissions.paired_display(_session_device(request)), preview=False)
    if code:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


@never_cache
@xframe_options_sameorigin  # the chair console shows previews in frames
def preview(request, display_id: int):
    """Any display's page as it looks in the hall, for office staff and the sitting's chair."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    target = get_object_or_404(Display.objects.select_related("sitting"), pk=display_id)
    if not permissions.may_preview_display(request.user, target):
        return problem(request, "forbidden", _("Chỉ cán bộ Văn phòng và chủ tọa phiên họp mới xem trước được màn hình."),
                       title=_("Không có quyền truy cập"))
    return _hall(request, target, preview=True)
