"""What the shipped nginx config passes a worker instead of a request body (decision 0012): never
the body, never a Content-Length, and X-Upload-Body-File naming nginx's own file under its body
folder; a client's own X-Upload-Body-File is replaced (a POST), dropped (a GET, the hub's
WebSocket). A chunked body too. The worker behind nginx is a probe that answers what it got.
(The app reading those files through nginx: tests/infra/test_topology.py.)
"""

import sys
import time
from pathlib import Path

import pytest

from tests.infra.nginx import free_port, local_conf, needs_nginx, start, start_nginx, stop, wait_for

pytestmark = needs_nginx

PROBE = '''
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = dict(scope["headers"])
    named = headers.get(b"x-upload-body-file", b"-").decode()
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": named})
        await send({"type": "websocket.close"})
        return
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    named = " ".join([named, headers.get(b"content-length", b"-").decode(), str(size)])
    # The file nginx wrote is still there while the request runs: its size, or "missing".
    import os
    path = headers.get(b"x-upload-body-file", b"").decode()
    named += " " + (str(os.path.getsize(path)) if path and os.path.isfile(path) else "missing")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": named.encode()})
'''


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    folder = tmp_path_factory.mktemp("body-files")
    (folder / "probe.py").write_text(PROBE)
    backend, port = free_port(), free_port()
    daphne = start([str(Path(sys.executable).with_name("daphne")), "-b", "127.0.0.1", "-p", str(backend), "probe:app"],
                   folder / "daphne.out", cwd=folder)
    conf = local_conf(folder, [backend, backend], port)
    nginx = start_nginx(conf, folder)
    try:
        wait_for(backend, daphne, "daphne", folder / "daphne.out")
        wait_for(port, nginx, "nginx", folder / "nginx.out")
        yield port, folder / "upload-bodies"
    finally:
        stop(nginx)
        stop(daphne)


def _http(port, method, path, body=None, headers=None):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {},
                     encode_chunked="chunked" in (headers or {}).get("Transfer-Encoding", ""))
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/accounts/login/", "/library/upload/", "/no/such/page/"])
def test_a_body_reaches_the_worker_as_the_name_of_nginxs_file(front, path):
    port, bodies = front
    body = b"a=1&" * 5000
    status, text = _http(port, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                    "X-Upload-Body-File": "/etc/passwd"})
    named, length, received, on_disk = text.split()
    assert status == 200 and length == "-" and received == "0"  # no body, no length through the worker
    assert Path(named).parent.parent.parent == bodies and on_disk == str(len(body))
    # `clean`: deleted when nginx finishes the request, which may be a moment after the client has the reply.
    assert _gone(Path(named))


def test_a_chunked_body_too(front):
    port, bodies = front

    def chunks():
        yield b"x" * 70000
        yield b"y" * 10

    status, text = _http(port, "POST", "/library/upload/", chunks(), {"Content-Type": "application/octet-stream",
                                                                    "Transfer-Encoding": "chunked"})
    named, length, received, on_disk = text.split()
    assert status == 200 and length == "-" and received == "0" and on_disk == "70010"


def test_a_clients_own_header_never_reaches_a_worker_without_a_body(front):
    port, _bodies = front
    status, text = _http(port, "GET", "/accounts/login/", headers={"X-Upload-Body-File": "/etc/passwd"})
    assert status == 200 and text.split()[0] == "-"

    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{port}/ws/sitting/1/", additional_headers={"X-Upload-Body-File": "/etc/passwd"},
                 open_timeout=10) as ws:
        assert ws.recv(timeout=10) == "-"


def _gone(path: Path, within_s: float = 10) -> bool:
    """Whether the file is gone, waiting for it up to `within_s` (a bound, not a measured time)."""
    deadline = time.monotonic() + within_s
    while path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
