"""What nginx (deploy/nginx.conf as shipped, Debian's package) does to caching and to a restart
(issue 17, items 5 and 6).

- X-Accel downloads keep the app's validators: the ETag (the version's sha256) and
  `Vary: Cookie` reach the browser, nginx adds no ETag or Last-Modified of its own, and the
  browser's revalidation reaches the app, which answers 304 without counting a read.
- Static files with a content hash in their name are cached for a year, others revalidate;
  text is gzipped.
- Restarting the workers one after the other, the second within nginx's old 10 s
  `fail_timeout` of the first, loses no request.

The app behind Daphne is a probe answering as library/views_files.py does (the view itself is
tested in tests/library/test_viewer.py, with DOCUMENT_ACCEL_REDIRECT too); it writes a line
per counted read, so the test sees how many reads nginx let through.
"""

import gzip
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.infra.nginx import free_port, local_conf, needs_nginx, start, start_nginx, stop, wait_for

pytestmark = needs_nginx

DAPHNE = str(Path(sys.executable).with_name("daphne"))
ETAG = '"3f2a9c0e"'  # a version's sha256, shortened
PDF = b"%PDF-1.4 a document\n" * 50

PROBE = '''
import os
from pathlib import Path

NAME = os.environ["PROBE_NAME"].encode()
READS = Path(os.environ["PROBE_READS"])
ETAG = %r
HEADERS = [(b"etag", ETAG.encode()), (b"vary", b"Cookie"),
           (b"cache-control", b"private, max-age=0, must-revalidate")]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    while (await receive()).get("more_body"):
        pass
    headers = dict(scope["headers"])
    if scope["path"] == "/library/doc/1/file/":
        if ETAG.encode() in headers.get(b"if-none-match", b""):  # as views_files._etag_matches
            await send({"type": "http.response.start", "status": 304, "headers": HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return
        with READS.open("a") as out:  # services.record_read
            out.write("read\\n")
        await send({"type": "http.response.start", "status": 200, "headers": [
            *HEADERS, (b"content-type", b"application/pdf"), (b"x-content-type-options", b"nosniff"),
            (b"content-disposition", b"attachment; filename=\\"to-trinh.pdf\\""),
            (b"x-accel-redirect", b"/protected-documents/ab/v1.pdf")]})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": NAME})
''' % ETAG


class Stack:
    def __init__(self, folder: Path, conf_text: str | None = None):
        self.folder = folder
        self.reads = folder / "reads.txt"
        self.reads.write_text("")
        (folder / "probe.py").write_text(PROBE)
        self.static = folder / "static"
        (self.static / "css").mkdir(parents=True)
        self.css = "body { color: #123; }\n" * 100
        (self.static / "css" / "base.css").write_text(self.css)
        (self.static / "css" / "base.cb6e00747080.css").write_text(self.css)
        (self.static / "favicon.ico").write_bytes(b"\x00\x00\x01\x00 an icon")
        self.documents = folder / "documents"
        (self.documents / "ab").mkdir(parents=True)
        (self.documents / "ab" / "v1.pdf").write_bytes(PDF)
        self.ports = {"web1": free_port(), "web2": free_port()}
        self.front = free_port()
        self.workers = {}
        for name in self.ports:
            self.start_worker(name)
        conf = local_conf(folder, list(self.ports.values()), self.front, static=self.static, documents=self.documents,
                          text=conf_text)
        self.nginx = start_nginx(conf, folder)
        wait_for(self.front, self.nginx, "nginx", folder / "nginx.out")

    def start_worker(self, name: str) -> None:
        log = self.folder / f"{name}.out"
        env = {"PROBE_NAME": name, "PROBE_READS": str(self.reads), "PATH": "/usr/bin:/bin"}
        self.workers[name] = start([DAPHNE, "-b", "127.0.0.1", "-p", str(self.ports[name]), "-v", "0", "probe:app"],
                                   log, cwd=self.folder, env=env)
        wait_for(self.ports[name], self.workers[name], name, log)

    def stop_worker(self, name: str) -> None:
        stop(self.workers.pop(name))

    def close(self) -> None:
        for proc in (self.nginx, *self.workers.values()):
            stop(proc)

    def reads_counted(self) -> int:
        return len(self.reads.read_text().splitlines())

    def get(self, path: str, headers: dict | None = None, data: bytes | None = None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.front}{path}", data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


