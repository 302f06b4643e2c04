"""The client address the app sees behind the shipped proxy is the proxy's view of the peer,
never a header the client wrote (issue 17, item 3).

Real processes: nginx (Debian's package) with deploy/nginx.conf as shipped — only its upstream
servers, listen address and file paths moved to this test's loopback ports and folder — in front
of Daphne started as deploy/entrypoint.sh starts it (`--proxy-headers`). The app behind Daphne is
a probe that answers the address Daphne hands to the application (what Django reads as
REMOTE_ADDR: the sign-in lockout, the letters' hourly limit). A citizen who adds
`X-Forwarded-For: 203.0.113.66` must still be 127.0.0.1 to the app, on a page, on the upload
route and on the hub's WebSocket path.
"""

import os
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.infra.nginx import (NGINX_CONF, ROOT, free_port, local_conf, needs_nginx, start, start_nginx, stop,
                               upstream_servers, wait_for)

ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
DAPHNE = str(Path(sys.executable).with_name("daphne"))

pytestmark = needs_nginx

PROBE = '''
async def app(scope, receive, send):
    """Answers the client address Daphne gives the application."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": scope["client"][0]})
        await send({"type": "websocket.close"})
        return
    while (await receive()).get("more_body"):
        pass
    body = scope["client"][0].encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
'''

SPOOFED = "203.0.113.66"


def daphne_flags() -> list[str]:
    """Daphne's flags as the image's entry point gives them (deploy/entrypoint.sh)."""
    line = next(x for x in ENTRYPOINT.read_text().splitlines() if x.strip().startswith("exec daphne"))
    words = line.split()[2:-1]  # after "exec daphne", before the application
    out, skip = [], False
    for i, word in enumerate(words):  # the bind address and port are this test's
        if skip:
            skip = False
            continue
        if word in ("-b", "-p"):
            skip = True
            continue
        out.append(word)
    return out


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("proxy")
    (folder / "probe.py").write_text(PROBE)
    backend, front = free_port(), free_port()
    logs = {name: folder / f"{name}.out" for name in ("daphne", "nginx")}
    daphne = start([DAPHNE, "-b", "127.0.0.1", "-p", str(backend), *daphne_flags(), "probe:app"],
                   logs["daphne"], cwd=folder)
    conf = local_conf(folder, [backend] * len(upstream_servers(NGINX_CONF.read_text())), front)
    nginx = start_nginx(conf, folder)
    try:
        wait_for(backend, daphne, "daphne", logs["daphne"])
        wait_for(front, nginx, "nginx", logs["nginx"])
        yield f"127.0.0.1:{front}"
    finally:
        for proc in (nginx, daphne):
            stop(proc)


def _get(url: str, headers: dict, data: bytes | None = None) -> str:
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


@pytest.mark.parametrize("path,data", [("/petitions/send/", None), ("/library/upload/", b"x" * 1024)],
                         ids=["page", "upload route"])
def test_a_spoofed_forwarded_for_header_does_not_change_the_client_address(proxy, path, data):
    assert _get(f"http://{proxy}{path}", {}, data) == "127.0.0.1"
    assert _get(f"http://{proxy}{path}", {"X-Forwarded-For": SPOOFED}, data) == "127.0.0.1"
    assert _get(f"http://{proxy}{path}", {"X-Forwarded-For": f"{SPOOFED}, 198.51.100.1"}, data) == "127.0.0.1"


async def test_a_spoofed_forwarded_for_header_does_not_change_the_hub_client_address(proxy):
    import websockets

    async with websockets.connect(f"ws://{proxy}/ws/sitting/1/",
                                  additional_headers={"X-Forwarded-For": SPOOFED}) as ws:
        assert await ws.recv() == "127.0.0.1"
