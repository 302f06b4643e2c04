"""The daily deadline job: reminders before a step's due date, escalation after it.

`run_daily` is the job; the management command `petitions_daily` and the
django-tasks task `daily` both call it. It is idempotent: each deadline is
reminded once (Deadline.reminded_at) and escalated once (Deadline.escalated_at),
claimed by a conditional UPDATE before anything is sent, so running it twice
a day — or twice at once — sends nothing twice. A failed send releases its
claim, so the next run tries again.

Emails name a case by its tracking code, its kind, its summary (subject) and
the step: never the sender — a denouncer's identity never leaves the register.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from . import deadlines

CHUNK = 500
MAX_LINES = 200  # cases listed in one email; the link shows them all


@task()
def daily() -> dict:
    """The daily job as a background task (django-tasks database backend)."""
    return run_daily()


def run_daily(today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """Send the day's reminders and escalations. Returns counts."""
    from .models import Deadline

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    soon = today + dt.timedelta(days=settings.PETITION_REMIND_DAYS)
    with translation.override(settings.LANGUAGE_CODE):
        resynced = deadlines.resync_session_deadlines()
        open_ = Deadline.objects.filter(met_at__isnull=True).exclude(case__status__in=deadlines.FINISHED_STATUSES)
        reminded = _process(open_.filter(reminded_at__isnull=True, due_on__gte=today, due_on__lte=soon),
                            "reminded_at", now, today, _send_reminders)
        escalated = _process(open_.filter(escalated_at__isnull=True, due_on__lt=today),
                             "escalated_at", now, today, _send_escalations)
        # Agencies whose email or webhook failed when a case was forwarded get it again.
        from .notify import retry_failed

        renotified, still_failing = retry_failed()
    return {"reminded": reminded, "escalated": escalated, "resynced": resynced,
            "renotified": renotified, "still_failing": still_failing}


def _process(queryset, mark: str, now, today, send) -> int:
    """Claim the rows of `queryset` (mark = now), then send one message per agency; a failed
    send releases its group's claim (the next run retries it) and is raised at the end."""
    from .models import Deadline

    ids = list(queryset.order_by("id").values_list("id", flat=True))
    by_agency = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        Deadline.objects.filter(pk__in=chunk, **{f"{mark}__isnull": True}).update(**{mark: now})
        # Only the rows this run claimed (another run may have claimed some first).
        for deadline in (Deadline.objects.filter(pk__in=chunk, **{mark: now})
                         .select_related("case", "case__agency", "case__agency__head")):
            # The office's own steps (its notices to the denouncer and the accused) are the office's,
            # even on a case forwarded to an agency.
            owner = None if deadline.step in deadlines.OFFICE_STEPS else deadline.case.agency
            by_agency[owner].append(deadline)
    staff = staff_emails()
    done, failure = 0, None
    for agency, group in by_agency.items():
        group.sort(key=lambda d: (d.due_on, d.pk))
        try:
            send(agency, group, today, staff)
        except Exception as exc:  # noqa: BLE001 — released, retried next run, raised below
            Deadline.objects.filter(pk__in=[d.pk for d in group], **{mark: now}).update(**{mark: None})
            failure = failure or exc
            continue
        done += len(group)
    if failure is not None:
        raise failure
    return done


# ---- recipients ---------------------------------------------------------------------

def staff_emails() -> list[str]:
    """Petition staff (accounts.permissions.is_petition_staff) with an email address."""
    from accounts.permissions import holders_of

    return sorted(set(holders_of("petitions.handle_cases").exclude(email="").values_list("email", flat=True)))


def desk_emails(agency) -> list[str]:
    """The agency's own address and its desk users'."""
    emails = set(agency.members.filter(user__is_active=True).exclude(user__email="")
                 .values_list("user__email", flat=True))
    if agency.email:
        emails.add(agency.email)
    return sorted(emails)


# ---- messages -----------------------------------------------------------------------

def _link(name: str, query: str = "") -> str:
    try:
        from .services import public_url

        return public_url(reverse(name) + query)
    except NoReverseMatch:
        return ""


def _lines(group, today) -> list[str]:
    out = []
    for d in group[:MAX_LINES]:
        case = d.case
        days = (d.due_on - today).days
        if days >= 0:
            when = _("còn %(n)s ngày") % {"n": days}
        else:
            when = _("quá hạn %(n)s ngày") % {"n": -days}
        out.append(_("- %(code)s [%(kind)s] %(subject)s\n  Bước: %(step)s — hạn %(due)s (%(when)s)") % {
            "code": case.tracking_code, "kind": case.get_kind_display(), "subject": case.subject,
            "step": deadlines.step_label(d.step), "due": d.due_on.strftime("%d/%m/%Y"), "when": when})
    if len(group) > MAX_LINES:
        out.append(_("… và %(n)s đơn khác (xem trên sổ theo dõi).") % {"n": len(group) - MAX_LINES})
    return out


def _send(subject: str, intro: str, group, today, to: list[str], agency, due: str) -> None:
    if not to:
        return
    query = f"?agency={agency.pk}&due={due}" if agency else f"?due={due}"
    link = _link("petitions:register", query) or _link("petitions:dashboard")
    body = "\n\n".join([intro, "\n".join(_lines(group, today)), link,
                        _("Thư này được gửi tự động từ sổ theo dõi đơn thư; không trả lời thư này.")])
    EmailMessage(subject=subject, body=body, to=to).send()


def _send_reminders(agency, group, today, staff) -> None:
    to = desk_emails(agency) if agency else staff
    where = agency.name if agency else _("Văn phòng")
    subject = _("[Nhắc hạn] %(n)s đơn thư sắp đến hạn xử lý — %(where)s") % {"n": len(group), "where": where}
    intro = _("Các đơn thư, kiến nghị sau sắp đến hạn xử lý theo quy định:")
    _send(subject, intro, group, today, to, agency, "soon")


def _send_escalations(agency, group, today, staff) -> None:
    from accounts.permissions import Actor
    from audit.services import record

    to = set(staff)
    if agency and agency.head and agency.head.is_active and agency.head.email:
        to.add(agency.head.email)
    where = agency.name if agency else _("Văn phòng")
    subject = _("[Quá hạn] %(n)s đơn thư đã quá hạn xử lý — %(where)s") % {"n": len(group), "where": where}
    intro = _("Các đơn thư, kiến nghị sau đã quá thời hạn xử lý theo quy định và được báo cáo "
              "người đứng đầu cơ quan và bộ phận theo dõi đơn thư:")
    _send(subject, intro, group, today, sorted(to), agency, "overdue")
    # One audit row per escalation sent: which steps of which cases, to how many people.
    record(Actor(role="system"), "petitions.deadline_escalated", detail={
        "agency": agency.pk if agency else None, "recipients": len(to),
        "deadlines": [{"deadline": d.pk, "case": d.case_id, "tracking_code": d.case.tracking_code, "step": d.step,
                       "due_on": d.due_on.isoformat()} for d in group]})
