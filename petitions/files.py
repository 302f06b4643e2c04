"""Where citizens' letters' files live, and how they leave.

Scans and attachments of letters (CaseFile.file) and the Fatherland Front's report on a
session's voters' petitions (PetitionCompilation.front_file) carry names, addresses, ID cards
and handwriting: they live in the private documents storage (STORAGES["documents"]: the
DOCUMENT_ROOT folder, or the S3 bucket of DOCUMENT_STORAGE_URL), under petitions/, beside the
library's files and never under MEDIA_ROOT, which holds only what may be public (member photos,
served at /media/members/). Migration 0011 moved the files of earlier versions out of MEDIA_ROOT.

A file leaves only through the access-checked views (views_office.case_file,
views_agency.transfer_file, views_voter_petitions.front_file), which hand it to send(): behind
nginx, with DOCUMENT_ACCEL_REDIRECT set and a folder storage, the reply carries X-Accel-Redirect
to nginx's internal location (the library's pattern, library/views_files.py); otherwise Django
streams the bytes itself.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

STORAGE = "documents"


def private_storage():
    """The storage of letters' files (a callable, so the migrations name it rather than a folder)."""
    return storages[STORAGE]


def send(stored, *, content_type: str, filename: str, as_attachment: bool) -> HttpResponse:
    """Reply with a stored letter's file (a FieldFile), after the caller's access check."""
    storage = stored.storage
    accel = settings.DOCUMENT_ACCEL_REDIRECT
    if accel and isinstance(storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(stored.name)
    else:
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, OSError) as missing:
            raise Http404("file missing") from missing
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
