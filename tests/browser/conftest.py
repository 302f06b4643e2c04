"""Shared fixtures for browser tests: a real Daphne server, a real Chromium.

pytest-django's test database lives inside the pytest process, which another
process cannot see; so browser tests run against their own server:

- `daphne_server` (session): Daphne in a subprocess on a free port, on a fresh
  temporary SQLite file with the demo council loaded (`migrate`, `load_demo`).
  It can be stopped and started again on the same port (`daphne_server.stop()`,
  `daphne_server.start()`) to simulate a worker going away.
  (Not named `live_server`: pytest-django owns that name and would set up its
  own test database for it.)
- `live_server_url` (session): its base URL, e.g. "http://127.0.0.1:40123".
- `browser`: headless Debian Chromium through Playwright, launched once and closed after
  the last browser test in a row (so asyncio tests may follow it in the same process).
  Every page a test opens in it (or in a `launch_chromium` one) is watched: what it wrote
  to its console and the errors it did not catch are printed with the test's failure
  (a section of the report), for a failure that does not come back when run again.
- `new_context(**kwargs)`: a fresh browser context (own cookies), closed after
  the test. Tablet: `new_context(viewport={"width": 820, "height": 1180}, has_touch=True)`.
- `login(page, username, next_url=None)`: signs `page` in with a session made on
  the server and opens `next_url` (waiting for its "load", or `wait_until=` "commit"…);
  `form=True` signs in through the real password form at /accounts/login/ (demo password),
  for a test of signing in.
- `fresh_sitting(title=None)`: a new scheduled sitting of the demo council
  with the demo agenda and two displays of its own, so a test never depends
  on what an earlier test did to the demo sitting. Returns
  {"id", "title", "displays": [{"id", "name"}]}.
- `pair_display(page, display_id)`: pairs `page` as that hall display through
  a real pairing token (/pair/<token>/, then its confirm button); returns the
  URL it landed on.
- `hub(username, sitting_id)`: a WebSocket client signed in as `username`,
  for driving a sitting from outside the page under test
  (`with hub("db001", sid) as chair: chair.command("agenda.next")`).

Everything runs the project's own code; nothing is mocked. Tests here are
marked `browser` and skip with a reason when Chromium or Playwright is missing.
"""

import atexit
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from tests import migrated_db as tests_migrated_db
from tests.processes import stop as stop_process

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_PASSWORD = "hdnd-demo-2026"  # meeting.demo.DEMO_PASSWORD (not imported: Django is not set up for this process's DB)
SCREENS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/screens"))


def _why_no_browser() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright for Python (pip package 'playwright')"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = _why_no_browser()
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# The helper process: Django on the server's database, running snippets sent as JSON lines.
_HELPER = """
import json, sys, traceback
import django
django.setup()
for line in sys.stdin:
    scope = {}
    try:
        exec(json.loads(line), scope)
        reply = {"result": scope.get("result")}
    except Exception:
        reply = {"error": traceback.format_exc()}
    sys.stdout.write("@@RESULT@@" + json.dumps(reply) + "\\n")
    sys.stdout.flush()
"""


