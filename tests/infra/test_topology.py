"""The production topology, for real (issue 17, item 8): Debian's nginx with deploy/nginx.conf as
shipped (tests/infra/nginx.py moves only its ports and folders), two Daphne workers started with
deploy/entrypoint.sh's flags and compose's settings (BEHIND_PROXY, UPLOAD_BODY_DIR,
DOCUMENT_ACCEL_REDIRECT), the job worker as compose.yaml runs it (`manage.py db_worker`), a
PostgreSQL database of the test's own (dropped at the end) and Redis between the workers.
Everything is reached through nginx only:

- static files, a page and the stylesheet it links;
- the hub's WebSocket, spread over both workers, each answering with the snapshot;
- an X-Accel download of a document the office uploaded: Django checks, nginx sends;
- the client address: a spoofed X-Forwarded-For is not what the app records;
- a restart of each worker in turn: the clients it held reconnect through nginx and get a
  snapshot with the sitting as it is now;
- an upload during a sitting, through nginx's request-body file (docs/decisions/0012), while a
  delegate keeps receiving the chair's events; the job worker then processes the document.

Without nginx, PostgreSQL or Redis it skips, saying which; CI's PostgreSQL + Redis run has them all.
"""

import asyncio
import hashlib
import http.client
import json
import re
import secrets
import sys
import time
from pathlib import Path

import pytest

from tests.infra.nginx import free_port, local_conf, needs_nginx, start, start_nginx, stop, wait_for
from tests.infra.test_forwarded_address import daphne_flags
from tests.realtime.cluster import Client, manage, sign_in
from tests.realtime.test_multiprocess import own_environment

pytestmark = [*needs_nginx, pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_servers,
              pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))
SPOOFED = "203.0.113.66"


def pdf(size: int) -> bytes:
    """A one-page PDF of about `size` bytes (an unreferenced stream of random bytes fills it)."""
    from bench.upload_isolation import make_pdf

    path = Path(f"/tmp/topology-{secrets.token_hex(4)}.pdf")
    try:
        make_pdf(path, size)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


class Worker:
    """One Daphne process as deploy/entrypoint.sh starts it, on a port of its own that a restart keeps."""

    def __init__(self, name: str, env: dict, folder: Path):
        self.name, self.env, self.folder, self.port, self.proc = name, env, folder, free_port(), None

    def start(self, wait: bool = True) -> "Worker":
        self.proc = start([DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), *daphne_flags(), "config.asgi:application"],
                          self.folder / f"{self.name}.log", cwd=ROOT, env=self.env)
        if wait:
            self.wait()
        return self

    def wait(self) -> None:
        wait_for(self.port, self.proc, self.name, self.folder / f"{self.name}.log")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class Front:
    """nginx's address, where cluster.Client connects (it reads .port)."""

    def __init__(self, port: int):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    folder = tmp_path_factory.mktemp("topology")
    documents, media, bodies = folder / "documents", folder / "media", folder / "nginx" / "upload-bodies"
    for path in (documents, media, folder / "nginx"):
        path.mkdir(parents=True)
    settings = {"BEHIND_PROXY": "1", "UPLOAD_BODY_DIR": bodies, "DOCUMENT_ROOT": documents, "MEDIA_ROOT": media,
                "DOCUMENT_ACCEL_REDIRECT": "/protected-documents/", "ALLOWED_HOSTS": "127.0.0.1,localhost",
                # Pages link the static files by their own names: nginx serves them from the
                # source folder (collectstatic's hashed names: tests/infra/test_proxy_caching.py).
                "STATIC_MANIFEST": "0"}
    with own_environment(tmp_path_factory, "test_topology", log_level="WARNING", from_template="migrated",
                         **settings) as (env, logs):
        # A small council: the test needs a chair, two delegates and the office (tests/realtime/cluster.py).
        manage(env, "load_demo", "--delegates", "12", "--no-documents", "--no-links", "--no-petitions")
        sittings = shell_env(env, "import json; from meeting.models import Sitting; print(json.dumps("
                                  "{'plenary': Sitting.objects.get(title__startswith='Phiên khai mạc').pk}))")
        workers = {name: Worker(name, env, logs) for name in ("web1", "web2")}
        procs = []
        try:
            for worker in workers.values():  # both at once: each takes seconds to import Django
                worker.start(wait=False)
            for worker in workers.values():
                worker.wait()
            # compose.yaml's `worker` service, as it runs it.
            compose = (ROOT / "compose.yaml").read_text()
            assert 'command: ["python", "manage.py", "db_worker", "--queue-name", "*"]' in compose
            procs.append(start([sys.executable, "manage.py", "db_worker", "--queue-name", "*"], logs / "db_worker.log",
                               cwd=ROOT, env=env))
            front = free_port()
            conf = local_conf(folder / "nginx", [w.port for w in workers.values()], front, static=ROOT / "static",
                              documents=documents, media=media)
            assert f"client_body_temp_path {bodies}" in conf.read_text()
            nginx = start_nginx(conf, folder / "nginx")
            procs.append(nginx)
            wait_for(front, nginx, "nginx", folder / "nginx" / "nginx.out")
            yield {"front": Front(front), "workers": workers, "env": env, "sittings": sittings, "logs": logs,
                   "access_log": folder / "nginx" / "access.log", "bodies": bodies, "documents": documents}
        finally:
            for proc in procs:
                stop(proc)
            for worker in workers.values():
                worker.stop()


