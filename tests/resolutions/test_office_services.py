"""The programme's and the file's services (resolutions.services): create, update by status, attach
and detach a library document, link and unlink. Each: success with its audit row, refusals with
their stable codes and nothing changed."""

import datetime as dt

import pytest

from audit.models import AuditRecord
from library.models import Document
from meeting.models import Body
from resolutions import services
from resolutions.models import Resolution, ResolutionDocument, ResolutionLink, Status
from resolutions.services import ResolutionError
from tests.resolutions.fixtures import *  # noqa: F401,F403
from tests.resolutions.fixtures import adopt


@pytest.fixture
def committee(term):
    return Body.objects.create(name="Ban Kinh tế - Ngân sách", kind=Body.Kind.COMMITTEE, term=term)


@pytest.fixture
def planned(people, term, finance):
    return services.create_resolution(people["manager"], title="Nghị quyết về phí tham quan", term=term,
                                      planned_year=2026, area="fees", lead_agency=finance)


def document(kind="resolution", status="published", access="public", summary="Nghị quyết đã ký"):
    return Document.objects.create(kind=kind, summary=summary, status=status, access=access)


# ---- create ------------------------------------------------------------------------

def test_a_manager_creates_a_planned_resolution_audited(people, term, committee, finance):
    made = services.create_resolution(people["manager"], title="  Quy định mức thu phí  ", term=term,
                                      planned_year=2027, area="fees", lead_agency=finance, reviewing_committee=committee)
    assert (made.status, made.title, made.created_by) == (Status.PLANNED, "Quy định mức thu phí", people["manager"])
    assert AuditRecord.objects.filter(action="resolutions.create", outcome="ok").count() == 1


@pytest.mark.parametrize("who", ["clerk", "agent", "stranger"])
def test_only_resolution_staff_create(people, term, who):
    with pytest.raises(ResolutionError) as refused:
        services.create_resolution(people[who], title="X", term=term, planned_year=2027)
    assert refused.value.code == "forbidden"
    assert not Resolution.objects.exists()


def test_create_refuses_an_empty_title_and_a_wild_year(people, term):
    for kwargs, code in (({"title": "  ", "planned_year": 2027}, "title_required"),
                         ({"title": "X", "planned_year": 1890}, "bad_year")):
        with pytest.raises(ResolutionError) as refused:
            services.create_resolution(people["manager"], term=term, **kwargs)
        assert refused.value.code == code
    assert not Resolution.objects.exists()


def test_the_reviewing_committee_must_be_a_committee(people, term):
    standing = Body.objects.create(name="Thường trực", kind=Body.Kind.STANDING, term=term)
    with pytest.raises(ResolutionError) as refused:
        services.create_resolution(people["manager"], title="X", term=term, planned_year=2027, reviewing_committee=standing)
    assert refused.value.code == "bad_committee"
    assert not Resolution.objects.exists()


# ---- update ------------------------------------------------------------------------

def test_a_planned_resolution_takes_its_plan_fields(people, planned, committee):
    services.update_resolution(people["manager"], planned, title="Phí tham quan di tích", reviewing_committee=committee)
    planned.refresh_from_db()
    assert (planned.title, planned.reviewing_committee) == ("Phí tham quan di tích", committee)
    record = AuditRecord.objects.filter(action="resolutions.update").get()
    assert record.detail["changed"] == ["title", "reviewing_committee"]


def test_after_adoption_the_title_is_locked(people, planned):
    adopted = adopt(people["manager"], planned)
    with pytest.raises(ResolutionError) as refused:
        services.update_resolution(people["manager"], adopted, title="Khác", area="budget")
    assert refused.value.code == "field_locked"
    adopted.refresh_from_db()
    assert (adopted.title, adopted.area) == ("Nghị quyết về phí tham quan", "fees")


def test_after_adoption_the_signed_document_and_effective_date_are_set(people, planned):
    adopted = adopt(people["manager"], planned)
    signed = document()
    services.update_resolution(people["manager"], adopted, signed_document=signed, effective_on=dt.date(2026, 8, 1))
    adopted.refresh_from_db()
    assert (adopted.signed_document, adopted.effective_on) == (signed, dt.date(2026, 8, 1))