_PREPARED: dict = {}  # "template": a migrated server database with the demo council loaded (LiveServer.prepare)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database file (SQLite's own backup, not a file copy)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A Daphne process serving the project on a temporary SQLite database."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.db = workdir / "db.sqlite3"
        self.log_path = workdir / "daphne.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
        env.update({
            "DATABASE_URL": f"sqlite:///{self.db}",
            "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",  # config.settings + test speed knobs
            "DEBUG": "1",  # static files through the finders, no collectstatic
            "MEDIA_ROOT": str(workdir / "media"),
            "DOCUMENT_ROOT": str(workdir / "documents"),
            "TASK_WORKER_IN_PROCESS": "1",  # the embedded default: jobs run inside the server process
            "PYTHONUNBUFFERED": "1",
            # Its own port for the control link to the media process (tests/browser/test_video_*.py
            # start one): never a developer's running demo's.
            "VIDEO_CONTROL": f"127.0.0.1:{_free_port()}",
        })
        self.env = env
        self.process = None
        self._helper = None

    # -- management commands in the server's environment --------------------

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str):
        """Run Python in Django set up on the server's database; the code sets
        `result`, returned here through JSON.

        One long-lived helper process runs every snippet (starting Django for
        each would cost seconds per call on a busy machine)."""
        if self._helper is None or self._helper.poll() is not None:
            self._helper = subprocess.Popen([sys.executable, "-c", _HELPER], cwd=ROOT, env=self.env, text=True,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._helper.stdin.write(json.dumps(code) + "\n")
        self._helper.stdin.flush()
        while True:
            line = self._helper.stdout.readline()
            if not line:
                raise RuntimeError("the Django helper process died")
            if line.startswith("@@RESULT@@"):
                reply = json.loads(line[len("@@RESULT@@"):])
                if "error" in reply:
                    raise RuntimeError(f"helper snippet failed:\n{reply['error']}")
                return reply["result"]

    # -- the process -----------------------------------------------------------

    def prepare(self):
        """The server's database: migrated, with the demo council loaded. The first server of this
        process starts from pytest's own freshly migrated SQLite test database, copied (the same
        migrations, run once more by `manage.py migrate` here, cost some 12 CPU s a server), or runs
        `migrate` when pytest's database is not SQLite; its result after `load_demo` is kept, and a
        later server of this process (the toy server of test_hub_private.py) starts from a copy."""
        if _PREPARED.get("template") is not None:
            _copy_sqlite(_PREPARED["template"], self.db)
            return
        migrated = tests_migrated_db.path()
        if migrated is not None:
            _copy_sqlite(migrated, self.db)
        else:
            self.manage("migrate", "--noinput")
        self.manage("load_demo", "--no-links", "--no-documents")
        template = Path(tempfile.mkdtemp(prefix="hdnd-browser-template-")) / "prepared.sqlite3"
        _copy_sqlite(self.db, template)
        _PREPARED["template"] = template
        atexit.register(shutil.rmtree, template.parent, True)

    def start(self):
        assert self.process is None, "already running"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/static/css/base.css", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Daphne did not answer within 60 s:\n{self.log_tail()}")

    def close_helper(self):
        if self._helper is not None:
            self._helper.stdin.close()
            self._helper.wait(timeout=10)
            self._helper.stdout.close()
            self._helper = None

    def stop(self, grace: float = 10):
        """Stop Daphne: SIGTERM, and SIGKILL after `grace` seconds."""
        if self.process is None:
            return
        stop_process(self.process, grace)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    # -- helpers that act on the server's data ---------------------------------

    def session_for(self, username: str) -> str:
        """A signed-in session key for `username`, made server-side (for WebSocket clients)."""
        return self.shell(f"""
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
u = get_user_model().objects.get(username={username!r})
s = SessionStore()
s[SESSION_KEY] = str(u.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = u.get_session_auth_hash()
s.create()
result = s.session_key
""")

    def pairing_token(self, purpose: str, *, username: str | None = None, display_id: int | None = None) -> str:
        return self.shell(f"""
from accounts import pairing
from django.contrib.auth import get_user_model
from displays.models import Display
user = get_user_model().objects.get(username={username!r}) if {username!r} else None
display = Display.objects.get(pk={display_id!r}) if {display_id!r} else None
result = pairing.issue({purpose!r}, user=user, display=display)
""")

    def fresh_sitting(self, title: str | None = None) -> dict:
        return self.shell(f"""
from django.db import transaction
from agenda.models import AgendaItem
from displays.models import Display
from meeting.demo import AGENDA, load_demo
from meeting.models import Sitting
from realtime.external import announced
demo = load_demo()
n = Sitting.objects.count() + 1
# A new sitting nobody follows yet, made in one go (as load_demo): no state.replaced for each row.
with transaction.atomic(), announced():
    s = Sitting.objects.create(body=demo.body, session=demo.session, title={title!r} or f"Phiên họp thử nghiệm số {{n}}",
                               starts_at=demo.starts_at, place=demo.place, is_public=True,
                               chair=demo.chair, secretary=demo.secretary)
    for pos, (t, kind, presenter, minutes, children) in enumerate(AGENDA):
        parent = AgendaItem.objects.create(sitting=s, position=pos, title=t, kind=kind, presenter=presenter, planned_minutes=minutes)
        for cpos, (ct, ck, cp, cm) in enumerate(children):
            AgendaItem.objects.create(sitting=s, parent=parent, position=cpos, title=ct, kind=ck, presenter=cp, planned_minutes=cm)
    displays = [Display.objects.create(name=f"{{name}} #{{s.pk}}", sitting=s, slide=slide)
                for name, slide in (("Màn hình chính", "overview"), ("Màn hình phụ", "attendance"))]
result = {{"id": s.pk, "title": s.title, "displays": [{{"id": d.pk, "name": d.name}} for d in displays]}}
""")


