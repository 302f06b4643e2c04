"""Links to questioning and to voters' petitions: a commitment or a voters' petition becomes a
tracked task once; a voters' petition is linked to the resolution that answers it; never a
denunciation nor a protected sender's letter; resolutions.links.for_resolution and the pages."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import AuditRecord
from resolutions import links, services
from resolutions.models import PetitionAnswer, Resolution, Task
from resolutions.services import ResolutionError
from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403
from tests.resolutions.supervision_fixtures import make_case, make_commitment

DUE = dt.date(2027, 3, 31)


def test_a_commitment_becomes_a_task_once(people, finance):
    commitment = make_commitment()
    task = services.track_commitment(people["manager"], commitment, lead_agency=finance)
    assert task.commitment == commitment and task.due_on == commitment.due and task.lead_agency == finance
    assert AuditRecord.objects.get(action="resolutions.commitment_track").detail["task"] == task.pk
    with pytest.raises(ResolutionError) as refused:
        services.track_commitment(people["manager"], commitment, lead_agency=finance)
    assert refused.value.code == "already_tracked"
    assert Task.objects.filter(commitment=commitment).count() == 1


def test_a_commitment_without_a_date_needs_one(people, finance):
    with pytest.raises(ResolutionError) as refused:
        services.track_commitment(people["manager"], make_commitment(due=None), lead_agency=finance)
    assert refused.value.code == "date_required"
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "agent", "stranger"])
def test_only_resolution_staff_track_a_commitment(people, finance, who):
    with pytest.raises(ResolutionError) as refused:
        services.track_commitment(people[who], make_commitment(), lead_agency=finance)
    assert refused.value.code == "forbidden"
    assert not Task.objects.exists()
    assert AuditRecord.objects.filter(action="resolutions.commitment_track", outcome="forbidden").count() == 1


def test_a_voters_petition_is_linked_to_the_resolution_that_answers_it_once(people, adopted):
    case = make_case()
    answer = services.link_petition(people["manager"], case, adopted, note="Điều 2 quy định mức hỗ trợ")
    assert answer.linked_by == people["manager"]
    with pytest.raises(ResolutionError) as refused:
        services.link_petition(people["manager"], case, adopted)
    assert refused.value.code == "already_linked"
    assert PetitionAnswer.objects.count() == 1


def test_a_petition_is_linked_only_to_a_resolution_in_force(people, term):
    draft = Resolution.objects.create(title="Dự thảo", term=term, planned_year=2026)
    with pytest.raises(ResolutionError) as refused:
        services.link_petition(people["manager"], make_case(), draft)
    assert refused.value.code == "not_in_force"
    assert not PetitionAnswer.objects.exists()


@pytest.mark.parametrize("kind, protected", [("denunciation", True), ("complaint", False), ("voter_petition", True)])
def test_never_a_denunciation_another_letter_or_a_protected_senders_petition(people, adopted, health, kind, protected):
    case = make_case(kind=kind, identity_protected=protected, agency=health)
    with pytest.raises(ResolutionError) as refused:
        services.link_petition(people["manager"], case, adopted)
    assert refused.value.code == "bad_petition"
    with pytest.raises(ResolutionError) as refused:
        services.track_petition(people["manager"], case, due_on=DUE)
    assert refused.value.code == "bad_petition"
    assert not PetitionAnswer.objects.exists() and not Task.objects.exists()


def test_a_voters_petition_becomes_a_task_of_its_agency_once(people, health):
    case = make_case(agency=health)
    task = services.track_petition(people["manager"], case, due_on=DUE)
    assert task.petition == case and task.lead_agency == health and task.title == case.subject
    with pytest.raises(ResolutionError) as refused:
        services.track_petition(people["manager"], case, due_on=DUE)
    assert refused.value.code == "already_tracked"


def test_a_petition_without_an_agency_needs_one(people):
    with pytest.raises(ResolutionError) as refused:
        services.track_petition(people["manager"], make_case(), due_on=DUE)
    assert refused.value.code == "agency_required"
    assert not Task.objects.exists()


def test_for_resolution_gives_petitions_commitments_and_supervisions(people, adopted, finance, health, supervision):
    case = make_case(agency=health)
    services.link_petition(people["manager"], case, adopted)
    services.track_petition(people["manager"], case, due_on=DUE)
    about = make_commitment(text="Thực hiện Nghị quyết 12/2026/NQ-HĐND đúng hạn")
    make_commitment(text="Việc khác", question_text="Đường giao thông")
    services.track_commitment(people["manager"], about, lead_agency=finance)
    out = links.for_resolution(adopted)
    assert [p["case"] for p in out["petitions"]] == [case] and out["petitions"][0]["progress"] == 0
    assert [c["commitment"] for c in out["commitments"]] == [about] and out["commitments"][0]["task"].lead_agency == finance
    assert out["supervisions"] == [supervision]


def test_commitments_on_the_item_where_the_resolution_was_voted_are_about_it(people, adopted):
    from agenda.models import AgendaItem
    from meeting.models import Sitting

    commitment = make_commitment(text="Bố trí đủ kinh phí")
    sitting = Sitting.objects.get()
    fields = {f.name for f in AgendaItem._meta.get_fields()}
    item = AgendaItem.objects.create(sitting=sitting, title="Nghị quyết hỗ trợ học phí",
                                     **({"position": 1} if "position" in fields else {}))
    commitment.question.item = item
    commitment.question.save()
    Resolution.objects.filter(pk=adopted.pk).update(agenda_item=item, number="")
    adopted.refresh_from_db()
    assert [c["commitment"] for c in links.for_resolution(adopted)["commitments"]] == [commitment]


def test_a_protected_case_linked_before_is_never_shown(people, adopted):
    case = make_case()
    services.link_petition(people["manager"], case, adopted)
    type(case).objects.filter(pk=case.pk).update(identity_protected=True)
    assert links.for_resolution(adopted)["petitions"] == []


def test_the_partial_shows_the_links(people, adopted, supervision, health):
    case = make_case(agency=health)
    services.link_petition(people["manager"], case, adopted)
    html = render_to_string("resolutions/supervision/_resolution_links.html", {"related": links.for_resolution(adopted)})
    assert case.tracking_code in html and supervision.title in html


# ---- pages ------------------------------------------------------------------------------------------

def test_the_manager_tracks_a_commitment_from_its_list(client, people, finance):
    commitment = make_commitment()
    client.force_login(people["manager"])
    page = client.get(reverse("resolutions:commitments")).content.decode()
    assert commitment.text in page and "Giám đốc Sở Tài chính" in page and "Phiên chất vấn" in page
    response = client.post(reverse("resolutions:commitment_track", args=[commitment.pk]),
                           {"lead_agency": finance.pk, "due_on": "2027-01-31"})
    assert response.status_code == 302
    assert Task.objects.get(commitment=commitment).due_on == dt.date(2027, 1, 31)
    assert "Đã theo dõi" in client.get(reverse("resolutions:commitments")).content.decode()


def test_tracking_a_commitment_with_a_bad_agency_is_a_400(client, people):
    commitment = make_commitment()
    client.force_login(people["manager"])
    response = client.post(reverse("resolutions:commitment_track", args=[commitment.pk]), {"lead_agency": "999999"})
    assert response.status_code == 400 and not Task.objects.exists()


def test_the_voter_petitions_list_leaves_out_protected_cases(client, people):
    shown = make_case(subject="Cử tri đề nghị sửa đường")
    hidden = make_case(subject="Đơn của người tố cáo", identity_protected=True)
    denunciation = make_case(kind="denunciation", subject="Tố cáo cán bộ", identity_protected=True)
    client.force_login(people["manager"])
    page = client.get(reverse("resolutions:voter_petitions")).content.decode()
    assert shown.subject in page and hidden.subject not in page and denunciation.subject not in page
    assert client.get(reverse("resolutions:voter_petition", args=[denunciation.pk])).status_code == 404
    response = client.post(reverse("resolutions:voter_petition_action", args=[hidden.pk, "track"]), {"due_on": "2027-01-01"})
    assert response.status_code == 404 and not Task.objects.exists()


def test_the_manager_links_and_tracks_a_petition_on_its_page(client, people, adopted, health):
    case = make_case(agency=health)
    client.force_login(people["manager"])
    act = lambda name, data: client.post(reverse("resolutions:voter_petition_action", args=[case.pk, name]), data)  # noqa: E731
    assert act("link", {"resolution": adopted.pk, "note": "Điều 2"}).status_code == 302
    assert act("link", {"resolution": adopted.pk}).status_code == 409
    assert act("track", {"due_on": "2027-02-01"}).status_code == 302
    page = client.get(reverse("resolutions:voter_petition", args=[case.pk])).content.decode()
    assert adopted.number in page and "Đã theo dõi" in page
    answer = PetitionAnswer.objects.get()
    assert act("unlink", {"answer": answer.pk}).status_code == 302 and not PetitionAnswer.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "agent", "stranger"])
def test_the_links_pages_are_for_resolution_staff(client, people, who):
    case = make_case()
    client.force_login(people[who])
    assert client.get(reverse("resolutions:commitments")).status_code == 403
    assert client.get(reverse("resolutions:voter_petitions")).status_code == 403
    assert client.post(reverse("resolutions:voter_petition_action", args=[case.pk, "track"]), {}).status_code == 403


def test_the_office_resolution_page_lists_its_petitions_and_supervisions(client, people, adopted, supervision, health):
    case = make_case(agency=health)
    services.link_petition(people["manager"], case, adopted)
    client.force_login(people["manager"])
    page = client.get(reverse("resolutions:resolution", args=[adopted.pk])).content.decode()
    assert 'id="resolution-links"' in page and case.tracking_code in page and supervision.title in page