def test_the_signed_document_must_be_a_resolution_of_the_library(people, planned):
    adopted = adopt(people["manager"], planned)
    with pytest.raises(ResolutionError) as refused:
        services.update_resolution(people["manager"], adopted, signed_document=document(kind="submission"))
    assert refused.value.code == "bad_document"
    assert Resolution.objects.get(pk=adopted.pk).signed_document is None


def test_the_number_is_never_edited_outside_a_step(people, planned):
    with pytest.raises(ResolutionError) as refused:
        services.update_resolution(people["manager"], planned, number="99/2026/NQ-HĐND")
    assert refused.value.code == "field_locked"
    assert Resolution.objects.get(pk=planned.pk).number == ""


def test_a_withdrawn_resolution_takes_no_change(people, planned):
    services.transition(people["manager"], planned, Status.WITHDRAWN)
    with pytest.raises(ResolutionError) as refused:
        services.update_resolution(people["manager"], planned, public=False)
    assert refused.value.code == "field_locked"
    assert Resolution.objects.get(pk=planned.pk).public is True


def test_only_resolution_staff_update(people, planned):
    with pytest.raises(ResolutionError) as refused:
        services.update_resolution(people["agent"], planned, title="Khác")
    assert refused.value.code == "forbidden"
    assert Resolution.objects.get(pk=planned.pk).title == "Nghị quyết về phí tham quan"


# ---- the file ----------------------------------------------------------------------

def test_a_library_document_joins_the_file_with_its_role(people, planned):
    draft = document(kind="draft_resolution", status="draft", access="internal", summary="Dự thảo")
    attached = services.attach_document(people["manager"], planned, draft, "draft")
    assert (attached.resolution, attached.document, attached.role) == (planned, draft, "draft")
    assert AuditRecord.objects.filter(action="resolutions.document_attach", outcome="ok").count() == 1


def test_a_document_joins_the_file_once(people, planned):
    draft = document(kind="draft_resolution")
    services.attach_document(people["manager"], planned, draft, "draft")
    with pytest.raises(ResolutionError) as refused:
        services.attach_document(people["manager"], planned, draft, "other")
    assert refused.value.code == "already_attached"
    assert ResolutionDocument.objects.get().role == "draft"


def test_a_withdrawn_document_or_an_unknown_role_is_refused(people, planned):
    for doc, role, code in ((document(status="withdrawn"), "signed", "bad_document"), (document(), "poster", "bad_role")):
        with pytest.raises(ResolutionError) as refused:
            services.attach_document(people["manager"], planned, doc, role)
        assert refused.value.code == code
    assert not ResolutionDocument.objects.exists()


def test_detaching_keeps_the_library_document(people, planned):
    draft = document(kind="draft_resolution")
    attached = services.attach_document(people["manager"], planned, draft, "draft")
    services.detach_document(people["manager"], attached)
    assert not ResolutionDocument.objects.exists() and Document.objects.filter(pk=draft.pk).exists()
    assert AuditRecord.objects.filter(action="resolutions.document_detach").count() == 1


def test_only_resolution_staff_attach(people, planned):
    with pytest.raises(ResolutionError) as refused:
        services.attach_document(people["clerk"], planned, document(), "signed")
    assert refused.value.code == "forbidden"
    assert not ResolutionDocument.objects.exists()


# ---- links -------------------------------------------------------------------------

@pytest.fixture
def three(people, term):
    return [services.create_resolution(people["manager"], title=f"NQ {i}", term=term, planned_year=2026) for i in range(3)]


def test_a_link_is_made_and_audited(people, three):
    a, b, _c = three
    made = services.link(people["manager"], a, b, "amends")
    assert (made.source, made.target, made.kind) == (a, b, "amends")
    assert AuditRecord.objects.filter(action="resolutions.link", outcome="ok").count() == 1


def test_a_resolution_does_not_link_to_itself(people, three):
    with pytest.raises(ResolutionError) as refused:
        services.link(people["manager"], three[0], three[0], "amends")
    assert refused.value.code == "self_link"
    assert not ResolutionLink.objects.exists()


