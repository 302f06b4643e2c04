"""A calendar that is true and says when it does not know (issue 12, item 1), and rules by date of
validity with their source (item 3). Dates are hand-counted; "today" is given, never the clock's.

Seeded by migrations 0002, 0007 and 0009b: 2025 and 2026 confirmed; 2027 provisional; the reported
National Day 2026 swap (31/8 off, Saturday 22/8 worked) unverified, so not counted; Vietnamese
Culture Day (24/11) data switched off.
"""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from petitions import codes, deadlines
from petitions.models import Case, CalendarStatus, CalendarYear, DeadlineRule, Holiday, WorkingWeekend

D = dt.date
pytestmark = pytest.mark.django_db
seed = importlib.import_module("petitions.migrations.0009b_calendar_and_rules_2026")


def make_case(received: dt.date, **kw):
    defaults = dict(tracking_code=codes.new_code(), kind="denunciation", source="post",
                    subject="Tố cáo sai phạm trong bồi thường", content="…",
                    received_at=timezone.make_aware(dt.datetime.combine(received, dt.time(9))))
    defaults.update(kw)
    return Case.objects.create(**defaults)


# ---- the calendar's days ---------------------------------------------------------------------------

def test_the_seeded_calendar_says_how_far_each_day_is_known():
    assert Holiday.objects.get(date=D(2026, 2, 16)).status == CalendarStatus.OFFICIAL
    assert "Bộ Nội vụ" in Holiday.objects.get(date=D(2026, 2, 16)).source
    assert "12729/VPCP-KGVX" in Holiday.objects.get(date=D(2026, 1, 2)).source
    assert Holiday.objects.get(date=D(2027, 2, 8)).status == CalendarStatus.PROVISIONAL
    assert Holiday.objects.get(date=D(2026, 8, 31)).status == CalendarStatus.UNVERIFIED
    assert WorkingWeekend.objects.get(date=D(2026, 8, 22)).status == CalendarStatus.UNVERIFIED
    assert Holiday.objects.get(date=D(2026, 11, 24)).status == CalendarStatus.OFF
    assert dict(CalendarYear.objects.values_list("year", "confirmed")) == {2025: True, 2026: True, 2027: False}
    cal = deadlines.calendar()
    # Counted: official and provisional; not counted: unverified and off.
    assert {D(2026, 2, 16), D(2027, 2, 8)} <= cal.holidays
    assert not {D(2026, 8, 31), D(2026, 11, 24)} & cal.holidays
    assert D(2026, 8, 22) not in cal.working_weekends and D(2026, 1, 10) in cal.working_weekends


def test_denunciation_acceptance_across_tet_2026():
    # Received Thursday 12/2/2026; Tết 16–20/2: 13 (1), 23 (2), 24 (3), 25 (4), 26 (5), 27 (6), Monday 2/3 (7).
    case = make_case(D(2026, 2, 12))
    step = deadlines.open_step(case, "denunciation.accept", D(2026, 2, 12))
    assert step.due_on == D(2026, 3, 2)
    assert deadlines.calendar_doubts(step.starts_on, step.due_on) == []  # announced days only


def test_denunciation_acceptance_across_national_day_2026_says_the_swap_is_unverified():
    # Received Thursday 20/8/2026. Counted as confirmed (no swap): 21 (1), 24 (2), 25 (3), 26 (4), 27 (5),
    # 28 (6), Monday 31/8 (7). The reported swap (22/8 worked, 31/8 off) would make it Friday 28/8:
    # the case page says the deadline rests on unverified days.
    case = make_case(D(2026, 8, 20))
    step = deadlines.open_step(case, "denunciation.accept", D(2026, 8, 20))
    assert step.due_on == D(2026, 8, 31)
    doubts = deadlines.calendar_doubts(step.starts_on, step.due_on)
    assert len(doubts) == 2 and "31/08/2026" in doubts[0] and "22/08/2026" in doubts[1]

    # The office confirms the swap from the official text: 21 (1), Saturday 22 (2), 24 (3), 25 (4), 26 (5),
    # 27 (6), Friday 28/8 (7); and the doubt is gone.
    Holiday.objects.filter(date=D(2026, 8, 31)).update(status=CalendarStatus.OFFICIAL)
    WorkingWeekend.objects.filter(date=D(2026, 8, 22)).update(status=CalendarStatus.OFFICIAL)
    assert deadlines.recompute_open(case) == 1
    step.refresh_from_db()
    assert step.due_on == D(2026, 8, 28)
    assert deadlines.calendar_doubts(step.starts_on, step.due_on) == []


