"""Public media (member photos only), and how a private file leaves after an access check.

MEDIA_ROOT holds what may be public, the members' photos (meeting.Member.photo, upload_to
"members/"), served at /media/members/<name>: by nginx from the media volume in production
(deploy/nginx.conf), by this view otherwise (the embedded default, a server without nginx).
Nothing else under /media/ is served, in DEBUG or not: citizens' letters' scans live in the
private documents storage (petitions/files.py) and leave only through access-checked views.
"""

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from django.views.static import serve

PHOTOS = "members"
MAX_AGE = 3600  # as nginx's `expires 1h`


@require_safe
def member_photo(request, path: str):
    # serve() refuses a path leaving the folder (safe_join) and a folder itself (404).
    response = serve(request, path, document_root=Path(settings.MEDIA_ROOT) / PHOTOS)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def send_private(stored, *, content_type: str, filename: str, as_attachment: bool) -> HttpResponse:
    """Reply with a file of the private documents storage (a FieldFile), after the caller's access
    check: behind nginx, with DOCUMENT_ACCEL_REDIRECT set and a folder storage, X-Accel-Redirect to
    nginx's internal location (which also answers byte ranges, so a recording can be sought);
    otherwise Django streams the bytes itself. Letters' scans (petitions/files.py) and the sittings'
    recordings (video/views.py) leave this way."""
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
