"""library_recheck: today's upload checks over files stored before them.

A PDF with a script and a stamped page were stored (by an older version of
the checks; here written straight into storage); the command names them with
their refusal code and exits 1, and leaves a clean PDF alone. It changes nothing.
"""

import io

import pytest
from django.core.management import call_command

from library.models import Document, DocumentVersion

from . import samples

pytestmark = pytest.mark.django_db


def _stored(user, summary: str, data: bytes, name: str) -> Document:
    """A document whose file sits in storage as an older release accepted it (no check run now)."""
    storage = DocumentVersion._meta.get_field("file").storage
    stored = storage.save(f"files/recheck/{name}", io.BytesIO(data))
    document = Document.objects.create(summary=summary, created_by=user)
    version = DocumentVersion.objects.create(document=document, number=1, file=stored, original_name=name,
                                             file_kind="pdf", size=len(data), sha256="0" * 64, state="ready")
    Document.objects.filter(pk=document.pk).update(current_version=version)
    return document


def test_stored_files_that_todays_checks_refuse_are_listed(users):
    secretary = users["secretary"]
    script = _stored(secretary, "Tờ trình có mã", samples.pdf_with_document_script(), "to-trinh.pdf")
    stamped = _stored(secretary, "Báo cáo mật", samples.pdf(("Trang một", "TỐI MẬT\nPhụ lục")), "bao-cao.pdf")
    clean = _stored(secretary, "Nghị quyết", samples.official_pdf(), "nghi-quyet.pdf")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("library_recheck", stdout=out)
    report = out.getvalue()
    assert exited.value.code == 1
    assert f"REFUSE document {script.pk} v1 (to-trinh.pdf): active_content" in report
    assert f"REFUSE document {stamped.pk} v1 (bao-cao.pdf): classified" in report
    assert f"document {clean.pk} " not in report and "2 would be refused" in report
    assert DocumentVersion.objects.filter(state="ready").count() == 3  # nothing changed
