"""Every byte of a document leaves through these views: the current file, a
given version's file, the PDF rendition of a DOCX/XLSX, page images and
thumbnails.

Each view asks accounts.permissions.may_read_document first. One rule for
refusals: a document this person may not read answers 404, exactly as a
document that does not exist, so nobody learns which numbers exist (drafts,
internal papers). Nothing here redirects to the login page: the viewer page
(views_viewer) does that for someone not signed in.

Downloads of the file or the rendition record a read receipt and, for a
non-public document, an audit row (services.audit_read). Page images and
thumbnails are neither: opening the viewer already counted as reading.

Bytes are streamed from the documents storage (folder or S3). Behind nginx,
with DOCUMENT_ACCEL_REDIRECT set and a folder storage, the reply carries
X-Accel-Redirect and nginx sends the file itself after our check.

Caching: always `private` (never a shared cache), with an ETag from the
version's sha256 (files) or the version and page (images), so revisits and the
terminal's offline copy revalidate with a 304.
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from accounts.permissions import may_read_document

from . import services
from .models import Document, DocumentVersion
from .paths import page_name, thumb_name

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
# Page images never change for a version; a short private lifetime spares a
# revalidation per page while reading, and a withdrawn document stops being
# served within minutes even from the reader's own browser cache.
IMAGE_MAX_AGE = 300


def readable_version(request, version_id: int) -> DocumentVersion:
    """The version, if this person may read its document; 404 otherwise (also for a withdrawn one)."""
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), pk=version_id)
    if not may_read_document(request.user, version.document):
        raise Http404
    return version


def readable_document(request, document_id: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("current_version"), pk=document_id)
    if not may_read_document(request.user, document):
        raise Http404
    return document


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in header.split(",") if tag.strip())


def _cache_headers(response, etag: str, max_age: int = 0):
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={max_age}" + (", must-revalidate" if not max_age else "")
    response["Vary"] = "Cookie"
    return response


def _send(request, storage_name: str, *, content_type: str, etag: str, filename: str | None = None,
          max_age: int = 0, inline: bool = True):
    """Reply with a stored file: 304, X-Accel-Redirect, or the streamed bytes."""
    if _etag_matches(request, etag):
        return _cache_headers(HttpResponseNotModified(), etag, max_age)
    storage = DocumentVersion._meta.get_field("file").storage
    accel = settings.DOCUMENT_ACCEL_REDIRECT
    if accel and isinstance(storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(storage_name)
    else:
        try:
            handle = storage.open(storage_name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    if filename:
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return _cache_headers(response, etag, max_age)


def _file_reply(request, version: DocumentVersion, *, as_attachment: bool):
    document = version.document
    if not _etag_matches(request, f'"{version.sha256}"'):
        # A download is a reading (and audited when not public); a revalidation is not.
        services.record_read(request.user, document, version)
        services.audit_read(request.user, document, version, what="download")
    content_type = CONTENT_TYPES.get(version.file_kind) or mimetypes.guess_type(version.original_name)[0] \
        or "application/octet-stream"
    return _send(request, version.file.name, content_type=content_type, etag=f'"{version.sha256}"',
                 filename=version.original_name, inline=not as_attachment)


@require_safe
def current_file(request, document_id: int):
    """The current version's original file, as uploaded (?inline=1 to open it in the browser)."""
    document = readable_document(request, document_id)
    if document.current_version is None:
        raise Http404
    version = document.current_version
    version.document = document
    return _file_reply(request, version, as_attachment=request.GET.get("inline") != "1")


@require_safe
def version_file(request, version_id: int):
    version = readable_version(request, version_id)
    return _file_reply(request, version, as_attachment=request.GET.get("inline") != "1")


@require_safe
def rendition(request, version_id: int):
    """The PDF made from a DOCX/XLSX at upload (a PDF is its own rendition)."""
    version = readable_version(request, version_id)
    if version.file_kind == "pdf":
        return _file_reply(request, version, as_attachment=False)
    if not version.rendition:
        raise Http404
    etag = f'"{version.sha256}-pdf"'
    if not _etag_matches(request, etag):
        services.record_read(request.user, version.document, version)
        services.audit_read(request.user, version.document, version, what="download")
    stem = version.original_name.rsplit(".", 1)[0] or "tai-lieu"
    return _send(request, version.rendition.name, content_type="application/pdf", etag=etag, filename=f"{stem}.pdf")


def _image(request, version_id: int, page: int, name_of):
    version = readable_version(request, version_id)
    if not 1 <= page <= version.pages_ready:
        raise Http404
    return _send(request, name_of(version.pk, page), content_type="image/webp",
                 etag=f'"v{version.pk}-{version.sha256[:16]}-{name_of.__name__[0]}{page}"', max_age=IMAGE_MAX_AGE)


@require_safe
def page_image(request, version_id: int, page: int):
    return _image(request, version_id, page, page_name)


@require_safe
def thumb_image(request, version_id: int, page: int):
    return _image(request, version_id, page, thumb_name)