def test_a_pair_is_linked_once_either_way(people, three):
    a, b, _c = three
    services.link(people["manager"], a, b, "amends")
    for source, target in ((a, b), (b, a)):
        with pytest.raises(ResolutionError) as refused:
            services.link(people["manager"], source, target, "replaces")
        assert refused.value.code == "link_exists"
    assert ResolutionLink.objects.count() == 1


def test_a_chain_that_comes_back_is_refused(people, three):
    a, b, c = three
    services.link(people["manager"], a, b, "amends")
    services.link(people["manager"], b, c, "replaces")
    with pytest.raises(ResolutionError) as refused:
        services.link(people["manager"], c, a, "amends")
    assert refused.value.code == "link_cycle"
    assert ResolutionLink.objects.count() == 2


def test_an_unknown_kind_of_link_is_refused(people, three):
    with pytest.raises(ResolutionError) as refused:
        services.link(people["manager"], three[0], three[1], "cancels")
    assert refused.value.code == "bad_kind"
    assert not ResolutionLink.objects.exists()


def test_only_resolution_staff_link_and_unlink(people, three):
    with pytest.raises(ResolutionError) as refused:
        services.link(people["stranger"], three[0], three[1], "amends")
    assert refused.value.code == "forbidden"
    made = services.link(people["manager"], three[0], three[1], "amends")
    with pytest.raises(ResolutionError):
        services.unlink(people["agent"], made)
    assert ResolutionLink.objects.filter(pk=made.pk).exists()


def test_unlink_removes_the_link_audited(people, three):
    made = services.link(people["manager"], three[0], three[1], "amends")
    services.unlink(people["manager"], made)
    assert not ResolutionLink.objects.exists()
    assert AuditRecord.objects.filter(action="resolutions.unlink", outcome="ok").count() == 1


# ---- correcting the number ---------------------------------------------------------

def test_a_number_is_corrected_with_a_reason_audited(people, adopted):
    services.correct_number(people["manager"], adopted, "13/2026/NQ-HĐND", reason="Gõ nhầm số thứ tự")
    adopted.refresh_from_db()
    assert adopted.number == "13/2026/NQ-HĐND"
    record = AuditRecord.objects.get(action="resolutions.correct_number")
    assert (record.detail["from"], record.detail["to"]) == ("12/2026/NQ-HĐND", "13/2026/NQ-HĐND")


@pytest.mark.parametrize("number,reason,code", [("13/2026/NQ-HĐND", " ", "reason_required"),
                                                ("  ", "Nhầm", "number_required"),
                                                ("12/2026/NQ-HĐND", "Nhầm", "bad_field")])
def test_a_correction_needs_a_new_number_and_a_reason(people, adopted, number, reason, code):
    with pytest.raises(ResolutionError) as refused:
        services.correct_number(people["manager"], adopted, number, reason=reason)
    assert refused.value.code == code
    assert Resolution.objects.get(pk=adopted.pk).number == "12/2026/NQ-HĐND"


def test_a_correction_to_a_taken_number_is_refused(people, term, adopted):
    other = adopt(people["manager"], Resolution.objects.create(title="Khác", term=term, planned_year=2026),
                  number="14/2026/NQ-HĐND")
    with pytest.raises(ResolutionError) as refused:
        services.correct_number(people["manager"], adopted, other.number, reason="Nhầm")
    assert refused.value.code == "number_taken"
    assert Resolution.objects.get(pk=adopted.pk).number == "12/2026/NQ-HĐND"


def test_a_resolution_without_a_number_has_nothing_to_correct(people, planned):
    with pytest.raises(ResolutionError) as refused:
        services.correct_number(people["manager"], planned, "1/2026/NQ-HĐND", reason="Nhầm")
    assert refused.value.code == "not_adopted_yet"


def test_only_resolution_staff_correct_a_number(people, adopted):
    with pytest.raises(ResolutionError) as refused:
        services.correct_number(people["clerk"], adopted, "13/2026/NQ-HĐND", reason="Nhầm")
    assert refused.value.code == "forbidden"
    assert Resolution.objects.get(pk=adopted.pk).number == "12/2026/NQ-HĐND"
