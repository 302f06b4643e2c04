"""The demo council comes with real documents (library.demo), uploaded through
the checks, attached to the sitting's agenda items and mostly published."""

import pytest
from django.test import override_settings

from agenda.models import AgendaItem
from library import worker
from library.models import Attachment, Document
from meeting.demo import load_demo

# Committed transactions: the worker checks its connection between jobs (close_old_connections),
# which closes a connection left inside a test's transaction on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(OFFICE_CONVERTER="builtin")
def test_the_demo_session_has_documents_on_its_agenda_that_process_to_ready():
    sitting = load_demo()
    documents = Document.objects.filter(session=sitting.session)
    assert {d.current_version.file_kind for d in documents} == {"pdf", "docx", "xlsx"}
    assert documents.filter(status="draft").count() == 1
    assert documents.filter(status="published").count() == documents.count() - 1
    assert documents.filter(access="public", status="published").exists()
    # Its history: sent a week ahead, the draft resolution late (the flag the checklist shows).
    late = set(documents.filter(published_late=True).values_list("kind", flat=True))
    assert late == {"draft_resolution"}
    items = AgendaItem.objects.filter(sitting=sitting)
    budget = items.get(title__startswith="Tờ trình về dự toán")
    attached = Attachment.objects.filter(object_id=budget.pk, document__in=documents)
    assert {a.document.current_version.file_kind for a in attached} == {"pdf", "xlsx"}
    assert all(d.current_version.state == "queued" for d in documents)  # queued, not run, by load_demo

    worker.drain()
    for document in documents:
        version = document.versions.get()
        assert version.state == "ready", version.error
        assert version.page_count >= 1 and version.pages_ready == version.page_count
    submission = documents.get(number="125/TTr-UBND").versions.get()
    assert submission.page_count >= 2 and "dự toán ngân sách địa phương" in submission.text
    assert "Chi đầu tư phát triển" in documents.get(current_version__file_kind="xlsx").versions.get().text
