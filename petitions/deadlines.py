"""Statutory deadlines: how long each step of a case may take, and when it is due.

The time limits are data (petitions.models.DeadlineRule, seeded by migrations
0002 and 0009b with the law, article and clause each comes from, and whether
that source was verified); this module only counts. A case follows the rule
valid on the day it was received (`open_step`), whichever day a later step
starts: a law in force from 1/7/2026 governs the cases received from then on.

How days are counted (the convention of the whole register)
----------------------------------------------------------
The laws on complaints (02/2011/QH13), denunciations (25/2018/QH14) and
citizen reception (42/2013/QH13) set limits "trong thời hạn N ngày [làm việc],
kể từ ngày nhận được / ngày thụ lý" and define no counting rule of their own,
so the general rules of the Civil Code 2015 (91/2015/QH13) apply — art. 145(1):
its way of counting time limits applies unless the parties agree otherwise or a
law provides otherwise:

- art. 147(3): a period that starts with an event — receipt, acceptance — does
  not count the day of the event; it starts on the next day. So 10 days from
  a receipt on the 3rd ends on the 13th.
- art. 148(1): a period in days ends at the end of its last day.
- art. 148(5): if that last day is a weekly rest day or a public holiday, the
  period ends at the end of the next working day.

A period in *working days* (Law on Denunciations art. 24, 29) counts only
working days, starting with the first working day after the event: Monday to
Friday, minus public holidays (`Holiday`: Labour Code 2019 art. 112(1), and a
day off in lieu when a holiday falls on a weekly rest day, art. 111(3)), plus
any Saturday or Sunday the government has declared a working day to make up for
a bridged holiday (`WorkingWeekend`). Its last day is a working day by
construction.

The calendar says how far it is known: each day has a status (official,
provisional — counted but not yet announced —, unverified or off — not
counted) and a source, and each year a `CalendarYear` row, confirmed once the
year's notices are in. `calendar_doubts` names what a deadline was counted over
without being sure of it; `calendar_warning` tells the office when the next 12
months reach into a year that is not confirmed.

Extensions (gia hạn) add `extension_days` per extension, counted in the same
unit, to the original period; art. 148(5) applies to the extended end.
A denunciation's acceptance takes 10 working days instead of 7 only on the
ground art. 24(1) names: it must be checked at several places
(`Case.multi_site`, the rule's `days_multi_site`), not because it is complex.

Extensions exist only for complex cases (Law on Denunciations art. 30): a
"complex" case may be extended once, a "very complex" one up to the rule's
`max_extensions` (two for denunciations: 30 + 30 + 30 = 90 days at most).

Voters' petitions (unit "before_next_session") are answered before, and
reported at, the council's **next regular session** — the regular plenary
session after the one they were collected for (a voter-contact meeting before
or after session X: reported at the regular session after X). They are due
`VOTER_PETITION_ANSWER_WORKING_DAYS` working days (a setting, default 10)
before that session opens, counted back from the opening day, which does not
count: 10 working days before a session opening on Tuesday 6/7/2027 is Tuesday
22/6/2027. While no such session is scheduled, the rule's `days` apply as
calendar days from the meeting (the daily resync moves the date once one is).
No text fixing that number of days was confirmed here (see docs/petitions.md:
unverified, the office's practice). This replaced "the day before the next
plenary session opens" (issue 12, item 4), which made petitions collected on
12/11 for a session opening 2/12 due on 1/12, before that very session.

The core (everything down to `extend`) is pure: dates in, dates out, no
database. The helpers at the bottom load rules, calendars and sessions and are
what petitions.services calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.operations import ServiceError

NORMAL, COMPLEX, VERY_COMPLEX = "normal", "complex", "very_complex"
DAYS, WORKING_DAYS, BEFORE_NEXT_SESSION = "days", "working_days", "before_next_session"

# The step each kind of case starts with (opened by petitions.services.submit).
FIRST_STEP = {
    "complaint": "complaint.accept",
    "denunciation": "denunciation.accept",
    "petition": "petition.answer",
    "feedback": "petition.answer",
    "voter_petition": "voter_petition.answer",
}

# What each step is called on pages and in emails.
STEP_LABELS = {
    "complaint.accept": gettext_lazy("Thụ lý khiếu nại"),
    "complaint.first_instance": gettext_lazy("Giải quyết khiếu nại lần đầu"),
    "complaint.second_instance": gettext_lazy("Giải quyết khiếu nại lần hai"),
    "denunciation.accept": gettext_lazy("Xử lý ban đầu, thụ lý tố cáo"),
    "denunciation.notify": gettext_lazy("Thông báo thụ lý tố cáo"),
    "denunciation.resolve": gettext_lazy("Giải quyết tố cáo"),
    "denunciation.forward": gettext_lazy("Chuyển tố cáo không thuộc thẩm quyền"),
    "denunciation.forward_notice": gettext_lazy("Thông báo việc chuyển tố cáo cho người tố cáo"),
    "denunciation.notify_accused": gettext_lazy("Thông báo nội dung tố cáo cho người bị tố cáo"),
    "petition.answer": gettext_lazy("Xử lý kiến nghị, phản ánh"),
    "voter_petition.answer": gettext_lazy("Trả lời kiến nghị cử tri"),
}


# Steps the office itself must take, whoever the case is forwarded to (reminders go to the office).
OFFICE_STEPS = frozenset({"denunciation.notify", "denunciation.forward", "denunciation.forward_notice",
                          "denunciation.notify_accused"})


def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


# Cases in these statuses are finished: no reminders, not counted as open.
FINISHED_STATUSES = frozenset({"published", "guided", "not_eligible", "duplicate", "withdrawn", "closed"})


class DeadlineError(ServiceError):
    """A refused deadline operation; codes: no_rule, no_open_step, extension_refused, no_session."""


@dataclass(frozen=True)
class Calendar:
    """Public holidays (days off) and worked weekend days."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    working_weekends: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        return is_working_day(day, self.holidays, self.working_weekends)


