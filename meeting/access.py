"""What accounts asks of the meeting module (accounts.providers; the rules stay in
accounts.permissions): who chairs or clerks which sitting, the pairing form's member field and
console candidates, and where a paired terminal or console goes. Registered from
MeetingConfig.ready(), so the core imports nothing of meeting.
"""

from datetime import datetime, time

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions, providers

from .models import Body, Member, Sitting

TERMINAL_PATH = "/sitting/%d/terminal/"
CONSOLE_PATH = "/sitting/%d/console/"

# The sitting roles of the project (accounts.permissions.ACTIONS): registered by this module.
STAFF = (permissions.CHAIR, permissions.SECRETARY)
ACTIONS = {
    "sitting.open": STAFF,
    "sitting.close": STAFF,
    "sitting.reopen": STAFF,
    "sitting.announce": STAFF,
    "attendance.self": (permissions.DELEGATE, permissions.GUEST),
    "attendance.mark": STAFF,
    "attendance.roll_call": STAFF,
}


# ---- facts for the permission rules ---------------------------------------------

def runs_open_sitting(user) -> bool:
    """The user chairs or clerks a sitting that is not closed (accounts.permissions.may_use_console)."""
    return Sitting.objects.exclude(status=Sitting.Status.CLOSED).filter(Q(chair=user) | Q(secretary=user)).exists()


def runs_session(user, session_id) -> bool:
    return Sitting.objects.filter(session_id=session_id).filter(Q(chair=user) | Q(secretary=user)).exists()


def sessions_run_by(user):
    return Sitting.objects.filter(Q(chair=user) | Q(secretary=user), session__isnull=False).values("session_id")


# ---- the pairing form -------------------------------------------------------------

class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, m):
        seat = f" — {_('ghế')} {m.seat.label}" if m.seat_id else ""
        return f"{m.code} — {m.full_name}{seat}"


def member_field(pairable_users):
    """The members whose terminal may be paired: those whose account is in `pairable_users`."""
    return MemberChoice(label=gettext_lazy("đại biểu"), required=False,
                        queryset=Member.objects.filter(user__in=pairable_users).select_related("seat").order_by("code"))


def console_people():
    """Chairs and secretaries of sittings not closed yet (a Q over users)."""
    open_sittings = ~Q(status=Sitting.Status.CLOSED)
    chairs = Sitting.objects.filter(open_sittings).values_list("chair_id", flat=True)
    secretaries = Sitting.objects.filter(open_sittings).values_list("secretary_id", flat=True)
    return Q(pk__in=chairs) | Q(pk__in=secretaries)


# ---- where a paired device goes ---------------------------------------------------

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


def terminal_path(user) -> str | None:
    sitting = terminal_sitting(user)
    return TERMINAL_PATH % sitting.pk if sitting else None


def console_path(user) -> str | None:
    sitting = console_sitting(user)
    return CONSOLE_PATH % sitting.pk if sitting else None


def register():
    for action, roles in ACTIONS.items():
        permissions.register_action(action, roles)
    providers.provide("sittings.runs_open", runs_open_sitting)
    providers.provide("sittings.runs_session", runs_session)
    providers.provide("sittings.sessions_run_by", sessions_run_by)
    providers.provide("pairing.member_field", member_field)
    providers.provide("pairing.console_people", console_people)
    providers.provide("landing.terminal", terminal_path)
    providers.provide("landing.console", console_path)