@pytest.fixture
def stack(tmp_path):
    s = Stack(tmp_path)
    try:
        yield s
    finally:
        s.close()


def test_an_x_accel_download_keeps_the_apps_etag_and_vary_and_a_revalidation_is_not_a_read(stack):
    status, headers, body = stack.get("/library/doc/1/file/")
    assert status == 200 and body == PDF
    assert headers.get_all("ETag") == [ETAG]
    assert "Cookie" in headers.get("Vary", "")
    assert headers.get("Last-Modified") is None
    assert headers["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == 'attachment; filename="to-trinh.pdf"'
    assert "nosniff" in headers["X-Content-Type-Options"]
    assert stack.reads_counted() == 1

    for _ in range(3):  # the browser revalidates its copy with what it was given
        status, headers, body = stack.get("/library/doc/1/file/", {"If-None-Match": ETAG})
        assert status == 304 and body == b""
        assert headers["ETag"] == ETAG
    assert stack.reads_counted() == 1

    status, _headers, body = stack.get("/library/doc/1/file/", {"If-None-Match": '"another-version"'})
    assert status == 200 and body == PDF
    assert stack.reads_counted() == 2


def test_the_documents_folder_is_not_reachable_by_url(stack):
    assert stack.get("/protected-documents/ab/v1.pdf")[0] == 404


def test_static_files_with_a_hash_in_their_name_are_cached_for_a_year_and_others_revalidate(stack):
    status, headers, body = stack.get("/static/css/base.cb6e00747080.css")
    assert status == 200 and body.decode() == stack.css
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, headers, body = stack.get("/static/css/base.css")
    assert status == 200 and body.decode() == stack.css
    assert headers["Cache-Control"] == "no-cache"
    assert headers.get("ETag")  # nginx's own: the revalidation is a 304 from nginx
    status, headers, body = stack.get("/static/css/base.css", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body).decode() == stack.css
    assert "Accept-Encoding" in headers["Vary"]
    status, headers, body = stack.get("/favicon.ico")  # nginx answers it from the static folder
    assert status == 200 and body == b"\x00\x00\x01\x00 an icon"


def test_restarting_the_workers_one_after_the_other_loses_no_request(stack):
    def answers(n: int = 6) -> list:
        return [stack.get("/who")[:3:2] for _ in range(n)]

    assert {body for _s, body in answers()} == {b"web1", b"web2"}
    stack.stop_worker("web1")                      # web1 restarts...
    assert answers() == [(200, b"web2")] * 6
    assert stack.get("/who", data=b"a form")[::2] == (200, b"web2")  # a POST nginx could not send is retried
    stack.start_worker("web1")                     # ...is back, and at once web2 restarts:
    started = time.monotonic()
    stack.stop_worker("web2")
    got = answers()
    assert time.monotonic() - started < 10         # within the old fail_timeout, or this proves nothing
    assert got == [(200, b"web1")] * 6             # nginx's default would have marked web1 dead: 502
    stack.start_worker("web2")
    assert {body for _s, body in answers()} == {b"web1", b"web2"}


def test_the_shipped_foreign_host_server_closes_the_connection_and_the_sites_name_is_served(tmp_path):
    """The commented default server of deploy/nginx.conf, switched on as its comment says."""
    import http.client
    import re

    from tests.infra.nginx import NGINX_CONF

    text = NGINX_CONF.read_text()
    block = re.search(r"^    # server \{\n(?:    #[^\n]*\n)*?    # \}\n", text, flags=re.M).group(0)
    enabled = "".join(line.replace("    # ", "    ", 1).replace("    #", "", 1) + "\n" for line in block.splitlines())
    hub = "    server {\n        listen 80 default_server;\n        server_name _;\n\n"
    assert text.count(hub) == 1
    text = text.replace(block, enabled).replace(
        hub, "    server {\n        listen 80;\n        server_name hdnd.example.gov.vn;\n\n")
    stack = Stack(tmp_path, text)
    try:
        for host, expected in (("hdnd.example.gov.vn", 200), ("203.0.113.9", None), ("scanner.example", None)):
            connection = http.client.HTTPConnection("127.0.0.1", stack.front, timeout=10)
            connection.request("GET", "/who", headers={"Host": host})
            if expected is None:
                with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
                    connection.getresponse()
            else:
                assert connection.getresponse().status == expected
            connection.close()
    finally:
        stack.close()