EMPTY_CALENDAR = Calendar()


# ---- counting (pure) ---------------------------------------------------------------

def is_working_day(day: dt.date, holidays=frozenset(), working_weekends=frozenset()) -> bool:
    if day in holidays:
        return False
    if day.weekday() >= 5:
        return day in working_weekends
    return True


def next_working_day(day: dt.date, holidays=frozenset(), working_weekends=frozenset()) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it (Civil Code art. 148(5))."""
    while not is_working_day(day, holidays, working_weekends):
        day += dt.timedelta(days=1)
    return day


def add_days(start: dt.date, n: int) -> dt.date:
    """The last day of a period of `n` calendar days after the event on `start`.

    The event's day does not count (Civil Code art. 147(3)): add_days(3 March, 10) is 13 March.
    Pure arithmetic: the move past a holiday (art. 148(5)) is `due_date`'s job."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return start + dt.timedelta(days=n)


def working_days_before(day: dt.date, n: int, holidays=frozenset(), working_weekends=frozenset()) -> dt.date:
    """The `n`th working day before `day` (`day` itself never counts). n = 0 returns `day`."""
    if n < 0:
        raise ValueError("n must be >= 0")
    while n:
        day -= dt.timedelta(days=1)
        if is_working_day(day, holidays, working_weekends):
            n -= 1
    return day


