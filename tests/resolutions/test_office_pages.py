"""The office's pages of resolutions: who gets in, what the programme and a resolution's page show,
each step's form through the page, refusals shown with the right status and nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import AgendaItem
from library.models import Document
from meeting.models import Body, Sitting
from resolutions import navigation, services
from resolutions.models import Resolution, ResolutionLink, Status
from tests.resolutions.fixtures import *  # noqa: F401,F403
from tests.resolutions.fixtures import adopt
from voting.models import Option, Poll, Round


@pytest.fixture
def planned(people, term, finance):
    return services.create_resolution(people["manager"], title="Nghị quyết về phí tham quan", term=term,
                                      planned_year=2026, area="fees", lead_agency=finance)


@pytest.fixture
def item(term):
    plenary = Body.objects.create(name="HĐND tỉnh", kind=Body.Kind.PLENARY, term=term)
    sitting = Sitting.objects.create(body=plenary, title="Phiên bế mạc", starts_at=timezone.now())
    return AgendaItem.objects.create(sitting=sitting, title="Biểu quyết nghị quyết về phí tham quan")


def published_poll(item, yes=40, no=2):
    poll = Poll.objects.create(sitting=item.sitting, item=item, title="Thông qua nghị quyết về phí tham quan")
    for i, (key, label) in enumerate((("yes", "Tán thành"), ("no", "Không tán thành"), ("abstain", "Không biểu quyết"))):
        Option.objects.create(poll=poll, key=key, label=label, position=i)
    Round.objects.create(poll=poll, number=1, status="published", opened_at=timezone.now(), total=50, present=45,
                         result={"counts": {"yes": yes, "no": no, "abstain": 0}, "passed": True,
                                 "percent": {"yes": 80.0, "no": 4.0, "abstain": 0.0}})
    return poll


def url(name, *args):
    return reverse(f"resolutions:{name}", args=args)


# ---- who gets in -------------------------------------------------------------------

@pytest.mark.parametrize("who", ["clerk", "agent", "other_agent", "stranger"])
def test_the_office_pages_are_forbidden_to_everyone_but_resolution_staff(client, people, planned, who):
    client.force_login(people[who])
    for page in (url("programme"), url("create"), url("resolution", planned.pk), url("edit", planned.pk)):
        assert client.get(page).status_code == 403, page


def test_anonymous_is_sent_to_sign_in(client, planned):
    response = client.get(url("resolution", planned.pk))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_forged_step_by_an_agency_user_is_refused_and_changes_nothing(client, people, planned):
    client.force_login(people["agent"])
    response = client.post(url("transition", planned.pk, "drafting"))
    assert response.status_code == 403
    assert Resolution.objects.get(pk=planned.pk).status == Status.PLANNED


@pytest.mark.parametrize("name,args", [("detach_document", (1,)), ("add_link", ()), ("remove_link", (1,)),
                                       ("attach_document", ())])
def test_the_file_and_link_posts_are_forbidden_to_a_clerk(client, people, planned, name, args):
    client.force_login(people["clerk"])
    assert client.post(url(name, planned.pk, *args)).status_code == 403


def test_bad_ids_answer_404(client, people, planned):
    client.force_login(people["manager"])
    assert client.get(url("resolution", 999999)).status_code == 404
    assert client.get(url("edit", 999999)).status_code == 404
    assert client.post(url("transition", planned.pk, "flying")).status_code == 404
    assert client.post(url("detach_document", planned.pk, 999999)).status_code == 404
    assert client.post(url("remove_link", planned.pk, 999999)).status_code == 404


def test_the_navigation_links_reverse_and_open_for_the_manager(client, people):
    client.force_login(people["manager"])
    links = navigation.links_for(people["manager"])
    assert links and links[0][0] == url("programme")
    assert {url(n) for n in ("tasks", "dashboard", "supervisions", "report", "commitments", "voter_petitions")} <= {
        href for href, _label in links}
    assert f'href="{url("import")}"' in client.get(url("programme")).content.decode()
    for href, _label in links:
        assert client.get(href).status_code == 200, href


def test_the_navigation_is_empty_for_others(people):
    assert navigation.links_for(people["clerk"]) == [] and navigation.links_for(people["agent"]) == []


def test_the_home_page_shows_the_resolutions_card_to_the_manager_only(client, people):
    client.force_login(people["manager"])
    assert f'href="{url("programme")}"' in client.get("/").content.decode()
    client.force_login(people["clerk"])
    assert f'href="{url("programme")}"' not in client.get("/").content.decode()


# ---- the programme -----------------------------------------------------------------

def test_the_programme_filters_and_counts_per_status(client, people, term, planned, adopted):
    Resolution.objects.create(title="Kế hoạch đầu tư công 2027", term=term, planned_year=2027)
    client.force_login(people["manager"])
    page = client.get(url("programme"), {"year": 2026}).content.decode()
    assert "Nghị quyết về phí tham quan" in page and adopted.title in page and "Kế hoạch đầu tư công" not in page
    response = client.get(url("programme"), {"year": 2026, "status": "adopted"})
    names = [r.title for r, _p in response.context["rows"]]
    assert names == [adopted.title]
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts["planned"] == 1 and counts["adopted"] == 1


def test_the_programme_finds_text_without_diacritics(client, people, planned, adopted):
    client.force_login(people["manager"])
    rows = client.get(url("programme"), {"q": "phi tham quan"}).context["rows"]
    assert [r.pk for r, _p in rows] == [planned.pk]


def test_a_bad_filter_answers_400_not_500(client, people, planned):
    client.force_login(people["manager"])
    assert client.get(url("programme"), {"year": "abc", "term": "x"}).status_code == 400


# ---- create, edit ------------------------------------------------------------------

def test_the_manager_adds_a_resolution_through_the_page(client, people, term, finance):
    client.force_login(people["manager"])
    response = client.post(url("create"), {"title": "Chính sách hỗ trợ nhà ở", "area": "social", "term": term.pk,
                                           "planned_year": 2027, "lead_agency": finance.pk, "public": "on"})
    made = Resolution.objects.get()
    assert response.status_code == 302 and response["Location"] == url("resolution", made.pk)
    assert (made.status, made.lead_agency, made.public) == (Status.PLANNED, finance, True)


def test_a_create_with_bad_input_answers_400_and_makes_nothing(client, people, term):
    client.force_login(people["manager"])
    response = client.post(url("create"), {"title": "", "area": "moon", "term": term.pk, "planned_year": "x"})
    assert response.status_code == 400 and not Resolution.objects.exists()


def test_the_edit_page_offers_only_the_fields_of_the_status(client, people, adopted):
    client.force_login(people["manager"])
    fields = set(client.get(url("edit", adopted.pk)).context["form"].fields)
    assert fields == {"area", "public", "signed_document", "effective_on"}


def test_a_forged_edit_of_a_locked_field_changes_nothing(client, people, adopted):
    client.force_login(people["manager"])
    response = client.post(url("edit", adopted.pk), {"title": "Tên khác", "area": "budget", "public": "on"})
    adopted.refresh_from_db()
    assert response.status_code == 302 and adopted.title != "Tên khác" and adopted.area == "budget"


# ---- the resolution's page ---------------------------------------------------------

def test_the_page_draws_the_steps_and_offers_the_allowed_next_steps(client, people, planned):
    client.force_login(people["manager"])
    response = client.get(url("resolution", planned.pk))
    states = [(s["status"], s["state"]) for s in response.context["steps"]]
    assert states[0] == ("planned", "current") and states[1] == ("drafting", "todo")
    assert [s["status"] for s in response.context["next_steps"]] == ["drafting", "withdrawn"]


def test_each_step_through_the_page_to_adopted_with_vote_and_signed_document(client, people, planned, item):
    poll = published_poll(item)
    signed = Document.objects.create(kind="resolution", summary="NQ phí tham quan", status="published", access="public")
    client.force_login(people["manager"])
    for status in ("drafting", "reviewed"):
        assert client.post(url("transition", planned.pk, status), {f"step-{status}-note": "ok"}).status_code == 302
    assert client.post(url("transition", planned.pk, "submitted"),
                       {"step-submitted-agenda_item": item.pk, "step-submitted-poll": poll.pk}).status_code == 302
    response = client.post(url("transition", planned.pk, "adopted"), {
        "step-adopted-number": "15/2026/NQ-HĐND", "step-adopted-decided_on": "2026-07-10",
        "step-adopted-signed_document": signed.pk, "step-adopted-effective_on": "2026-07-20"})
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.number, planned.poll, planned.signed_document) == (
        Status.ADOPTED, "15/2026/NQ-HĐND", poll, signed)
    page = client.get(url("resolution", planned.pk))
    assert page.context["vote"]["rows"][0] == {"label": "Tán thành", "count": 40, "percent": 80.0}
    assert [t.to_status for t in page.context["history"]] == ["drafting", "reviewed", "submitted", "adopted"]


def test_a_poll_of_another_item_is_refused_400(client, people, planned, item):
    other = AgendaItem.objects.create(sitting=item.sitting, title="Khác")
    poll = published_poll(other)
    for status in (Status.DRAFTING, Status.REVIEWED):
        services.transition(people["manager"], planned, status)
    client.force_login(people["manager"])
    response = client.post(url("transition", planned.pk, "submitted"),
                           {"step-submitted-agenda_item": item.pk, "step-submitted-poll": poll.pk})
    assert response.status_code == 400
    assert Resolution.objects.get(pk=planned.pk).status == Status.REVIEWED


def test_adoption_without_a_number_answers_400_and_changes_nothing(client, people, planned):
    for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
        services.transition(people["manager"], planned, status)
    client.force_login(people["manager"])
    response = client.post(url("transition", planned.pk, "adopted"), {"step-adopted-decided_on": "2026-07-10"})
    assert response.status_code == 400
    assert Resolution.objects.get(pk=planned.pk).status == Status.SUBMITTED


def test_a_taken_number_is_shown_as_a_refusal(client, people, term, adopted, planned):
    for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
        services.transition(people["manager"], planned, status)
    client.force_login(people["manager"])
    response = client.post(url("transition", planned.pk, "adopted"), {
        "step-adopted-number": adopted.number, "step-adopted-decided_on": "2026-07-10"})
    assert response.status_code == 400 and "đã có nghị quyết khác" in response.context["refusal"]
    assert Resolution.objects.get(pk=planned.pk).number == ""


def test_a_step_out_of_order_through_the_page_answers_409(client, people, planned):
    client.force_login(people["manager"])
    response = client.post(url("transition", planned.pk, "completed"))
    assert response.status_code == 409
    assert Resolution.objects.get(pk=planned.pk).status == Status.PLANNED


def test_a_get_on_a_step_is_not_allowed(client, people, planned):
    client.force_login(people["manager"])
    assert client.get(url("transition", planned.pk, "drafting")).status_code == 405


def test_the_page_shows_the_tasks_with_computed_progress(client, people, adopted, finance):
    services.create_task(people["manager"], resolution=adopted, title="Hỗ trợ học phí", lead_agency=finance,
                         due_on=dt.date(2020, 1, 1), milestones=[{"title": "Ban hành hướng dẫn"}])
    client.force_login(people["manager"])
    response = client.get(url("resolution", adopted.pk))
    row = response.context["tasks"][0]
    assert (row["percent"], row["overdue"], response.context["overall"]) == (0, True, 0)
    assert "Quá hạn" in response.content.decode()


def test_a_document_and_a_link_through_the_page(client, people, term, planned, adopted):
    draft = Document.objects.create(kind="draft_resolution", summary="Dự thảo lần 1", status="draft", access="internal")
    client.force_login(people["manager"])
    assert client.post(url("attach_document", planned.pk), {"document": draft.pk, "role": "draft"}).status_code == 302
    assert client.post(url("add_link", planned.pk), {"kind": "replaces", "target": adopted.pk}).status_code == 302
    page = client.get(url("resolution", planned.pk)).content.decode()
    assert "Dự thảo lần 1" in page and adopted.title in page
    back = client.get(url("resolution", adopted.pk)).context["links"]["in"]
    assert [link.source_id for link in back] == [planned.pk]


def test_a_self_link_through_the_page_answers_400(client, people, planned):
    client.force_login(people["manager"])
    response = client.post(url("add_link", planned.pk), {"kind": "amends", "target": planned.pk})
    assert response.status_code == 400 and not ResolutionLink.objects.exists()


def test_a_duplicate_document_through_the_page_answers_400(client, people, planned):
    draft = Document.objects.create(kind="draft_resolution", summary="Dự thảo", status="draft", access="internal")
    services.attach_document(people["manager"], planned, draft, "draft")
    client.force_login(people["manager"])
    response = client.post(url("attach_document", planned.pk), {"document": draft.pk, "role": "other"})
    assert response.status_code == 400 and "đã có trong hồ sơ" in response.context["refusal"]


def test_a_number_is_corrected_through_the_page_and_a_forged_one_refused(client, people, adopted):
    client.force_login(people["agent"])
    assert client.post(url("correct_number", adopted.pk), {"number": "99/2026/NQ-HĐND", "reason": "x"}).status_code == 403
    client.force_login(people["manager"])
    assert client.post(url("correct_number", adopted.pk), {"number": "13/2026/NQ-HĐND"}).status_code == 400
    assert Resolution.objects.get(pk=adopted.pk).number == "12/2026/NQ-HĐND"
    response = client.post(url("correct_number", adopted.pk), {"number": "13/2026/NQ-HĐND", "reason": "Gõ nhầm"})
    assert response.status_code == 302 and Resolution.objects.get(pk=adopted.pk).number == "13/2026/NQ-HĐND"


def test_a_draft_lists_the_library_versions_as_its_draft_versions(client, people, planned):
    from library.models import DocumentVersion

    draft = Document.objects.create(kind="draft_resolution", summary="Dự thảo NQ phí", status="draft", access="internal")
    for n in (1, 2):
        DocumentVersion.objects.create(document=draft, number=n, file=f"d{n}.pdf", original_name=f"du-thao-lan-{n}.pdf",
                                       file_kind="pdf", size=10, sha256="0" * 64, note="Sau góp ý" if n == 2 else "")
    services.attach_document(people["manager"], planned, draft, "draft")
    client.force_login(people["manager"])
    body = client.get(url("resolution", planned.pk)).content.decode()
    assert body.index("du-thao-lan-2.pdf") < body.index("du-thao-lan-1.pdf") and "Sau góp ý" in body


def test_a_step_posted_without_the_csrf_token_is_refused(people, planned):
    from django.test import Client

    forger = Client(enforce_csrf_checks=True)
    forger.force_login(people["manager"])
    assert forger.post(url("transition", planned.pk, "drafting")).status_code == 403
    assert Resolution.objects.get(pk=planned.pk).status == Status.PLANNED


def test_an_anonymous_step_is_sent_to_sign_in_and_changes_nothing(client, planned):
    response = client.post(url("transition", planned.pk, "drafting"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert Resolution.objects.get(pk=planned.pk).status == Status.PLANNED


def test_a_navigation_entry_whose_page_is_not_built_yet_is_left_out(people, monkeypatch):
    monkeypatch.setattr(navigation, "LINKS", [
        (("resolutions:not_built_yet", "resolutions:programme"), "Chương trình", lambda user: True),
        (("resolutions:tasks_not_merged",), "Nhiệm vụ", lambda user: True)])
    assert navigation.links_for(people["manager"]) == [(url("programme"), "Chương trình")]


def test_a_withdrawn_resolution_is_drawn_to_the_step_it_left_from(people, planned):
    from resolutions import pages

    services.transition(people["manager"], planned, Status.DRAFTING)
    withdrawn = services.transition(people["manager"], planned, Status.WITHDRAWN)
    drawn = [(s["status"], s["state"]) for s in pages.steps(withdrawn)]
    assert drawn == [("planned", "done"), ("drafting", "done"), ("withdrawn", "current end")]
    assert pages.next_steps(withdrawn) == []


def test_the_resolution_page_links_its_tasks_and_offers_a_new_one(client, people, adopted, finance):
    task = services.create_task(people["manager"], resolution=adopted, title="Hỗ trợ học phí", lead_agency=finance,
                                due_on=dt.date(2027, 1, 1))
    client.force_login(people["manager"])
    body = client.get(url("resolution", adopted.pk)).content.decode()
    assert f'href="{url("task", task.pk)}"' in body and f'href="{url("task_new", adopted.pk)}"' in body


def test_a_committee_member_is_offered_the_supervisions_alone_and_may_open_them(client, people, term):
    from meeting.models import Member, Membership

    committee = Body.objects.create(name="Ban Kinh tế - Ngân sách", kind=Body.Kind.COMMITTEE, term=term)
    member = Member.objects.create(user=people["stranger"], code="DB900", full_name="Đại biểu Ban")
    Membership.objects.create(body=committee, member=member)
    links = navigation.links_for(people["stranger"])
    assert [href for href, _label in links] == [url("supervisions")]
    client.force_login(people["stranger"])
    assert client.get(url("supervisions")).status_code == 200
