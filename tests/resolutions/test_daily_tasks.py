"""The daily job of the resolutions' tasks (resolutions.tasks.run_daily, manage.py resolutions_daily):
a reminder to the task's desks before its due date, an escalation to the lead agency's head and the
office's resolution staff once it is overdue — each once, a rerun sending nothing, a failed mail
sent again on the next run.

People: `agent` (Sở Tài chính, lead) and `co_agent` (Sở Giáo dục, co-operating) get reminders;
Sở Tài chính's director `head` and `manager` (office) get escalations; `other_agent` (Sở Y tế) nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from audit.models import AuditRecord
from resolutions import services_tasks
from resolutions.models import Task
from resolutions.tasks import run_daily
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import make_task, make_user

DUE = dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RESOLUTION_TASK_REMIND_DAYS = 7


@pytest.fixture
def addressed(people, co_agent, finance):
    for name in ("agent", "other_agent", "manager", "clerk", "stranger"):
        people[name].email = f"{name}@example.vn"
        people[name].save()
    co_agent.email = "co_agent@example.vn"
    co_agent.save()
    head = make_user("head")
    head.email = "giamdoc@stc.example.vn"
    head.save()
    finance.head = head
    finance.email = "vanthu@stc.example.vn"
    finance.save()
    return people


def recipients(message) -> set[str]:
    return set(message.to)


def test_a_task_due_within_the_days_is_reminded_to_its_desks(addressed, task):
    counts = run_daily(today=DUE - dt.timedelta(days=7))
    assert counts == {"reminded": 1, "escalated": 0}
    (message,) = mail.outbox
    assert recipients(message) == {"agent@example.vn", "vanthu@stc.example.vn", "co_agent@example.vn"}
    assert "Hỗ trợ học phí" in message.body and "31/12/2026" in message.body and "/agency/tasks/" in message.body
    assert Task.objects.get(pk=task.pk).reminded_at is not None


def test_a_task_not_yet_due_within_the_days_is_not_reminded(addressed, task):
    assert run_daily(today=DUE - dt.timedelta(days=8)) == {"reminded": 0, "escalated": 0}
    assert not mail.outbox


def test_a_reminder_goes_once(addressed, task):
    run_daily(today=DUE - dt.timedelta(days=7))
    assert run_daily(today=DUE - dt.timedelta(days=6)) == {"reminded": 0, "escalated": 0}
    assert len(mail.outbox) == 1


def test_an_overdue_task_is_escalated_once_to_the_head_and_the_office(addressed, task):
    counts = run_daily(today=DUE + dt.timedelta(days=1))
    assert counts == {"reminded": 0, "escalated": 1}
    (message,) = mail.outbox
    assert recipients(message) == {"giamdoc@stc.example.vn", "manager@example.vn"}
    assert "quá hạn 1 ngày" in message.body
    record = AuditRecord.objects.get(action="resolutions.task_escalated")
    assert record.detail["tasks"] == [{"task": task.pk, "due_on": "2026-12-31"}]
    assert run_daily(today=DUE + dt.timedelta(days=2)) == {"reminded": 0, "escalated": 0}
    assert len(mail.outbox) == 1


def test_a_done_or_cancelled_task_is_neither_reminded_nor_escalated(addressed, task):
    services_tasks.cancel_task(addressed["manager"], task, "Không còn phù hợp")
    assert run_daily(today=DUE + dt.timedelta(days=1)) == {"reminded": 0, "escalated": 0}
    assert not mail.outbox


def test_tasks_of_the_same_agencies_share_one_mail_and_others_get_their_own(addressed, task, adopted, finance, health):
    make_task(addressed["manager"], adopted, finance, title="Quyết toán kinh phí", due_on=DUE - dt.timedelta(days=1))
    make_task(addressed["manager"], adopted, health, title="Khám sức khỏe học sinh", due_on=DUE)
    assert run_daily(today=DUE - dt.timedelta(days=3))["reminded"] == 3
    assert len(mail.outbox) == 3  # finance + education; finance alone; health
    health_mail = next(m for m in mail.outbox if "Sở Y tế" in m.subject)
    assert recipients(health_mail) == {"other_agent@example.vn"}
    assert "Hỗ trợ học phí" not in health_mail.body


def test_a_failed_mail_is_sent_again_on_the_next_run(addressed, task, monkeypatch):
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("SMTP down")))
    with pytest.raises(OSError):
        run_daily(today=DUE - dt.timedelta(days=2))
    assert Task.objects.get(pk=task.pk).reminded_at is None
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert run_daily(today=DUE - dt.timedelta(days=2))["reminded"] == 1
    assert len(mail.outbox) == 1


def test_the_command_runs_as_of_the_date_given(addressed, task):
    out = StringIO()
    call_command("resolutions_daily", "--date", "2027-01-05", stdout=out)
    assert out.getvalue().strip() == "reminded=0 escalated=1"
    assert "quá hạn 5 ngày" in mail.outbox[0].body


def test_the_command_refuses_a_date_it_cannot_read(addressed):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("resolutions_daily", "--date", "31/12/2026")


def test_the_background_task_runs_the_same_job(addressed, task):
    from resolutions.tasks import daily

    Task.objects.filter(pk=task.pk).update(due_on=dt.date(2020, 1, 1))
    assert daily.call() == {"reminded": 0, "escalated": 1}
