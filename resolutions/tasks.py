"""The daily job of the resolutions' tasks: a reminder before a task's due date, an escalation after it.

`run_daily` is the job; the management command `resolutions_daily` and the django-tasks task
`daily` both call it. As petitions/tasks.py does for letters' deadlines:

- an open task due within RESOLUTION_TASK_REMIND_DAYS (today included) is reminded once
  (Task.reminded_at): one e-mail to the desks (the agency's address and its desk users,
  petitions.tasks.desk_emails) of its lead and co-operating agencies;
- an open task past its due date is escalated once (Task.escalated_at): one e-mail to the lead
  agency's head and the office's resolution staff, and an audit record;
- each task is claimed by a conditional UPDATE before anything is sent, so two runs (even at
  once) never send twice; a failed send releases its group's claim, so the next run tries again,
  and the failure is raised after the other groups were sent.

A task whose due date the office moves (services_tasks.edit_task) is reminded and escalated
again for the new date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from petitions.tasks import desk_emails

CHUNK = 500
MAX_LINES = 200  # tasks listed in one e-mail; the link shows them all


@task()
def daily() -> dict:
    """The daily job as a background task (django-tasks database backend)."""
    return run_daily()


def run_daily(today: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    """Send the day's reminders and escalations of resolution tasks. Returns counts."""
    from .models import Task

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    soon = today + dt.timedelta(days=settings.RESOLUTION_TASK_REMIND_DAYS)
    open_ = Task.objects.filter(status=Task.Status.OPEN)
    with translation.override(settings.LANGUAGE_CODE):
        reminded = _process(open_.filter(reminded_at__isnull=True, due_on__gte=today, due_on__lte=soon),
                            "reminded_at", now, today, _remind, _desks)
        escalated = _process(open_.filter(escalated_at__isnull=True, due_on__lt=today),
                             "escalated_at", now, today, _escalate, lambda t: t.lead_agency_id)
    return {"reminded": reminded, "escalated": escalated}


def _desks(task) -> tuple:
    """A reminder's group: the same lead and co-operating agencies (so a mail lists only their tasks)."""
    return (task.lead_agency_id, *sorted(a.pk for a in task.co_agencies.all()))


def _process(queryset, mark: str, now, today, send, group_of) -> int:
    from .models import Task

    ids = list(queryset.order_by("id").values_list("id", flat=True))
    groups = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        Task.objects.filter(pk__in=chunk, **{f"{mark}__isnull": True}).update(**{mark: now})
        # Only the rows this run claimed (another run may have claimed some first).
        for t in (Task.objects.filter(pk__in=chunk, **{mark: now})
                  .select_related("lead_agency", "lead_agency__head", "resolution").prefetch_related("co_agencies")):
            groups[group_of(t)].append(t)
    staff = staff_emails()
    done, failure = 0, None
    for group in groups.values():
        group.sort(key=lambda t: (t.due_on, t.pk))
        try:
            send(group, today, staff)
        except Exception as exc:  # noqa: BLE001 — released, retried next run, raised below
            Task.objects.filter(pk__in=[t.pk for t in group], **{mark: now}).update(**{mark: None})
            failure = failure or exc
            continue
        done += len(group)
    if failure is not None:
        raise failure
    return done


def staff_emails() -> list[str]:
    """The office's resolution staff (accounts.permissions.may_manage_resolutions) with an address."""
    from accounts.permissions import holders_of

    return sorted(set(holders_of("resolutions.manage_resolutions").exclude(email="").values_list("email", flat=True)))


def _lines(group, today) -> list[str]:
    out = []
    for t in group[:MAX_LINES]:
        days = (t.due_on - today).days
        when = _("còn %(n)s ngày") % {"n": days} if days >= 0 else _("quá hạn %(n)s ngày") % {"n": -days}
        origin = t.resolution.number or t.resolution.title[:80] if t.resolution_id else ""
        out.append(_("- %(title)s%(origin)s\n  Chủ trì: %(lead)s — hạn %(due)s (%(when)s)") % {
            "title": t.title, "origin": f" [{origin}]" if origin else "", "lead": t.lead_agency.name,
            "due": t.due_on.strftime("%d/%m/%Y"), "when": when})
    if len(group) > MAX_LINES:
        out.append(_("… và %(n)s nhiệm vụ khác.") % {"n": len(group) - MAX_LINES})
    return out


def _link(name: str, query: str = "") -> str:
    from petitions.services import public_url

    return public_url(reverse(name) + query)


def _send(subject, intro, group, today, to, link) -> None:
    if not to:
        return
    body = "\n\n".join([intro, "\n".join(_lines(group, today)), link,
                        _("Thư này được gửi tự động từ hệ thống theo dõi thực hiện nghị quyết; không trả lời thư này.")])
    EmailMessage(subject=subject, body=body, to=to).send()


def _remind(group, today, staff) -> None:
    first = group[0]
    to = set(desk_emails(first.lead_agency))
    for agency in first.co_agencies.all():
        to.update(desk_emails(agency))
    subject = _("[Nhắc hạn] %(n)s nhiệm vụ thực hiện nghị quyết sắp đến hạn — %(where)s") % {
        "n": len(group), "where": first.lead_agency.name}
    intro = _("Các nhiệm vụ thực hiện nghị quyết sau sắp đến hạn; xin cập nhật tiến độ trên trang của cơ quan:")
    _send(subject, intro, group, today, sorted(to), _link("resolutions:desk"))


def _escalate(group, today, staff) -> None:
    from accounts.permissions import Actor
    from audit.services import record

    agency = group[0].lead_agency
    to = set(staff)
    if agency.head and agency.head.is_active and agency.head.email:
        to.add(agency.head.email)
    subject = _("[Quá hạn] %(n)s nhiệm vụ thực hiện nghị quyết đã quá hạn — %(where)s") % {
        "n": len(group), "where": agency.name}
    intro = _("Các nhiệm vụ thực hiện nghị quyết sau đã quá thời hạn và được báo cáo người đứng đầu cơ quan "
              "chủ trì và bộ phận theo dõi nghị quyết của Văn phòng:")
    _send(subject, intro, group, today, sorted(to), _link("resolutions:tasks", f"?agency={agency.pk}&due=overdue"))
    record(Actor(role="system"), "resolutions.task_escalated", detail={
        "agency": agency.pk, "recipients": len(to),
        "tasks": [{"task": t.pk, "due_on": t.due_on.isoformat()} for t in group]})
