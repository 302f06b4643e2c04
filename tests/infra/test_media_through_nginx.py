"""Through the shipped nginx config: member photos are served, no letter's file ever is
(issue 17, item 4).

Real nginx (Debian's package) with deploy/nginx.conf as shipped — only its upstream, listen address
and folders moved to this test's loopback port and temporary folder — in front of a probe standing
for Django that answers anything it is asked (so a request nginx passed on would show). A member
photo lies in the media volume's members/ folder; a citizen's letter's scan lies both where
versions before migration 0011 kept it (media, petitions/…) and where it lives now (the documents
volume, petitions/…). Every path under /media/ tried here, traversals and encodings included,
answers the photo or 404, never the scan; the documents' internal location answers 404 to a browser.
"""

import http.client
import posixpath
from urllib.parse import unquote

import pytest

from tests.infra.nginx import NGINX_CONF, free_port, local_conf, needs_nginx, start, start_nginx, stop, upstream_servers, wait_for

from .test_forwarded_address import DAPHNE, PROBE

pytestmark = needs_nginx

LETTER = "petitions/2025/06/0a1b2c3d4e5f6a7b.pdf"
SECRET = b"%PDF-1.4 CCCD 001234567890 Le Van Tam, thon 5"
PHOTO = b"\x89PNG\r\n\x1a\n member photo"
# What the probe answers whatever it is asked: if it shows, nginx passed the request on.
ANSWER = PROBE.replace('body = scope["client"][0].encode()', 'body = b"FROM-THE-APP " + scope["path"].encode()')


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media-proxy")
    (folder / "probe.py").write_text(ANSWER)
    for root, name, data in (("media", "members/db001.png", PHOTO), ("media", LETTER, SECRET),
                             ("documents", LETTER, SECRET), ("static", "app.css", b"body{}")):
        (folder / root / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / root / name).write_bytes(data)
    backend, port = free_port(), free_port()
    daphne = start([DAPHNE, "-b", "127.0.0.1", "-p", str(backend), "probe:app"], folder / "daphne.out", cwd=folder)
    # The test's folders are private to root (pytest's tmp_path): nginx's workers read them as root
    # here (local_conf), as the workers read the volumes mounted into the image.
    conf = local_conf(folder, [backend] * len(upstream_servers(NGINX_CONF.read_text())), port,
                      static=folder / "static", documents=folder / "documents", media=folder / "media")
    assert "/srv/" not in conf.read_text()
    nginx = start_nginx(conf, folder)
    try:
        wait_for(backend, daphne, "daphne", folder / "daphne.out")
        wait_for(port, nginx, "nginx", folder / "nginx.out")
        yield port
    finally:
        for proc in (nginx, daphne):
            stop(proc)


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    """The path sent exactly as written (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_a_member_photo_is_served_by_nginx(front):
    status, headers, body = _get(front, "/media/members/db001.png")
    assert (status, body) == (200, PHOTO)
    assert headers["content-type"] == "image/png" and "public" in headers["cache-control"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    f"/media/{LETTER}",
    f"/media/members/../{LETTER}",
    f"/media/members/%2e%2e/{LETTER}",
    f"/media/members/..%2f{LETTER}",
    f"/media/members/%2E%2E%2F{LETTER}",
    f"/media/members%2f..%2f{LETTER}",
    f"/media/members/./../{LETTER}",
    f"/media/members//../{LETTER}",
    f"/media//{LETTER}",
    f"/media/petitions/2025/06/",
    "/media/petitions/",
    "/media/members/",
    "/media/",
    "/media",
    f"/media/members/../../documents/{LETTER}",
    f"/static/../media/{LETTER}",
    f"/protected-documents/{LETTER}",
    f"/media/../protected-documents/{LETTER}",
    f"/PROTECTED-DOCUMENTS/{LETTER}",
])
def test_no_path_under_media_returns_a_letters_file(front, path):
    status, _headers, body = _get(front, path)
    assert SECRET not in body, path
    assert status in (301, 400, 403, 404) or (status == 200 and body.startswith(b"FROM-THE-APP")), (path, status)
    if posixpath.normpath(unquote(path)).startswith("/media/"):
        assert not body.startswith(b"FROM-THE-APP"), f"nginx passed {path} on to the app"
