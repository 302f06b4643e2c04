"""Public media: member photos only.

MEDIA_ROOT holds what may be public, the members' photos (meeting.Member.photo, upload_to
"members/"), served at /media/members/<name>: by nginx from the media volume in production
(deploy/nginx.conf), by this view otherwise (the embedded default, a server without nginx).
Nothing else under /media/ is served, in DEBUG or not: citizens' letters' scans live in the
private documents storage (petitions/files.py) and leave only through access-checked views.
"""

from pathlib import Path

from django.conf import settings
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
