"""Statutory deadlines, counted as the laws and the Civil Code count them.

The rules and the holiday calendar are the seeded data (migration 0002) so the
worked examples below check the data against the laws' figures as well as the
counting: the event's day never counts (Civil Code art. 147(3)); a period in
days ending on a weekend or holiday ends on the next working day (art. 148(5));
working days skip weekends and holidays and count listed working Saturdays.
"""

import datetime as dt
import importlib

import pytest

from petitions import codes, deadlines
from petitions.deadlines import (
    Calendar,
    DeadlineError,
    add_days,
    add_working_days,
    allowed_extensions,
    due_date,
    extend,
    limit_days,
)
from petitions.models import Case, DeadlineRule

D = dt.date
seed = importlib.import_module("petitions.migrations.0002_rules_and_holidays")
seed_2026 = importlib.import_module("petitions.migrations.0009b_calendar_and_rules_2026")
CAL = Calendar(frozenset(d for d, _ in seed.HOLIDAYS), frozenset(d for d, _ in seed.WORKING_WEEKENDS))
FIELDS = ("step", "unit", "days", "days_complex", "days_remote", "days_remote_complex", "extension_days",
          "max_extensions", "law", "valid_from")


def rule(step):
    """The seeded rule for `step`, as an unsaved row (no database), as migration 0009b left it."""
    row = next((r for r in seed.RULES if r[0] == step), None)
    if row is None:
        new = next(r for r in seed_2026.NEW_RULES if r[0] == step)
        names = ("step", "unit", "days", "days_complex", "days_remote", "days_remote_complex", "days_multi_site",
                 "extension_days", "max_extensions", "law", "verified", "valid_from")
        return DeadlineRule(**dict(zip(names, new)))
    r = DeadlineRule(**dict(zip(FIELDS, row)))
    if step == "denunciation.accept":  # 0009b: 10 working days only on the art. 24(1) ground
        r.days_complex, r.days_multi_site = None, 10
    return r


# ---- counting --------------------------------------------------------------------------

def test_the_day_of_receipt_does_not_count():
    assert add_days(D(2026, 3, 3), 10) == D(2026, 3, 13)
    assert add_days(D(2026, 3, 3), 0) == D(2026, 3, 3)


def test_working_days_start_the_day_after_even_when_that_day_is_a_working_day():
    # Received Monday 2 March 2026: the 1st working day is Tuesday, the 5th Monday 9 March.
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)
    # Received on a Saturday: Monday is the first working day.
    assert add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)


def test_a_period_in_days_ending_on_a_sunday_ends_on_monday():
    r = rule("complaint.accept")
    # Received Thursday 5 March 2026 + 10 days = Sunday 15 March -> Monday 16 March.
    assert due_date(r, D(2026, 3, 5), calendar=CAL) == D(2026, 3, 16)


def test_complaint_received_the_friday_before_tet_2026_is_due_after_tet():
    # Friday 6 Feb 2026 + 10 days = Monday 16 Feb, the first day of Tết (16–20 Feb), then a
    # weekend: acceptance is due Monday 23 Feb (Luật Khiếu nại art. 27; BLDS art. 148(5)).
    assert due_date(rule("complaint.accept"), D(2026, 2, 6), calendar=CAL) == D(2026, 2, 23)
    # Without the holiday calendar it would wrongly be the 16th.
    assert due_date(rule("complaint.accept"), D(2026, 2, 6)) == D(2026, 2, 16)


def test_complaint_received_before_tet_2025():
    # Friday 17 Jan 2025 + 10 = Monday 27 Jan (Tết 27–31 Jan), weekend -> Monday 3 Feb 2025.
    assert due_date(rule("complaint.accept"), D(2025, 1, 17), calendar=CAL) == D(2025, 2, 3)


# ---- columns: complex, remote ------------------------------------------------------------

def test_first_instance_30_45_and_remote_45_60_days():
    r = rule("complaint.first_instance")
    assert [limit_days(r, "normal", False), limit_days(r, "complex", False),
            limit_days(r, "normal", True), limit_days(r, "complex", True)] == [30, 45, 45, 60]
    accepted = D(2026, 3, 2)  # a Monday
    assert due_date(r, accepted, calendar=CAL) == D(2026, 4, 1)
    assert due_date(r, accepted, complexity="complex", calendar=CAL) == D(2026, 4, 16)
    assert due_date(r, accepted, remote=True, calendar=CAL) == D(2026, 4, 16)
    # 60 days = Friday 1 May 2026, a holiday, then a weekend -> Monday 4 May.
    assert due_date(r, accepted, complexity="complex", remote=True, calendar=CAL) == D(2026, 5, 4)