@pytest.fixture(scope="module")
def people(topology):
    base = topology["front"].base  # signing in is a POST through nginx's request-body file too
    return {name: sign_in(base, login) for name, login in
            (("chair", "db001"), ("alice", "db010"), ("bob", "db011"), ("office", "thuky"))}


def request(topology, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", topology["front"].port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def upload_form(session_key: str, content: bytes, summary: str) -> tuple[bytes, dict]:
    boundary = "topology" + secrets.token_hex(8)
    csrf = secrets.token_hex(16)
    fields = {"kind": "submission", "summary": summary, "access": "delegates", "classification": "none"}
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="to-trinh.pdf"\r\n'
                 "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json",
                             "Cookie": f"sessionid={session_key}; csrftoken={csrf}", "X-CSRFToken": csrf}


def shell_env(env: dict, code: str) -> dict:
    out = manage(env, "shell", "-c", code, timeout=120)
    return json.loads(next(ln for ln in out.splitlines() if ln.startswith("{")))


def shell(topology, code: str) -> dict:
    return shell_env(topology["env"], code)


# ---- the checks ------------------------------------------------------------------------------

def test_static_files_and_a_page_linking_them(topology):
    status, headers, page = request(topology, "GET", "/accounts/login/")
    assert status == 200, page[:500]
    css = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
    status, headers, body = request(topology, "GET", css)
    assert status == 200 and body == (ROOT / "static" / css[len("/static/"):]).read_bytes()
    assert headers["cache-control"] == "no-cache"  # not hashed: revalidated (hashed: a year)


async def _follow(topology, people, name):
    return await Client.connect(topology["front"], topology["sittings"]["plenary"], people[name])


async def _act(chair, cmd: str, args: dict | None = None) -> None:
    """A command, then its event (the reply may come first)."""
    seq = chair.state.seq
    await chair.command(cmd, args)
    await chair.until_seq(seq + 1)


async def _open_and_move(chair) -> None:
    """Opens the sitting if it is not yet, then moves the agenda on (back to the top at the end)."""
    if chair.state.state["sitting"]["status"] == "scheduled":
        await _act(chair, "sitting.open")
    current = chair.state.state["agenda"]["current_item_id"]
    items = [i["id"] for i in chair.state.state["agenda"]["items"] if i["status"] != "postponed"]
    if current == items[-1]:
        await _act(chair, "agenda.jump", {"item_id": items[0], "expect_current": current})
    else:
        await _act(chair, "agenda.next", {"expect_current": current})


def test_the_hub_through_nginx_reaches_both_workers(topology, people):
    async def scenario():
        clients = [await _follow(topology, people, name) for name in ("alice", "bob", "chair")]
        try:
            for client in clients:
                assert client.state.seq >= 0 and client.state.state["sitting"]["id"] == topology["sittings"]["plenary"]
        finally:
            for client in clients:
                await client.close()

    asyncio.run(scenario())
    ports = {str(w.port) for w in topology["workers"].values()}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # nginx writes a WebSocket's line when it closes
        upstreams = set(re.findall(r"GET /ws/sitting/\d+/ HTTP/1.1\" 101 .* -> 127\.0\.0\.1:(\d+)",
                                   topology["access_log"].read_text()))
        if upstreams == ports:
            break
        time.sleep(0.1)
    assert upstreams == ports  # least_conn: the three connections are spread over both workers


