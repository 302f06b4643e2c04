"""Supervisions through resolutions.services: planned → ongoing → concluded, findings,
recommendations that become tracked tasks exactly once; each refusal with its code, nothing
changed, and the audit record."""

import datetime as dt

import pytest

from audit.models import AuditRecord
from resolutions import services
from resolutions.models import Recommendation, Resolution, Supervision, Task
from resolutions.services import ResolutionError
from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403


def test_the_office_opens_a_planned_supervision_with_its_team_and_resolutions(supervision, adopted, committee_people):
    assert supervision.status == Supervision.Status.PLANNED
    assert list(supervision.resolutions.all()) == [adopted]
    assert set(supervision.team.values_list("code", flat=True)) == {"BKT01", "BKT02"}
    record = AuditRecord.objects.get(action="resolutions.supervision_create")
    assert record.detail["supervision"] == supervision.pk and record.outcome == "ok"


@pytest.mark.parametrize("who", ["clerk", "agent", "stranger"])
def test_only_resolution_staff_open_a_supervision(people, economy, adopted, who):
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(people[who], body=economy, title="Giám sát", resolutions=[adopted])
    assert refused.value.code == "forbidden"
    assert not Supervision.objects.exists()
    assert AuditRecord.objects.filter(action="resolutions.supervision_create", outcome="forbidden").count() == 1


def test_a_committee_member_may_not_open_a_supervision_of_their_own_body(people, economy, adopted, committee_people):
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(committee_people["member_user"], body=economy, title="Giám sát", resolutions=[adopted])
    assert refused.value.code == "forbidden"


def test_the_plenary_or_a_delegate_group_does_not_supervise_this_way(people, term, adopted):
    from meeting.models import Body
    plenary = Body.objects.create(name="HĐND tỉnh", kind=Body.Kind.PLENARY, term=term)
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(people["manager"], body=plenary, title="Giám sát", resolutions=[adopted])
    assert refused.value.code == "bad_body"
    assert not Supervision.objects.exists()


def test_the_standing_committee_supervises(people, standing, adopted):
    supervision = services.create_supervision(people["manager"], body=standing, title="Giám sát chuyên đề",
                                              resolutions=[adopted])
    assert supervision.body == standing


def test_only_resolutions_in_force_are_supervised(people, economy, term):
    draft = Resolution.objects.create(title="Dự thảo", term=term, planned_year=2026)
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(people["manager"], body=economy, title="Giám sát", resolutions=[draft])
    assert refused.value.code == "not_in_force"
    assert not Supervision.objects.exists()


def test_a_supervision_needs_a_resolution(people, economy):
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(people["manager"], body=economy, title="Giám sát", resolutions=[])
    assert refused.value.code == "resolution_required"


def test_the_team_are_members_of_the_supervising_body(people, economy, adopted, committee_people):
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(people["manager"], body=economy, title="Giám sát", resolutions=[adopted],
                                    team=[committee_people["other"]])
    assert refused.value.code == "bad_team"
    assert not Supervision.objects.exists()


def test_the_end_date_is_not_before_the_start(people, economy, adopted):
    with pytest.raises(ResolutionError) as refused:
        services.create_supervision(people["manager"], body=economy, title="Giám sát", resolutions=[adopted],
                                    starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 8, 1))
    assert refused.value.code == "bad_dates"


def test_a_supervision_starts_once(people, ongoing):
    assert ongoing.status == Supervision.Status.ONGOING
    with pytest.raises(ResolutionError) as refused:
        services.start_supervision(people["manager"], ongoing)
    assert refused.value.code == "bad_transition"
    assert AuditRecord.objects.filter(action="resolutions.supervision_start").count() == 1


def test_recommendations_are_added_only_while_ongoing(people, supervision, finance):
    with pytest.raises(ResolutionError) as refused:
        services.add_recommendation(people["manager"], supervision, agency=finance, text="Chi trả đúng hạn",
                                    due_on=dt.date(2027, 3, 31))
    assert refused.value.code == "not_ongoing"
    assert not Recommendation.objects.exists()


def test_a_recommendation_needs_its_text(people, ongoing, finance):
    with pytest.raises(ResolutionError) as refused:
        services.add_recommendation(people["manager"], ongoing, agency=finance, text="  ", due_on=dt.date(2027, 3, 31))
    assert refused.value.code == "text_required"
    assert not Recommendation.objects.exists()


def test_conclusion_needs_the_findings(people, ongoing):
    with pytest.raises(ResolutionError) as refused:
        services.conclude_supervision(people["manager"], ongoing)
    assert refused.value.code == "findings_required"
    assert Supervision.objects.get(pk=ongoing.pk).status == Supervision.Status.ONGOING


def test_conclusion_makes_each_recommendation_a_task_of_its_agency(people, ongoing, finance, health):
    manager = people["manager"]
    first = services.add_recommendation(manager, ongoing, agency=finance, text="Chi trả đủ, đúng hạn",
                                        due_on=dt.date(2027, 3, 31))
    second = services.add_recommendation(manager, ongoing, agency=health, text="Rà soát đối tượng",
                                         due_on=dt.date(2027, 6, 30))
    services.record_findings(manager, ongoing, findings="Chi trả chậm ở 2 xã.")
    concluded = services.conclude_supervision(manager, ongoing, concluded_on=dt.date(2026, 10, 15))
    assert concluded.status == Supervision.Status.CONCLUDED and concluded.ends_on == dt.date(2026, 10, 15)
    tasks = {t.recommendation_id: t for t in Task.objects.all()}
    assert tasks[first.pk].lead_agency == finance and tasks[first.pk].due_on == dt.date(2027, 3, 31)
    assert tasks[second.pk].lead_agency == health
    record = AuditRecord.objects.get(action="resolutions.supervision_conclude")
    assert sorted(record.detail["tasks"]) == sorted(t.pk for t in tasks.values())


def test_a_recommendation_tracked_before_the_conclusion_is_not_tracked_again(people, ongoing, finance):
    manager = people["manager"]
    rec = services.add_recommendation(manager, ongoing, agency=finance, text="Chi trả", due_on=dt.date(2027, 3, 31))
    services.track_recommendation(manager, rec)
    with pytest.raises(ResolutionError) as refused:
        services.track_recommendation(manager, rec)
    assert refused.value.code == "already_tracked"
    services.record_findings(manager, ongoing, findings="Kết quả")
    services.conclude_supervision(manager, ongoing)
    assert Task.objects.filter(recommendation=rec).count() == 1


def test_findings_are_recorded_only_while_ongoing(people, supervision):
    with pytest.raises(ResolutionError) as refused:
        services.record_findings(people["manager"], supervision, findings="Sớm quá")
    assert refused.value.code == "not_ongoing"
    assert Supervision.objects.get(pk=supervision.pk).findings == ""


def test_a_concluded_supervision_is_not_concluded_again(people, ongoing):
    services.record_findings(people["manager"], ongoing, findings="Kết quả")
    services.conclude_supervision(people["manager"], ongoing)
    with pytest.raises(ResolutionError) as refused:
        services.conclude_supervision(people["manager"], ongoing)
    assert refused.value.code == "bad_transition"


def test_nothing_is_followed_before_the_supervision_starts(people, supervision, finance):
    from resolutions.models import Recommendation as Rec

    rec = Rec.objects.create(supervision=supervision, agency=finance, text="Sớm", due_on=dt.date(2027, 1, 1))
    with pytest.raises(ResolutionError) as refused:
        services.track_recommendation(people["manager"], rec)
    assert refused.value.code == "not_ongoing"
    assert not Task.objects.exists()
