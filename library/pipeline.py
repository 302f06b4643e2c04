"""What the background job does with a new version, in order, with progress:

1. copy the stored file to a private temporary folder (storage may be S3);
2. extract its text (library.extract) — 10 %;
3. DOCX/XLSX: make the PDF rendition the viewer shows (library.rendition) — 30 %;
4. draw page images and thumbnails (library.pages), page by page — 30…90 %;
5. index the document for search (library.search) — 100 %, ready.

A failure marks the version failed with a message the secretary sees; the
document and its earlier versions stay as they were.
"""

import logging
import shutil
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from .models import DocumentVersion

logger = logging.getLogger(__name__)


def _set(version_id: int, **fields):
    DocumentVersion.objects.filter(pk=version_id).update(**fields)


def _tell_sittings(version) -> None:
    """documents.changed in the sittings of the document, if this is its current version."""
    if type(version.document).objects.filter(pk=version.document_id, current_version_id=version.pk).exists():
        from .services import notify_processed

        notify_processed(version.document_id)


def process(version_id: int) -> dict:
    from . import extract, pages, rendition, search

    version = DocumentVersion.objects.select_related("document").get(pk=version_id)
    if version.state == DocumentVersion.State.HELD:
        # Not confirmed as unclassified yet (library.services.confirm_unclassified enqueues it again).
        return {"version": version_id, "held": True}
    # The state is in the sittings' snapshots: each change of it commits with its event.
    with transaction.atomic():
        _set(version_id, state=DocumentVersion.State.PROCESSING, progress=1, error="")
        _tell_sittings(version)
    storage = version.file.storage
    workdir = Path(tempfile.mkdtemp(prefix="hdnd-doc-"))
    try:
        source = workdir / f"source.{version.file_kind}"
        with storage.open(version.file.name, "rb") as src, open(source, "wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)

        extracted = extract.extract(version.file_kind, source)
        _set(version_id, text=extracted.text, page_count=extracted.page_count, progress=10)

        pdf = source if version.file_kind == "pdf" else None
        if version.file_kind in ("docx", "xlsx"):
            pdf = workdir / "rendition.pdf"
            how = rendition.to_pdf(version.file_kind, source, pdf, text=extracted.text)
            target = f"renditions/{version_id}.pdf"
            if storage.exists(target):  # a job run again replaces its rendition
                storage.delete(target)
            with open(pdf, "rb") as fh:
                name = storage.save(target, File(fh))
            _set(version_id, rendition=name, rendition_kind=how, progress=30)

        def on_page(done: int, total: int):
            _set(version_id, pages_ready=done, page_count=total, progress=30 + int(60 * done / max(total, 1)))

        total = pages.render(version_id, pdf if pdf is not None else source, version.file_kind, storage, on_page)
        _set(version_id, page_count=total, pages_ready=total, progress=90)

        with transaction.atomic():
            search.index_document(version.document_id)
            _set(version_id, state=DocumentVersion.State.READY, progress=100, processed_at=timezone.now())
            if type(version.document).objects.filter(pk=version.document_id, current_version_id=version_id).exists():
                from .services import notify_processed

                notify_processed(version.document_id)
        return {"version": version_id, "pages": total}
    except Exception as exc:
        logger.exception("processing version %s failed", version_id)
        with transaction.atomic():
            _set(version_id, state=DocumentVersion.State.FAILED, error=str(exc)[:500], processed_at=timezone.now())
            _tell_sittings(version)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