def test_a_spoofed_forwarded_address_is_not_believed(topology):
    username = "nobody-" + secrets.token_hex(3)
    status, _h, form = request(topology, "GET", "/accounts/login/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1).decode()
    cookie = re.search(r"csrftoken=([^;]+)", _h["set-cookie"]).group(1)
    body = f"username={username}&password=wrong&csrfmiddlewaretoken={csrf}".encode()
    status, _h, page = request(topology, "POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
        "X-Forwarded-For": SPOOFED, "X-Real-IP": SPOOFED})
    assert status == 200, page[:300]  # the form again, with its error
    seen = shell(topology, "import json; from axes.models import AccessAttempt; print(json.dumps({'ips': "
                           f"sorted(set(AccessAttempt.objects.filter(username='{username}')"
                           ".values_list('ip_address', flat=True)))}))")
    assert seen["ips"] == ["127.0.0.1"]


def test_an_upload_during_a_sitting_then_an_x_accel_download(topology, people):
    content = pdf(8_000_000)
    body, headers = upload_form(people["office"], content, "Tờ trình tải lên giữa phiên họp")

    async def scenario():
        chair = await _follow(topology, people, "chair")
        alice = await _follow(topology, people, "alice")
        try:
            upload = asyncio.create_task(asyncio.to_thread(request, topology, "POST", "/library/upload/",
                                                           body=body, headers=headers))
            moves = 0
            while not upload.done() or moves < 4:
                await _open_and_move(chair)
                moves += 1
                await asyncio.wait_for(alice.until_seq(chair.state.seq), 10)  # the delegate keeps up
                assert alice.state.state["agenda"]["current_item_id"] == chair.state.state["agenda"]["current_item_id"]
            return await upload, moves
        finally:
            await chair.close()
            await alice.close()

    (status, _h, reply), moves = asyncio.run(scenario())
    assert status == 200, reply[:500]
    answer = json.loads(reply)
    assert answer["ok"] and moves >= 4
    deadline = time.monotonic() + 10
    while [p for p in topology["bodies"].rglob("*") if p.is_file()] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in topology["bodies"].rglob("*") if p.is_file()]  # nginx deleted the body file

    # The job worker (compose's `worker`) reads the document; the office sees it done.
    version = answer["version"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _h, data = request(topology, "GET", f"/library/version/{version}/status.json",
                                   headers={"Cookie": f"sessionid={people['office']}", "Accept": "application/json"})
        state = json.loads(data)
        if state.get("done"):
            break
        time.sleep(0.5)
    assert status == 200 and state["state"] == "ready", state

    # An X-Accel download: Django checks the office's right, nginx sends the stored file.
    status, headers_, data = request(topology, "GET", f"/library/version/{version}/file/",
                                     headers={"Cookie": f"sessionid={people['office']}"})
    assert status == 200 and hashlib.sha256(data).hexdigest() == hashlib.sha256(content).hexdigest()
    assert headers_["etag"] == f'"{hashlib.sha256(content).hexdigest()}"' and "x-accel-redirect" not in headers_
    status, _h, _b = request(topology, "GET", "/protected-documents/")
    assert status == 404  # internal: never by URL


def test_each_worker_restarts_in_turn_and_its_clients_come_back(topology, people):
    async def scenario():
        for name, worker in topology["workers"].items():
            clients = {who: await _follow(topology, people, who) for who in ("chair", "alice", "bob")}
            worker.stop()
            # Whoever was on the stopped worker is cut off (least_conn spread the three over both).
            done, _pending = await asyncio.wait([asyncio.ensure_future(c.ws.wait_closed()) for c in clients.values()],
                                                timeout=10, return_when=asyncio.FIRST_COMPLETED)
            assert done, f"no client of {name} was cut off"
            for client in clients.values():
                await client.close()
            # Each reconnects through nginx (as hub.js does), gets the snapshot from the worker
            # still up, and follows the chair's next move.
            back = {who: await _follow(topology, people, who) for who in ("chair", "alice", "bob")}
            chair = back["chair"]
            await _open_and_move(chair)
            for who in ("alice", "bob"):
                await asyncio.wait_for(back[who].until_seq(chair.state.seq), 10)
                assert back[who].state.state["agenda"] == chair.state.state["agenda"], who
            for client in back.values():
                await client.close()
            worker.start()

    asyncio.run(scenario())
    # Both are up again: pages answer through nginx from either.
    for _ in range(4):
        assert request(topology, "GET", "/accounts/login/")[0] == 200
