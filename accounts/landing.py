"""Where a freshly paired device goes: the page of the sitting it is for.

A terminal opens the live (or else the next) sitting its delegate belongs to;
a console the live (or next) sitting its person chairs or clerks; a hall
display its own kiosk page, which follows whatever sitting the display is set to.
"""

from datetime import datetime, time

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from meeting.models import Body, Sitting

from . import permissions

TERMINAL_PATH = "/sitting/%d/terminal/"
CONSOLE_PATH = "/sitting/%d/console/"
DISPLAY_PATH = "/display/"


def _by_relevance(qs):
    """Live first; then scheduled sittings from today (local) on, soonest first; then older scheduled ones."""
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return qs.exclude(status=Sitting.Status.CLOSED).annotate(
        rank=Case(
            When(status=Sitting.Status.LIVE, then=Value(0)),
            When(starts_at__gte=today, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "starts_at", "pk")


def terminal_sitting(user) -> Sitting | None:
    member = getattr(user, "member", None)
    if member is None:
        return None
    bodies = member.memberships.filter(active=True).values_list("body_id", flat=True)
    found = _by_relevance(Sitting.objects.filter(body_id__in=bodies)).first()
    if found is None and member.kind != member.Kind.DELEGATE:
        # Invited delegates and guests are often members of no body: the council's own sittings.
        found = _by_relevance(Sitting.objects.filter(body__kind=Body.Kind.PLENARY)).first()
    return found


def console_sitting(user) -> Sitting | None:
    qs = Sitting.objects.all()
    if not permissions.is_office_staff(user):
        qs = qs.filter(Q(chair=user) | Q(secretary=user))
    return _by_relevance(qs).first()


def landing_path(purpose: str, user=None) -> str:
    if purpose == "display":
        return DISPLAY_PATH
    sitting = console_sitting(user) if purpose == "console" else terminal_sitting(user)
    if sitting is None:
        return reverse("home")
    return (CONSOLE_PATH if purpose == "console" else TERMINAL_PATH) % sitting.pk