def test_across_2_september_2026():
    # Received Friday 28/8/2026; 1–2/9 off (31/8 not, the swap being unverified): 31/8 (1), 3 (2), 4 (3),
    # 7 (4), 8 (5), 9 (6), Thursday 10/9 (7).
    case = make_case(D(2026, 8, 28))
    assert deadlines.open_step(case, "denunciation.accept", D(2026, 8, 28)).due_on == D(2026, 9, 10)


def test_vietnamese_culture_day_is_data_switched_off_until_enacted():
    # Monday 23/11/2026 + 5 working days: 24 (1), 25 (2), 26 (3), 27 (4), Monday 30/11 (5).
    case = make_case(D(2026, 11, 23))
    notice = deadlines.open_step(case, "denunciation.notify", D(2026, 11, 23))
    assert notice.due_on == D(2026, 11, 30)
    assert deadlines.calendar_doubts(notice.starts_on, notice.due_on) == []  # "off" is not a doubt
    holiday = Holiday.objects.get(date=D(2026, 11, 24))
    assert "30/NQ-CP" in holiday.source and "Điều 112" in holiday.source
    # Once enacted the office switches it on: 25 (1), 26 (2), 27 (3), 30 (4), Tuesday 1/12 (5).
    holiday.status = CalendarStatus.OFFICIAL
    holiday.save()
    deadlines.recompute_open(case)
    notice.refresh_from_db()
    assert notice.due_on == D(2026, 12, 1)


def test_a_deadline_over_2027_or_beyond_says_the_calendar_is_not_known():
    case = make_case(D(2027, 1, 25), kind="complaint")
    # Complaint acceptance: 25/1/2027 + 10 days = Thursday 4/2/2027, before the provisional Tết (5/2).
    step = deadlines.open_step(case, "complaint.accept", D(2027, 1, 25))
    assert step.due_on == D(2027, 2, 4)
    assert any("2027" in doubt for doubt in deadlines.calendar_doubts(step.starts_on, step.due_on))
    # 2028 has no calendar at all: said, not silently ignored.
    assert "2028" in deadlines.calendar_doubts(D(2027, 12, 20), D(2028, 1, 10))[0]


def test_the_office_is_warned_while_the_next_12_months_are_not_confirmed():
    assert "2027" in deadlines.calendar_warning(D(2026, 12, 2))
    assert "2027" in deadlines.calendar_warning(D(2026, 3, 1))  # 12 months reach 1/3/2027
    assert deadlines.calendar_warning(D(2025, 6, 1)) == ""       # 2025 and 2026 confirmed
    CalendarYear.objects.filter(year=2027).update(confirmed=True)
    assert deadlines.calendar_warning(D(2026, 12, 2)) == ""
    assert "2028" in deadlines.calendar_warning(D(2027, 6, 1))


def _staff(**extra):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create(username="donthu", is_staff=True, **extra)
    user.user_permissions.add(Permission.objects.get(codename="handle_cases"))
    return user