def test_second_instance_45_60_and_remote_60_70_days():
    r = rule("complaint.second_instance")
    assert [limit_days(r, "normal", False), limit_days(r, "complex", False),
            limit_days(r, "normal", True), limit_days(r, "very_complex", True)] == [45, 60, 60, 70]


def test_an_empty_remote_column_falls_back_to_the_longer_of_the_others():
    r = rule("complaint.accept")  # 10 days, no other column
    assert limit_days(r, "complex", True) == 10


def test_denunciation_acceptance_takes_10_working_days_only_when_checked_at_several_places():
    # Luật Tố cáo art. 24(1): 7 working days; 10 only when it must be checked at several places —
    # not because the case is complex or in a remote area (issue 12, item 5).
    r = rule("denunciation.accept")
    assert [limit_days(r, "normal"), limit_days(r, "complex"), limit_days(r, "very_complex", True)] == [7, 7, 7]
    assert limit_days(r, "normal", multi_site=True) == 10
    # Received Friday 29 Aug 2025 (1–2 Sep off): the 7th working day is 11 Sep, the 10th 16 Sep.
    assert due_date(r, D(2025, 8, 29), complexity="complex", calendar=CAL) == D(2025, 9, 11)
    assert due_date(r, D(2025, 8, 29), multi_site=True, calendar=CAL) == D(2025, 9, 16)


# ---- working days --------------------------------------------------------------------

def test_working_days_across_30_april_and_1_may_2026():
    # Notice of acceptance within 5 working days of the decision taken Tuesday 28 April 2026:
    # 29/4 (1), 30/4 and 1/5 holidays, weekend, 4 (2), 5 (3), 6 (4), 7 May (5).
    assert due_date(rule("denunciation.notify"), D(2026, 4, 28), calendar=CAL) == D(2026, 5, 7)


def test_working_days_across_the_hung_kings_day_off_in_lieu_2026():
    # Giỗ Tổ fell on Sunday 26 April 2026: Monday 27 April is off. From Friday 24 April:
    # 28 (1), 29 (2), 30/4–3/5 off, 4 (3), 5 (4), 6 May (5).
    assert add_working_days(D(2026, 4, 24), 5, CAL.holidays, CAL.working_weekends) == D(2026, 5, 6)


def test_working_days_across_national_day_2025():
    # Received Friday 29 Aug 2025; 1–2 Sep off: 3, 4, 5, 8, 9, 10, 11 -> the 7th is Thursday 11 Sep.
    assert due_date(rule("denunciation.accept"), D(2025, 8, 29), calendar=CAL) == D(2025, 9, 11)


def test_a_listed_working_saturday_counts():
    # Saturday 26 April 2025 was worked to bridge Friday 2 May. From Thursday 24 April:
    # 25 (1), Sat 26 (2), 28 (3), 29 (4), 30/4–4/5 off, Monday 5 May (5).
    assert add_working_days(D(2025, 4, 24), 5, CAL.holidays, CAL.working_weekends) == D(2025, 5, 5)
    assert add_working_days(D(2025, 4, 24), 5, CAL.holidays, frozenset()) == D(2025, 5, 6)


def test_seeded_calendar_has_each_years_holidays():
    for year in (2025, 2026, 2027):
        days = {d for d in CAL.holidays if d.year == year}
        assert D(year, 1, 1) in days and D(year, 9, 2) in days
        assert len(days) >= 11  # 1 + 5 + 1 + 2 + 2 (Labour Code art. 112), plus days in lieu
    assert {D(2026, 2, 16), D(2026, 2, 20), D(2025, 4, 7)} <= CAL.holidays


# ---- denunciation extensions ------------------------------------------------------------

def test_denunciation_extensions_normal_none_complex_one_very_complex_two():
    r = rule("denunciation.resolve")
    assert [allowed_extensions(r, c) for c in ("normal", "complex", "very_complex")] == [0, 1, 2]
    accepted = D(2026, 3, 2)
    assert due_date(r, accepted, calendar=CAL) == D(2026, 4, 1)
    # Complex: once, 30 more days: 1 May 2026 is a holiday -> Monday 4 May.
    assert extend(r, accepted, complexity="complex", calendar=CAL) == (1, D(2026, 5, 4))
    # Very complex: twice, 90 days at most: Sunday 31 May -> Monday 1 June.
    n, due = extend(r, accepted, complexity="very_complex", extensions=1, calendar=CAL)
    assert (n, due) == (2, D(2026, 6, 1))
    assert (due - accepted).days <= 90 + 1  # 90 days, plus the weekend roll


