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

from django.core.files.storage import storages

from config.media import send_private

STORAGE = "documents"


def private_storage():
    """The storage of letters' files (a callable, so the migrations name it rather than a folder)."""
    return storages[STORAGE]


# Letters' files leave as every private file does (config/media.py).
send = send_private
