"""library.services: the rules of the document life cycle, through the one service module.

Files and their checks are tested in test_files.py; here a version's bytes are
a tiny PDF stub written straight to storage where the rule under test does
not read them.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import AuditRecord
from library import services
from library.models import Attachment, Document, DocumentVersion, ReadReceipt

pytestmark = pytest.mark.django_db


def _with_version(sitting, user, **meta):
    meta = {"summary": "Tờ trình về dự thảo Nghị quyết", "access": "delegates", "session": sitting.session,
            "body": sitting.body, **meta}
    doc = Document.objects.create(created_by=user, **meta)
    version = DocumentVersion(document=doc, number=1, original_name="a.pdf", file_kind="pdf", size=5,
                              sha256="0" * 64, uploaded_by=user)
    version.file.save("svc-test.pdf", ContentFile(b"%PDF-"), save=False)
    version.save()
    Document.objects.filter(pk=doc.pk).update(current_version=version)
    return Document.objects.get(pk=doc.pk)


@pytest.mark.parametrize("level", ["mat", "toi_mat", "tuyet_mat"])
def test_a_declared_classified_document_is_refused_with_the_law_and_nothing_is_stored(sitting, users, level):
    before = Document.objects.count(), DocumentVersion.objects.count()
    with pytest.raises(services.LibraryError) as refused:
        services.upload(users["secretary"], io.BytesIO(b"%PDF-1.4"), name="mat.pdf", classification=level,
                        summary="Báo cáo", session=sitting.session)
    assert refused.value.code == "classified"
    assert "117/2025/QH15" in refused.value.message and services.CLASSIFIED[level] in refused.value.message
    assert (Document.objects.count(), DocumentVersion.objects.count()) == before


@pytest.mark.parametrize("who", ["alice", "guest", "chair"])
def test_only_office_staff_manage_documents_and_refusals_are_audited(sitting, users, who):
    doc = _with_version(sitting, users["secretary"])
    for call in (lambda: services.publish(users[who], [doc]),
                 lambda: services.update_metadata(users[who], doc, summary="Khác"),
                 lambda: services.withdraw(users[who], doc)):
        with pytest.raises(services.LibraryError) as refused:
            call()
        assert refused.value.code == "forbidden"
    doc.refresh_from_db()
    assert doc.status == "draft" and doc.summary == "Tờ trình về dự thảo Nghị quyết"
    assert AuditRecord.objects.filter(user=users[who], outcome="forbidden", action__startswith="library.").count() == 3


def test_metadata_is_checked_before_anything_changes(sitting, users):
    doc = _with_version(sitting, users["secretary"])
    for bad in ({"summary": "  "}, {"access": "secret"}, {"kind": "poem"}, {"colour": "red"}):
        with pytest.raises(services.LibraryError) as refused:
            services.update_metadata(users["secretary"], doc, **bad)
        assert refused.value.code == "invalid"
    doc.refresh_from_db()
    assert doc.summary == "Tờ trình về dự thảo Nghị quyết" and doc.access == "delegates"


def test_publishing_on_time_and_late_follows_the_due_days_setting(sitting, users, settings, django_capture_on_commit_callbacks):
    settings.DOCUMENTS_DUE_DAYS = 5
    session = sitting.session
    today = timezone.localdate()
    session.start_date = today + timedelta(days=5)  # due today: on time
    session.end_date = session.start_date + timedelta(days=2)
    session.save()
    on_time = _with_version(sitting, users["secretary"], summary="Đúng hạn")
    with django_capture_on_commit_callbacks():
        services.publish(users["secretary"], [on_time])
    on_time.refresh_from_db()
    assert on_time.status == "published" and not on_time.published_late

    session.start_date = today + timedelta(days=4)  # due yesterday: late
    session.save()
    late = _with_version(sitting, users["secretary"], summary="Muộn")
    with django_capture_on_commit_callbacks():
        services.publish(users["secretary"], [late])
    late.refresh_from_db()
    assert late.published_late and services.due_date(session) == today - timedelta(days=1)
    record = AuditRecord.objects.filter(action="library.publish").latest("id")
    assert record.detail["late"] == [late.pk] and record.user == users["secretary"]


def test_publish_session_sends_every_draft_with_a_file_and_nothing_else(sitting, users, django_capture_on_commit_callbacks):
    demo_drafts = set(Document.objects.filter(session=sitting.session, status="draft").values_list("pk", flat=True))
    ready = _with_version(sitting, users["secretary"], summary="Có tệp")
    no_file = Document.objects.create(summary="Chưa có tệp", session=sitting.session, created_by=users["secretary"])
    other_session = _with_version(sitting, users["secretary"], summary="Kỳ họp khác", session=None)
    with django_capture_on_commit_callbacks():
        done = services.publish_session(users["secretary"], sitting.session)
    assert {d.pk for d in done} == demo_drafts | {ready.pk}
    statuses = dict(Document.objects.filter(pk__in=[ready.pk, no_file.pk, other_session.pk]).values_list("pk", "status"))
    assert statuses == {ready.pk: "published", no_file.pk: "draft", other_session.pk: "draft"}
    with pytest.raises(services.LibraryError) as refused:
        services.publish(users["secretary"], [no_file])
    assert refused.value.code == "no_file"


def test_attach_and_detach_to_an_agenda_item_are_idempotent_and_audited(sitting, users):
    doc = _with_version(sitting, users["secretary"])
    item = sitting.agenda_items.order_by("position").first()
    services.attach(users["secretary"], doc, item)
    services.attach(users["secretary"], doc, item)
    assert Attachment.objects.filter(document=doc).count() == 1
    assert services.sittings_for([doc]) == {sitting.pk} | set(sitting.session.sittings.values_list("pk", flat=True))
    services.detach(users["secretary"], doc, item)
    assert not Attachment.objects.filter(document=doc).exists()
    actions = list(AuditRecord.objects.filter(action__in=["library.attach", "library.detach"], detail__document=doc.pk)
                   .values_list("action", flat=True))
    assert sorted(actions) == ["library.attach", "library.attach", "library.detach"]


def test_read_receipts_count_published_reads_per_version_and_ignore_drafts(sitting, users, django_capture_on_commit_callbacks):
    doc = _with_version(sitting, users["secretary"])
    assert services.record_read(users["alice"], doc) is None  # a draft: alice may not read it
    with django_capture_on_commit_callbacks():
        services.publish(users["secretary"], [doc])
    doc.refresh_from_db()
    first = services.record_read(users["alice"], doc)
    again = services.record_read(users["alice"], doc)
    assert first.pk == again.pk and again.count == 2 and again.member == users["alice"].member
    assert services.record_read(users["secretary"], doc).user == users["secretary"]
    assert ReadReceipt.objects.filter(document=doc).count() == 2