def test_a_normal_denunciation_is_not_extended():
    with pytest.raises(DeadlineError) as refused:
        extend(rule("denunciation.resolve"), D(2026, 3, 2), complexity="normal", calendar=CAL)
    assert refused.value.code == "extension_refused"


def test_a_complex_denunciation_is_not_extended_twice():
    with pytest.raises(DeadlineError) as refused:
        extend(rule("denunciation.resolve"), D(2026, 3, 2), complexity="complex", extensions=1, calendar=CAL)
    assert refused.value.code == "extension_refused"


def test_a_third_extension_is_refused_even_when_very_complex():
    with pytest.raises(DeadlineError) as refused:
        extend(rule("denunciation.resolve"), D(2026, 3, 2), complexity="very_complex", extensions=2, calendar=CAL)
    assert refused.value.code == "extension_refused"


def test_complaints_have_no_extension():
    with pytest.raises(DeadlineError):
        extend(rule("complaint.first_instance"), D(2026, 3, 2), complexity="very_complex", calendar=CAL)


# ---- voters' petitions -------------------------------------------------------------------

def test_voter_petitions_are_due_working_days_before_the_session_they_are_reported_at():
    """Issue 12, item 4: N working days before the opening day, which does not count. Hand-counted back
    from Tuesday 5/5/2026 over 1/5, 30/4 and the day off in lieu 27/4/2026: 4/5 (1), 29/4 (2), 28/4 (3),
    24/4 (4), 23/4 (5), 22/4 (6), 21/4 (7), 20/4 (8), 17/4 (9), 16/4 (10)."""
    r = rule("voter_petition.answer")
    assert due_date(r, D(2026, 3, 20), session_start=D(2026, 5, 5), calendar=CAL, lead_working_days=10) == D(2026, 4, 16)
    assert due_date(r, D(2026, 3, 20), session_start=D(2026, 5, 5), calendar=CAL, lead_working_days=1) == D(2026, 5, 4)
    # No session scheduled yet: the rule's days (180) as calendar days.
    assert due_date(r, D(2026, 7, 20), calendar=CAL) == D(2027, 1, 18)


# ---- with the database: versioned rules, steps -------------------------------------------------

def make_case(**kw):
    from django.utils import timezone

    defaults = dict(tracking_code=codes.new_code(), received_at=timezone.now(), kind="denunciation",
                    source="post", subject="Tố cáo sai phạm trong bồi thường", content="…")
    defaults.update(kw)
    return Case.objects.create(**defaults)


@pytest.mark.django_db
def test_seeded_rules_carry_their_law():
    r = deadlines.rule_for("complaint.first_instance", D(2026, 6, 30))
    assert (r.days, r.days_complex, r.days_remote, r.days_remote_complex) == (30, 45, 45, 60)
    assert "02/2011/QH13" in r.law and "Điều 28" in r.law
    assert "Điều 30" in deadlines.rule_for("denunciation.resolve", D(2026, 6, 30)).law


@pytest.mark.django_db
def test_the_rule_valid_on_the_start_day_applies():
    old = deadlines.rule_for("complaint.accept", D(2026, 1, 5))
    DeadlineRule.objects.filter(pk=old.pk).update(valid_to=D(2029, 12, 31))
    DeadlineRule.objects.create(step="complaint.accept", unit="working_days", days=15, law="Luật mới (giả định)",
                                valid_from=D(2030, 1, 1))
    assert deadlines.rule_for("complaint.accept", D(2029, 12, 31)).days == 10
    assert deadlines.rule_for("complaint.accept", D(2030, 1, 1)).days == 15
    with pytest.raises(DeadlineError) as missing:
        deadlines.rule_for("complaint.accept", D(2000, 1, 1))
    assert missing.value.code == "no_rule"