def test_dashboard_and_admin_show_the_warning(client):
    today = timezone.localdate()
    years = range(today.year, today.year + 2)
    CalendarYear.objects.filter(year__in=years).update(confirmed=False)
    for year in years:
        CalendarYear.objects.get_or_create(year=year, defaults={"confirmed": False})
    staff = _staff()
    client.force_login(staff)
    page = client.get(reverse("petitions:dashboard")).content.decode()
    assert "data-calendar-warning" in page and str(today.year) in page

    admin = get_user_model().objects.create(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:petitions_holiday_changelist")).content.decode()
    assert "Lịch nghỉ lễ chưa được xác nhận" in listing

    CalendarYear.objects.filter(year__in=years).update(confirmed=True)
    client.force_login(staff)
    assert "data-calendar-warning" not in client.get(reverse("petitions:dashboard")).content.decode()


# ---- rules by date of validity ---------------------------------------------------------------------

def test_a_case_follows_the_rule_valid_on_the_day_it_was_received():
    # Received 30/6/2026, accepted 2/7/2026: the first instance follows the rule in force on receipt
    # (Luật Khiếu nại art. 28, verified); received 1/7/2026: the row restated under Luật 136/2025/QH15,
    # whose amended article was not read here (unverified). Both: 30 days from acceptance, 2/7 -> 1/8
    # (a Saturday) -> Monday 3/8/2026.
    before = make_case(D(2026, 6, 30), kind="complaint")
    after = make_case(D(2026, 7, 1), kind="complaint")
    old = deadlines.open_step(before, "complaint.first_instance", D(2026, 7, 2))
    new = deadlines.open_step(after, "complaint.first_instance", D(2026, 7, 2))
    assert old.rule.valid_from == D(2012, 7, 1) and old.rule.verified
    assert new.rule.valid_from == D(2026, 7, 1) and not new.rule.verified and "136/2025/QH15" in new.rule.law
    assert old.due_on == new.due_on == D(2026, 8, 3)


def test_rows_from_1_march_and_1_july_2026_cite_their_law_and_say_unverified():
    voter = deadlines.rule_for("voter_petition.answer", D(2026, 3, 1))
    assert "121/2025/QH15" in voter.law and not voter.verified
    assert deadlines.rule_for("voter_petition.answer", D(2026, 2, 28)).valid_from == D(2016, 7, 1)
    for step in seed.AMENDED_STEPS:
        row = deadlines.rule_for(step, D(2026, 7, 1))
        assert row.valid_from == D(2026, 7, 1) and not row.verified, step
    petition = deadlines.rule_for("petition.answer", D(2026, 6, 30))
    assert "Điều 28 khoản 1" in petition.law and "thực tiễn" not in petition.law


def test_the_case_page_shows_the_source_and_the_doubts(client):
    staff = _staff()
    case = make_case(D(2026, 8, 20))
    case.status = "classified"
    case.save()
    deadlines.open_step(case, "denunciation.accept", D(2026, 8, 20))
    client.force_login(staff)
    page = client.get(reverse("petitions:case", args=[case.pk])).content.decode()
    assert "Điều 24" in page and "data-rule-unverified" in page  # received after 1/7/2026
    assert "data-calendar-doubt" in page and "31/08/2026" in page


def test_migration_0009b_goes_back_and_forth():
    complex_open = make_case(D(2026, 3, 2), complexity="complex")
    deadlines.open_step(complex_open, "denunciation.accept", D(2026, 3, 2))
    complex_done = make_case(D(2026, 3, 2), complexity="complex")
    deadlines.open_step(complex_done, "denunciation.accept", D(2026, 3, 2))
    deadlines.close_step(complex_done, "denunciation.accept")
    seed.backwards(apps, None)
    assert not CalendarYear.objects.exists()
    assert not DeadlineRule.objects.filter(valid_from=D(2026, 7, 1)).exists()
    assert not DeadlineRule.objects.filter(step__startswith="denunciation.forward").exists()
    assert not Holiday.objects.filter(date__in=[D(2026, 8, 31), D(2026, 11, 24)]).exists()
    accept = DeadlineRule.objects.get(step="denunciation.accept")
    assert (accept.days_complex, accept.days_multi_site) == (10, None)
    assert "thực tiễn" in DeadlineRule.objects.get(step="petition.answer").law
    assert Holiday.objects.get(date=D(2027, 2, 8)).status == CalendarStatus.OFFICIAL  # as before 0009b

    seed.forwards(apps, None)
    assert CalendarYear.objects.count() == 3
    assert DeadlineRule.objects.filter(valid_from=D(2026, 7, 1)).count() == len(seed.AMENDED_STEPS)
    accept = deadlines.rule_for("denunciation.accept", D(2026, 6, 30))
    assert (accept.days_complex, accept.days_multi_site) == (None, 10)
    assert Holiday.objects.get(date=D(2027, 2, 8)).status == CalendarStatus.PROVISIONAL
    # A complex denunciation whose acceptance was open keeps its 10 working days, now on their ground.
    assert Case.objects.get(pk=complex_open.pk).multi_site and not Case.objects.get(pk=complex_done.pk).multi_site