@pytest.fixture(scope="session")
def daphne_server(request):
    reason = _why_no_browser()
    if reason:
        pytest.skip(reason)
    tests_migrated_db.ensure(request)  # pytest's own test database, migrated once, to start from
    workdir = Path(tempfile.mkdtemp(prefix="hdnd-browser-"))
    server = LiveServer(workdir)
    server.prepare()
    server.start()
    yield server
    # The end of the session: nothing waits on a graceful stop (the last browser test's teardown,
    # which ends the session in one process, once took 11.4 s, the test alone 1.3 s).
    server.stop(grace=2)
    server.close_helper()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server_url(daphne_server) -> str:
    return daphne_server.url


@pytest.fixture
def running_server(daphne_server):
    """The live server, started again if an earlier test left it stopped."""
    if daphne_server.process is None:
        daphne_server.start()
    yield daphne_server
    if daphne_server.process is None:
        daphne_server.start()


class _Playwright:
    """The session's Playwright and Chromium, closed by the last browser test of this process.

    Playwright's sync API keeps an event loop running in the main thread while it is open, and
    an asyncio test after it could not start its own. Under xdist a worker runs the browser tests
    first (conftest.py) and other tests after them, so they are closed as soon as the next test
    is not a browser test (pytest_runtest_teardown below), not at the end of the session."""

    manager = None
    playwright = None
    chromium = None

    @classmethod
    def open(cls):
        from playwright.sync_api import sync_playwright

        cls.manager = sync_playwright()
        cls.playwright = playwright = cls.manager.__enter__()
        cls.chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        return cls.chromium

    @classmethod
    def launch(cls, *args: str):
        """Another Chromium of this Playwright (open: the `browser` fixture), with command-line
        switches of its own (fake media devices); the caller closes it."""
        return cls.playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *args])

    @classmethod
    def close(cls):
        if cls.chromium is not None:
            cls.chromium.close()
            cls.chromium = None
        if cls.manager is not None:
            manager, cls.manager = cls.manager, None
            manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def _playwright_session():
    reason = _why_no_browser()
    if reason:
        pytest.skip(reason)
    yield _Playwright
    _Playwright.close()


# What the pages of a test wrote to their console and the errors they did not catch, in order: shown
# with the test's failure (pytest_runtest_makereport below), never asserted on.
PAGE_LOG = pytest.StashKey[list]()
PAGE_LOG_LINES = 300  # the last ones, if a page wrote more


def _page_log(item) -> list:
    return item.stash.setdefault(PAGE_LOG, [])


def _where(page) -> str:
    try:
        return page.url if page is not None else "?"
    except Exception:  # the page is closed
        return "?"