@pytest.mark.django_db
def test_open_extend_close_keep_the_case_due_date():
    case = make_case(complexity="complex", multi_site=True)
    accept = deadlines.open_step(case, "denunciation.accept", D(2025, 8, 29))
    assert accept.due_on == D(2025, 9, 16)  # 10 working days (several places), across 1–2 Sep
    assert deadlines.open_step(case, "denunciation.accept", D(2025, 8, 29)).pk == accept.pk
    case.refresh_from_db()
    assert case.due_on == D(2025, 9, 16)

    deadlines.close_step(case, "denunciation.accept")
    resolve = deadlines.open_step(case, "denunciation.resolve", D(2026, 3, 2))
    case.refresh_from_db()
    assert case.due_on == resolve.due_on == D(2026, 4, 1)

    extended = deadlines.extend_step(case, "denunciation.resolve")
    assert (extended.extensions, extended.due_on) == (1, D(2026, 5, 4))
    case.refresh_from_db()
    assert case.due_on == D(2026, 5, 4)
    with pytest.raises(DeadlineError):
        deadlines.extend_step(case, "denunciation.resolve")

    deadlines.close_step(case, "denunciation.resolve")
    case.refresh_from_db()
    assert case.due_on is None


@pytest.mark.django_db
def test_reclassifying_recomputes_open_steps():
    case = make_case(kind="complaint")
    step = deadlines.open_step(case, "complaint.first_instance", D(2026, 3, 2))
    assert step.due_on == D(2026, 4, 1)
    case.complexity, case.remote_area = "complex", True
    case.save()
    assert deadlines.recompute_open(case) == 1
    step.refresh_from_db()
    assert step.due_on == D(2026, 5, 4)


@pytest.mark.django_db
def test_voter_petition_due_follows_the_next_regular_session(settings):
    from meeting.models import Body, Session, Term

    term = Term.objects.create(name="2026–2031", start=D(2026, 3, 1), end=D(2031, 3, 1))
    plenary = Body.objects.create(name="HĐND tỉnh", kind="plenary", term=term)
    standing = Body.objects.create(name="Thường trực HĐND", kind="standing", term=term)
    Session.objects.create(body=standing, number=1, title="Phiên Thường trực", start_date=D(2026, 9, 10),
                           end_date=D(2026, 9, 10))
    Session.objects.create(body=plenary, number=3, title="Kỳ họp thứ ba", start_date=D(2026, 12, 8),
                           end_date=D(2026, 12, 10))
    settings.VOTER_PETITION_ANSWER_WORKING_DAYS = 10
    case = make_case(kind="voter_petition", source="voter_meeting")
    step = deadlines.open_step(case, "voter_petition.answer", D(2026, 7, 20))
    # 10 working days before Tuesday 8/12/2026: 7/12 (1), 4/12 (2), 3 (3), 2 (4), 1 (5), 30/11 (6), 27 (7),
    # 26 (8), 25 (9), 24/11 (10).
    assert step.due_on == D(2026, 11, 24)

    # A thematic session is not where voters' petitions are reported: nothing moves.
    Session.objects.create(body=plenary, number=2, title="Kỳ họp chuyên đề", kind="thematic",
                           start_date=D(2026, 10, 1), end_date=D(2026, 10, 1))
    assert deadlines.resync_session_deadlines() == 0
    # A regular session scheduled earlier afterwards (Thursday 15/10/2026): the daily resync moves the due
    # date: 14/10 (1), 13 (2), 12 (3), 9 (4), 8 (5), 7 (6), 6 (7), 5 (8), 2 (9), 1/10 (10).
    Session.objects.create(body=plenary, number=4, title="Kỳ họp thường lệ", start_date=D(2026, 10, 15),
                           end_date=D(2026, 10, 16))
    assert deadlines.resync_session_deadlines() == 1
    step.refresh_from_db()
    case.refresh_from_db()
    assert step.due_on == case.due_on == D(2026, 10, 1)


# ---- the 2026 calendar as announced (issue 12, item 1) ------------------------------------

@pytest.mark.django_db
def test_the_new_year_2026_swap_counts_a_denunciation_received_on_8_january():
    """Văn bản 12729/VPCP-KGVX (25/12/2025): Friday 2/1/2026 off, Saturday 10/1/2026 worked. Seven
    working days from Thursday 8/1: 9 (1), Sat 10 (2), 12–16 (3–7) -> Friday 16/1, not Monday 19/1."""
    stored = deadlines.calendar()
    assert D(2026, 1, 2) in stored.holidays and D(2026, 1, 10) in stored.working_weekends
    accept = rule("denunciation.accept")
    assert due_date(accept, D(2026, 1, 8), calendar=stored) == D(2026, 1, 16)
    # The calendar as first seeded, without the swap, gave the 19th.
    assert due_date(accept, D(2026, 1, 8), calendar=CAL) == D(2026, 1, 19)