def add_working_days(start: dt.date, n: int, holidays=frozenset(), working_weekends=frozenset()) -> dt.date:
    """The `n`th working day after the event on `start` (the event's day never counts, even if
    it is a working day). n = 0 returns `start`."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    while n:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays, working_weekends):
            n -= 1
    return day


def _is_complex(complexity: str) -> bool:
    return complexity in (COMPLEX, VERY_COMPLEX)


def limit_days(rule, complexity: str = NORMAL, remote: bool = False, multi_site: bool = False) -> int:
    """The time limit (in the rule's unit) for a case of this complexity, in a remote area or not,
    to be checked at several places or not.

    A column left empty falls back: remote + complex uses `days_remote_complex`, else the longer
    of `days_complex` and `days_remote`; remote uses `days_remote`, complex `days_complex`;
    otherwise `days`. `multi_site` uses `days_multi_site` (when the rule has it) if longer."""
    base = _limit(rule, complexity, remote)
    extra = getattr(rule, "days_multi_site", None)
    if multi_site and extra is not None:
        return max(base, extra)
    return base


def _limit(rule, complexity, remote):
    complex_ = _is_complex(complexity)
    if remote and complex_:
        if rule.days_remote_complex is not None:
            return rule.days_remote_complex
        others = [d for d in (rule.days_complex, rule.days_remote) if d is not None]
        return max(others) if others else rule.days
    if remote and rule.days_remote is not None:
        return rule.days_remote
    if complex_ and rule.days_complex is not None:
        return rule.days_complex
    return rule.days


def allowed_extensions(rule, complexity: str = NORMAL) -> int:
    """How many times this step may be extended: never for a normal case, once for a complex
    one, up to `max_extensions` for a very complex one (Law on Denunciations art. 30)."""
    if not rule.extension_days:
        return 0
    wanted = {NORMAL: 0, COMPLEX: 1, VERY_COMPLEX: rule.max_extensions}.get(complexity, 0)
    return min(wanted, rule.max_extensions)


def due_date(rule, start: dt.date, *, complexity: str = NORMAL, remote: bool = False, extensions: int = 0,
             calendar: Calendar = EMPTY_CALENDAR, session_start: dt.date | None = None,
             multi_site: bool = False, lead_working_days: int = 0) -> dt.date:
    """The last day of the step that started on `start` (receipt, acceptance…), after `extensions`.

    `session_start`: for "before_next_session" rules, the opening day of the session the answers
    are reported at (None: none scheduled yet, the rule's `days` apply); the step is due
    `lead_working_days` working days before it (0: the working day before it)."""
    if extensions < 0:
        raise ValueError("extensions must be >= 0")
    if rule.unit == BEFORE_NEXT_SESSION:
        if session_start is not None:
            return working_days_before(session_start, max(lead_working_days, 1), calendar.holidays,
                                       calendar.working_weekends)
        return next_working_day(add_days(start, rule.days), calendar.holidays, calendar.working_weekends)
    n = limit_days(rule, complexity, remote, multi_site) + extensions * (rule.extension_days or 0)
    if rule.unit == WORKING_DAYS:
        return add_working_days(start, n, calendar.holidays, calendar.working_weekends)
    return next_working_day(add_days(start, n), calendar.holidays, calendar.working_weekends)


def extend(rule, start: dt.date, *, complexity: str = NORMAL, remote: bool = False, extensions: int = 0,
           calendar: Calendar = EMPTY_CALENDAR, multi_site: bool = False) -> tuple[int, dt.date]:
    """One more extension of a step already extended `extensions` times: (new count, new due date).
    Refuses (DeadlineError "extension_refused") beyond what the rule allows for this complexity."""
    allowed = allowed_extensions(rule, complexity)
    if extensions >= allowed:
        if allowed == 0:
            message = _("Thời hạn của bước này không được gia hạn (chỉ gia hạn khi vụ việc phức tạp).")
        else:
            message = _("Đã gia hạn đủ %(n)s lần theo quy định; không được gia hạn thêm.") % {"n": allowed}
        raise DeadlineError("extension_refused", message)
    n = extensions + 1
    return n, due_date(rule, start, complexity=complexity, remote=remote, extensions=n, calendar=calendar,
                       multi_site=multi_site)


# ---- database helpers (what petitions.services calls) ------------------------------

def calendar() -> Calendar:
    """The holiday calendar as stored (petitions.Holiday, petitions.WorkingWeekend): the days whose
    status is counted (official or provisional; not unverified or off)."""
    from .models import COUNTED_STATUSES, Holiday, WorkingWeekend

    return Calendar(frozenset(Holiday.objects.filter(status__in=COUNTED_STATUSES).values_list("date", flat=True)),
                    frozenset(WorkingWeekend.objects.filter(status__in=COUNTED_STATUSES)
                              .values_list("date", flat=True)))


def unconfirmed_years(first: int, last: int) -> list[int]:
    """The years from `first` to `last` whose calendar is not confirmed (no CalendarYear row, or not confirmed)."""
    from .models import CalendarYear

    known = set(CalendarYear.objects.filter(year__gte=first, year__lte=last, confirmed=True)
                .values_list("year", flat=True))
    return [year for year in range(first, last + 1) if year not in known]


def calendar_doubts(start: dt.date, end: dt.date) -> list[str]:
    """What a period after `start` up to `end` was counted over without being sure of it: years
    without a confirmed calendar, days off or worked weekend days that are provisional (counted)
    or unverified (not counted). Empty: the period rests on announced days only."""
    from .models import CalendarStatus, Holiday, WorkingWeekend

    if end <= start:
        return []
    doubts = []
    years = unconfirmed_years(start.year, end.year)
    if years:
        doubts.append(_("năm %(years)s chưa có lịch nghỉ chính thức") % {"years": ", ".join(map(str, years))})
    for model, label in ((Holiday, _("ngày nghỉ")), (WorkingWeekend, _("ngày làm bù"))):
        rows = (model.objects.filter(date__gt=start, date__lte=end,
                                     status__in=(CalendarStatus.PROVISIONAL, CalendarStatus.UNVERIFIED))
                .order_by("date"))
        for row in rows:
            state = _("dự kiến") if row.status == CalendarStatus.PROVISIONAL else _("chưa kiểm chứng, chưa tính")
            doubts.append(f"{label} {row.date.strftime('%d/%m/%Y')} ({state})")
    return doubts


def calendar_warning(today: dt.date) -> str:
    """A warning for the office when the next 12 months reach into a year whose calendar is not
    confirmed ("" when they do not)."""
    years = unconfirmed_years(today.year, (today + dt.timedelta(days=365)).year)
    if not years:
        return ""
    return _("Lịch nghỉ lễ chưa được xác nhận cho năm %(years)s: thời hạn tính qua những ngày đó có thể sai. "
             "Hãy cập nhật ngày nghỉ, ngày làm bù theo thông báo chính thức và đánh dấu năm đã xác nhận "
             "(Quản trị › Lịch nghỉ của năm).") % {"years": ", ".join(map(str, years))}


def case_rule_day(case) -> dt.date:
    """The day whose rules govern `case`: the day it was received (a voter's petition: the day of
    the meeting it was raised at)."""
    from django.utils import timezone

    if getattr(case, "meeting_id", None):
        return case.meeting.held_on
    return timezone.localdate(case.received_at) if case.received_at else timezone.localdate()


def rule_for(step: str, on: dt.date):
    """The rule for `step` valid on `on` (the newest valid_from not after it)."""
    from django.db.models import Q

    from .models import DeadlineRule

    rule = (DeadlineRule.objects.filter(step=step, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("-valid_from", "-id").first())
    if rule is None:
        raise DeadlineError("no_rule", _("Chưa có quy định thời hạn cho bước “%(step)s” áp dụng ngày %(on)s.")
                            % {"step": step, "on": on.strftime("%d/%m/%Y")})
    return rule


# ---- voters' petitions: the next regular session (issue 12, item 4) -------------------

def next_regular_session(after: dt.date):
    """The first regular plenary session of the council opening after `after` (None: none scheduled)."""
    from meeting.models import Body, Session

    return (Session.objects.filter(body__kind=Body.Kind.PLENARY, kind=Session.Kind.REGULAR, start_date__gt=after)
            .order_by("start_date", "pk").first())


def next_session_start(after: dt.date) -> dt.date | None:
    """The opening day of the first regular plenary session opening after `after`."""
    session = next_regular_session(after)
    return session.start_date if session else None


def report_session(collected_for):
    """The session at which the answers to the petitions collected for `collected_for` are reported:
    the next regular plenary session after it."""
    return next_regular_session(collected_for.start_date)


def voter_petition_lead() -> int:
    from django.conf import settings

    return settings.VOTER_PETITION_ANSWER_WORKING_DAYS


def _counted_from(case, starts_on: dt.date) -> dt.date:
    """A voter's petition is reported at the regular session after the one it was collected for
    (its meeting's); one without a meeting, at the next after `starts_on`."""
    meeting = getattr(case, "meeting", None) if getattr(case, "meeting_id", None) else None
    return meeting.session.start_date if meeting is not None else starts_on


def _due_for(case, rule, starts_on, extensions, cal):
    session = next_session_start(_counted_from(case, starts_on)) if rule.unit == BEFORE_NEXT_SESSION else None
    return due_date(rule, starts_on, complexity=case.complexity, remote=case.remote_area,
                    extensions=extensions, calendar=cal, session_start=session, multi_site=case.multi_site,
                    lead_working_days=voter_petition_lead())


def open_step(case, step: str, starts_on: dt.date):
    """Start `step` of `case` on `starts_on` (the day of the event the law counts from), under the
    rule valid on the day the case was received. Idempotent: a step already open is returned as it is."""
    from .models import Deadline

    existing = case.deadlines.filter(step=step, met_at__isnull=True).first()
    if existing is not None:
        return existing
    rule = rule_for(step, case_rule_day(case))
    deadline = Deadline.objects.create(case=case, rule=rule, step=step, starts_on=starts_on,
                                       due_on=_due_for(case, rule, starts_on, 0, calendar()))
    refresh_case_due(case)
    return deadline


def switch_step(case, old: str, new: str):
    """The open `old` step becomes `new`, counted from the same day under the rule for `new` (a
    denunciation found outside competence: its 7 working days to accept become 5 to forward; a
    complaint set to second instance). Returns the deadline, or None if `old` was not open."""
    deadline = case.deadlines.filter(step=old, met_at__isnull=True).order_by("id").first()
    if deadline is None:
        return None
    deadline.step, deadline.rule = new, rule_for(new, case_rule_day(case))
    deadline.extensions = 0
    deadline.due_on = _due_for(case, deadline.rule, deadline.starts_on, 0, calendar())
    deadline.reminded_at = deadline.escalated_at = None
    deadline.save(update_fields=["step", "rule", "extensions", "due_on", "reminded_at", "escalated_at"])
    refresh_case_due(case)
    return deadline


def close_step(case, step: str, at: dt.datetime | None = None):
    """Mark the open `step` of `case` met (now, or `at`). Returns the deadline, or None if none was open."""
    from django.utils import timezone

    deadline = case.deadlines.filter(step=step, met_at__isnull=True).order_by("id").first()
    if deadline is None:
        return None
    deadline.met_at = at or timezone.now()
    deadline.save(update_fields=["met_at"])
    refresh_case_due(case)
    return deadline


def close_all(case, at: dt.datetime | None = None) -> int:
    """Close every open step (a case withdrawn, found not eligible, a duplicate…)."""
    from django.utils import timezone

    n = case.deadlines.filter(met_at__isnull=True).update(met_at=at or timezone.now())
    refresh_case_due(case)
    return n


def extend_step(case, step: str):
    """Extend the open `step` of `case` once more (DeadlineError when the rule does not allow it).
    Call inside the service's transaction: the row is locked."""
    from .models import Deadline

    deadline = (Deadline.objects.select_for_update().select_related("rule")
                .filter(case=case, step=step, met_at__isnull=True).order_by("id").first())
    if deadline is None:
        raise DeadlineError("no_open_step", _("Bước này không còn mở để gia hạn."))
    deadline.extensions, deadline.due_on = extend(
        deadline.rule, deadline.starts_on, complexity=case.complexity, remote=case.remote_area,
        extensions=deadline.extensions, calendar=calendar(), multi_site=case.multi_site)
    # The new due date gets its own reminder and, if missed, its own escalation.
    deadline.reminded_at = deadline.escalated_at = None
    deadline.save(update_fields=["extensions", "due_on", "reminded_at", "escalated_at"])
    refresh_case_due(case)
    return deadline


def recompute_open(case) -> int:
    """Recompute the open steps' due dates after the case's complexity or remote-area flag changed
    (classification). Returns how many changed."""
    cal = calendar()
    changed = 0
    for deadline in case.deadlines.filter(met_at__isnull=True).select_related("rule"):
        due = _due_for(case, deadline.rule, deadline.starts_on, deadline.extensions, cal)
        if due != deadline.due_on:
            deadline.due_on = due
            deadline.reminded_at = deadline.escalated_at = None
            deadline.save(update_fields=["due_on", "reminded_at", "escalated_at"])
            changed += 1
    refresh_case_due(case)
    return changed


def refresh_case_due(case):
    """Keep Case.due_on = the earliest open deadline (None when no step is open)."""
    from django.db.models import Min

    from .models import Case

    due = case.deadlines.filter(met_at__isnull=True).aggregate(d=Min("due_on"))["d"]
    Case.objects.filter(pk=case.pk).update(due_on=due)
    case.due_on = due
    return due


def resync_session_deadlines() -> int:
    """Open "before_next_session" deadlines follow the session calendar (a session scheduled
    or moved after the step opened), and so do the open forwardings of those cases
    (Transfer.due_on). Returns deadline rows changed."""
    from .models import Case, Deadline, Transfer

    open_ = Deadline.objects.filter(met_at__isnull=True, rule__unit=BEFORE_NEXT_SESSION)
    cal = calendar()
    lead = voter_petition_lead()
    changed = 0
    rules = {}
    groups = open_.values_list("rule_id", "starts_on", "case__meeting__session__start_date").distinct()
    for rule_id, starts_on, collected_for in groups:
        rule = rules.get(rule_id) or open_.filter(rule_id=rule_id).first().rule
        rules[rule_id] = rule
        due = due_date(rule, starts_on, calendar=cal, session_start=next_session_start(collected_for or starts_on),
                       lead_working_days=lead)
        rows = open_.filter(rule_id=rule_id, starts_on=starts_on, case__meeting__session__start_date=collected_for) \
            if collected_for else open_.filter(rule_id=rule_id, starts_on=starts_on, case__meeting__isnull=True)
        rows = rows.exclude(due_on=due)
        case_ids = list(rows.values_list("case_id", flat=True))
        if case_ids:
            changed += rows.update(due_on=due, reminded_at=None, escalated_at=None)
            Transfer.objects.filter(case_id__in=case_ids, status__in=OPEN_TRANSFER_STATUSES).update(due_on=due)
            for case in Case.objects.filter(pk__in=case_ids):
                refresh_case_due(case)
    return changed


# A forwarding still waiting for the agency's answer (petitions.models.Transfer.Status).
OPEN_TRANSFER_STATUSES = ("sent", "acknowledged", "clarification", "returned")


# ---- on time: the one definition (dashboard, statistics, session report) -------------------

def judged_steps(steps, today: dt.date, since: dt.date | None = None):
    """The steps of `steps` (a Deadline queryset) judged on time or late by `today`, and the filter
    that picks the on-time ones: (queryset, Q).

    A step is judged once it is met or its due date has passed: on time if met (local date) on or
    before its due date, late if met after it or still open after it. It belongs to the period
    from `since` on by the day it was judged: the day it was met when on time, its due date when
    late. A step met early whose due date is still ahead counts (it is done); one still open and
    not yet due does not (nothing is known yet)."""
    from django.db.models import F, Q
    from django.db.models.functions import TruncDate

    steps = steps.annotate(met_on=TruncDate("met_at"))
    on_time = Q(met_at__isnull=False, met_on__lte=F("due_on")) & Q(met_on__lte=today)
    late = Q(due_on__lt=today) & (Q(met_at__isnull=True) | Q(met_on__gt=F("due_on")))
    if since is not None:
        on_time &= Q(met_on__gte=since)
        late &= Q(due_on__gte=since)
    return steps.filter(on_time | late), on_time


def on_time_rate(on_time: int, judged: int) -> float | None:
    """Percent on time, one decimal (None when nothing was judged)."""
    return round(100.0 * on_time / judged, 1) if judged else None


def on_time_summary(steps, today: dt.date, since: dt.date | None = None) -> dict:
    """{judged, on_time, late, rate} for `steps` (one aggregate query)."""
    from django.db.models import Count

    judged, on_time_q = judged_steps(steps, today, since)
    row = judged.aggregate(judged=Count("id"), on_time=Count("id", filter=on_time_q))
    return {"judged": row["judged"], "on_time": row["on_time"], "late": row["judged"] - row["on_time"],
            "rate": on_time_rate(row["on_time"], row["judged"])}