def watch_context(ctx, log: list, started: float):
    """Record what every page of `ctx` writes to its console and each error it did not catch
    (an exception in an event handler, a rejected promise) in `log`."""

    def on_console(message):
        loc = message.location or {}
        at = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
        log.append(f"+{time.monotonic() - started:7.3f}s {_where(message.page)} console.{message.type}: {message.text}{at}")

    def on_error(error):
        e = error.error
        log.append(f"+{time.monotonic() - started:7.3f}s {_where(error.page)} UNCAUGHT {e.stack or e.message}")

    ctx.on("console", on_console)
    ctx.on("weberror", on_error)
    return ctx


class _WatchedBrowser:
    """A Chromium whose every new context (and page) is watched for the running test
    (watch_context); everything else is the Chromium's own."""

    def __init__(self, chromium, log: list, started: float):
        self._chromium = chromium
        self._log = log
        self._started = started

    def new_context(self, **kwargs):
        return watch_context(self._chromium.new_context(**kwargs), self._log, self._started)

    def new_page(self, **kwargs):
        ctx = self.new_context(**kwargs)
        page = ctx.new_page()
        page.on("close", lambda _: ctx.close())  # as Browser.new_page's own context, closed with its page
        return page

    def __getattr__(self, name):
        return getattr(self._chromium, name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    log = item.stash.get(PAGE_LOG, None)
    if report.failed and log:
        shown = log[-PAGE_LOG_LINES:]
        cut = f"(the first {len(log) - len(shown)} lines left out)\n" if len(shown) < len(log) else ""
        report.sections.append((f"the pages' console and uncaught errors ({report.when})", cut + "\n".join(shown)))
    return report


@pytest.fixture
def browser(_playwright_session, request):
    """Headless Chromium, launched once and shared by the browser tests that follow each other.
    What the test's pages write to their console is shown if the test fails (watch_context)."""
    chromium = _Playwright.chromium or _Playwright.open()
    return _WatchedBrowser(chromium, _page_log(request.node), time.monotonic())


@pytest.fixture
def launch_chromium(browser, request):
    """launch_chromium(*switches): another Chromium with switches of its own (fake media devices),
    closed after the test; watched as `browser` is."""
    launched = []

    def launch(*args: str):
        launched.append(_Playwright.launch(*args))
        return _WatchedBrowser(launched[-1], _page_log(request.node), browser._started)

    yield launch
    for chromium in launched:
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if nextitem is not None and nextitem.get_closest_marker("browser") is None:
        _Playwright.close()
    return result


@pytest.fixture
def new_context(browser, daphne_server):
    contexts = []
    csp_violations = []

    def on_console(message):
        # Chromium reports what the Content-Security-Policy blocked as a console error.
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_violations.append(f"{message.location.get('url', '')}: {message.text}")

    def make(**kwargs):
        kwargs.setdefault("base_url", daphne_server.url)
        kwargs.setdefault("locale", "vi-VN")
        kwargs.setdefault("timezone_id", "Asia/Ho_Chi_Minh")
        ctx = browser.new_context(**kwargs)
        ctx.set_default_timeout(15000)
        ctx.on("console", on_console)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
    assert not csp_violations, "the pages broke their Content-Security-Policy:\n" + "\n".join(csp_violations)


@pytest.fixture
def page(new_context):
    return new_context(viewport={"width": 1440, "height": 900}).new_page()


@pytest.fixture
def login(daphne_server):
    """Sign `page` in as `username` and open `next_url` (else the home page, where the form leads).

    A session the server makes for the user and its cookie, as after the form (see `session_for`),
    then the page: signing in through the form cost a page and a POST in every test that is not
    about signing in. `form=True` (and any password but the demo's) signs in through the real
    password form at /accounts/login/, as a test of signing in must (tests/browser/test_security.py)."""

    def do(page, username: str, password: str = DEMO_PASSWORD, next_url: str | None = None, *, form: bool = False,
           wait_until: str = "load"):
        if form or password != DEMO_PASSWORD:
            return _login_through_form(daphne_server, page, username, password, next_url)
        page.context.add_cookies([{"name": "sessionid", "value": daphne_server.session_for(username),
                                   "url": daphne_server.url, "httpOnly": True, "sameSite": "Lax"}])
        page.goto(daphne_server.url + (next_url or "/"), wait_until=wait_until)
        return page

    return do


def _login_through_form(daphne_server, page, username: str, password: str, next_url: str | None):
    url = daphne_server.url + "/accounts/login/"
    if next_url:
        url += "?next=" + urllib.request.quote(next_url)
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    cookies = {c["name"] for c in page.context.cookies()}
    assert "sessionid" in cookies, f"login as {username} failed at {page.url}"
    return page


@pytest.fixture
def fresh_sitting(daphne_server):
    return daphne_server.fresh_sitting


@pytest.fixture
def pair_display(daphne_server):
    def do(page, display_id: int) -> str:
        token = daphne_server.pairing_token("display", display_id=display_id)
        page.goto(f"{daphne_server.url}/pair/{token}/")
        # GET shows what the code pairs; the button POSTs and pairs.
        with page.expect_navigation():
            page.click("main form[method=post] button")
        return page.url

    return do


class HubClient:
    """A minimal WebSocket client of the hub (docs/protocol.md), for tests.

    It follows only the current agenda item, so that navigation says what it saw
    (`expect_current`, as the console does) unless the test gives it."""

    NAVIGATION = ("agenda.next", "agenda.previous", "agenda.jump")

    def __init__(self, ws):
        self.ws = ws
        self.snapshot = json.loads(ws.recv(timeout=10))
        assert self.snapshot["type"] == "snapshot", self.snapshot
        self.current = self.snapshot["data"]["agenda"]["current_item_id"]
        self._n = 0
        self._prefix = secrets.token_hex(4)

    def _seen(self, msg: dict):
        if msg.get("type") == "batch":  # several events in one frame, each as if alone
            for event in msg["events"]:
                self._seen(event)
        if msg.get("type") in ("agenda.current", "agenda.items"):
            self.current = msg["data"]["current_item_id"]

    def command(self, cmd: str, args: dict | None = None) -> dict:
        while True:  # what has arrived so far (another face may have moved the hall)
            try:
                self._seen(json.loads(self.ws.recv(timeout=0)))
            except TimeoutError:
                break
        args = dict(args or {})
        if cmd in self.NAVIGATION:
            args.setdefault("expect_current", self.current)
        self._n += 1
        cid = f"t{self._prefix}-{self._n}"  # command ids are idempotency keys: unique per sender
        self.ws.send(json.dumps({"id": cid, "cmd": cmd, "args": args}))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv(timeout=15))
            self._seen(msg)
            if msg.get("in_response") == cid:
                if not msg["ok"]:
                    raise AssertionError(f"{cmd} refused: {msg['error']}")
                if cmd in self.NAVIGATION:
                    self.current = msg["data"]["current_item_id"]  # the reply may overtake the event
                return msg["data"]
        raise AssertionError(f"no reply to {cmd}")


@pytest.fixture
def opened_console(page, login, fresh_sitting, hub):
    """The chair's console (db001) of a fresh sitting that the chair has opened; `page.sitting`
    is the sitting."""
    from playwright.sync_api import expect

    sitting = fresh_sitting()
    login(page, "db001", next_url=f"/sitting/{sitting['id']}/console/")
    expect(page.locator("#conn")).to_have_class(re.compile(r"\blive\b"))
    with hub("db001", sitting["id"]) as chair:
        chair.command("sitting.open")
    expect(page.locator("#sitting-status")).to_have_text("Đang họp")
    page.sitting = sitting
    return page


@pytest.fixture
def hub(daphne_server):
    from websockets.sync.client import connect

    @contextmanager
    def open_hub(username: str, sitting_id: int):
        session = daphne_server.session_for(username)
        url = daphne_server.url.replace("http://", "ws://") + f"/ws/sitting/{sitting_id}/"
        with connect(url, origin=daphne_server.url, additional_headers={"Cookie": f"sessionid={session}"}) as ws:
            yield HubClient(ws)

    return open_hub


@pytest.fixture(scope="session")
def screens() -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS
