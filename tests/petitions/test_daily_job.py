"""The daily deadline job: a reminder before the due date, an escalation after it, each once.

People:
- the Department of Natural Resources (the agency): its desk address and its desk user Lan
  get reminders for the cases forwarded to it;
- its director (the agency head) is told when a case is overdue;
- Hoa, petition staff at the council office: told of every overdue case;
- the denouncer, Nguyễn Văn Tố: appears in no email, ever.
"""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditRecord
from petitions import codes
from petitions.models import Agency, AgencyMember, Case, Deadline, DeadlineRule, Identity
from petitions.tasks import run_daily

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PETITION_REMIND_DAYS = 3


@pytest.fixture
def people(db):
    User = get_user_model()
    head = User.objects.create_user("giamdoc", email="giamdoc@stnmt.example")
    lan = User.objects.create_user("lan", email="lan@stnmt.example")
    hoa = User.objects.create_user("hoa", email="hoa@hdnd.example")
    hoa.user_permissions.add(Permission.objects.get(codename="handle_cases"))
    User.objects.create_user("khach", email="khach@example.com")  # no right: never written to
    agency = Agency.objects.create(name="Sở Tài nguyên và Môi trường", kind="department",
                                   email="vanthu@stnmt.example", head=head)
    AgencyMember.objects.create(agency=agency, user=lan)
    return {"agency": agency, "head": head, "lan": lan, "hoa": hoa}


def denunciation(agency, due_on, *, met=False, status="forwarded"):
    case = Case.objects.create(tracking_code=codes.new_code(), received_at=timezone.now(), kind="denunciation",
                               source="post", subject="Tố cáo cán bộ địa chính thu tiền trái phép",
                               content="Ông Nguyễn Văn Tố, 12 Lê Lợi, tố cáo…", agency=agency, status=status)
    Identity.objects.create(case=case, full_name="Nguyễn Văn Tố", phone="0912345678", email="to@example.com",
                            address="12 Lê Lợi")
    deadline = Deadline.objects.create(case=case, rule=DeadlineRule.objects.filter(step="denunciation.resolve").first(),
                                       step="denunciation.resolve", starts_on=due_on - dt.timedelta(days=30),
                                       due_on=due_on, met_at=timezone.now() if met else None)
    return case, deadline


def assert_no_identity(message):
    text = message.subject + message.body
    for secret in ("Nguyễn Văn Tố", "0912345678", "to@example.com", "12 Lê Lợi"):
        assert secret not in text


def test_a_reminder_goes_to_the_agency_once_before_the_due_date(people):
    case, deadline = denunciation(people["agency"], TODAY + dt.timedelta(days=2))
    assert run_daily(today=TODAY)["reminded"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["lan@stnmt.example", "vanthu@stnmt.example"]
    assert case.tracking_code in message.body and case.subject in message.body
    assert "12/03/2026" in message.body
    assert_no_identity(message)
    deadline.refresh_from_db()
    assert deadline.reminded_at is not None and deadline.escalated_at is None

    # Twice a day, or the next day: nothing more.
    assert run_daily(today=TODAY)["reminded"] == 0
    assert run_daily(today=TODAY + dt.timedelta(days=1))["reminded"] == 0
    assert len(mail.outbox) == 1


def test_no_reminder_before_the_reminder_window(people):
    denunciation(people["agency"], TODAY + dt.timedelta(days=4))
    assert run_daily(today=TODAY) == {"reminded": 0, "escalated": 0, "resynced": 0, "renotified": 0, "still_failing": 0}
    assert mail.outbox == []


def test_an_overdue_case_escalates_to_the_head_and_petition_staff_once(people):
    case, deadline = denunciation(people["agency"], TODAY - dt.timedelta(days=1))
    assert run_daily(today=TODAY)["escalated"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["giamdoc@stnmt.example", "hoa@hdnd.example"]
    assert case.tracking_code in message.body
    assert "khach@example.com" not in message.to
    assert_no_identity(message)
    audit = AuditRecord.objects.get(action="petitions.deadline_escalated")
    assert audit.role == "system" and audit.user is None
    assert audit.detail["agency"] == people["agency"].pk and audit.detail["recipients"] == 2
    assert [(d["tracking_code"], d["step"]) for d in audit.detail["deadlines"]] == [
        (case.tracking_code, "denunciation.resolve")]
    assert "Nguyễn Văn Tố" not in str(audit.detail)

    assert run_daily(today=TODAY)["escalated"] == 0
    assert run_daily(today=TODAY + dt.timedelta(days=5))["escalated"] == 0
    assert len(mail.outbox) == 1
    assert AuditRecord.objects.filter(action="petitions.deadline_escalated").count() == 1


def test_met_deadlines_and_finished_cases_are_left_alone(people):
    denunciation(people["agency"], TODAY - dt.timedelta(days=1), met=True)
    denunciation(people["agency"], TODAY + dt.timedelta(days=1), met=True)
    denunciation(people["agency"], TODAY - dt.timedelta(days=1), status="withdrawn")
    assert run_daily(today=TODAY) == {"reminded": 0, "escalated": 0, "resynced": 0, "renotified": 0, "still_failing": 0}
    assert mail.outbox == []
    assert not Deadline.objects.filter(reminded_at__isnull=False).exists()


def test_one_email_per_agency_lists_all_its_cases(people):
    first, _ = denunciation(people["agency"], TODAY + dt.timedelta(days=1))
    second, _ = denunciation(people["agency"], TODAY + dt.timedelta(days=3))
    assert run_daily(today=TODAY)["reminded"] == 2
    assert len(mail.outbox) == 1
    assert first.tracking_code in mail.outbox[0].body and second.tracking_code in mail.outbox[0].body


def test_a_case_still_at_the_office_reminds_petition_staff(people):
    denunciation(None, TODAY, status="received")
    assert run_daily(today=TODAY)["reminded"] == 1
    assert mail.outbox[0].to == ["hoa@hdnd.example"]


def test_the_command_runs_the_same_job(people):
    denunciation(people["agency"], TODAY - dt.timedelta(days=2))
    out = StringIO()
    call_command("petitions_daily", "--date", TODAY.isoformat(), stdout=out)
    assert "escalated=1" in out.getvalue()
    call_command("petitions_daily", "--date", TODAY.isoformat(), stdout=out)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_by_the_next_run(people, settings):
    _, deadline = denunciation(people["agency"], TODAY + dt.timedelta(days=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with pytest.raises(OSError):
        run_daily(today=TODAY)
    deadline.refresh_from_db()
    assert deadline.reminded_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_daily(today=TODAY)["reminded"] == 1
    assert len(mail.outbox) == 1


def test_the_offices_own_notice_on_a_forwarded_denunciation_reminds_the_office_not_the_agency(people):
    # Forwarded outside competence (Luật Tố cáo art. 24(2)): telling the denouncer is the office's step.
    case, deadline = denunciation(people["agency"], TODAY + dt.timedelta(days=2))
    deadline.step, deadline.rule = ("denunciation.forward_notice",
                                    DeadlineRule.objects.filter(step="denunciation.forward_notice").first())
    deadline.save()
    assert run_daily(today=TODAY)["reminded"] == 1
    assert [message.to for message in mail.outbox] == [["hoa@hdnd.example"]]
    assert_no_identity(mail.outbox[0])
