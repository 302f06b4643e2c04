"""compose.yaml and deploy/nginx.conf are valid and have the promised shape.

No Docker engine runs on these machines: Debian's docker-compose (v1) parses
and checks a Compose file without one, and `nginx -t` checks the proxy config.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
DOCKER_COMPOSE = shutil.which("docker-compose")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

# What compose refuses to start without (`${VAR:?…}`), with stand-in values.
REQUIRED = {"SECRET_KEY": "not-a-secret", "POSTGRES_PASSWORD": "not-a-password",
            "JANUS_API_SECRET": "not-the-api-secret", "JANUS_ADMIN_KEY": "not-the-admin-key",
            "VIDEO_TURN_SECRET": "not-the-turn-secret", "VIDEO_PUBLIC_IP": "192.0.2.10"}

needs_compose = pytest.mark.skipif(not DOCKER_COMPOSE, reason="docker-compose is not installed (Debian: apt-get install docker-compose)")


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    # compose.yaml in a folder of its own with an empty .env: a developer's own .env must not
    # change what is checked (every app service reads .env: `env_file`).
    project = project_folder(tmp_path_factory.mktemp("compose"), "")

    def run(*args, **variables):
        return _compose(project, *args, **variables)

    return run


def project_folder(folder: Path, env_text: str) -> Path:
    """A copy of compose.yaml beside an .env of the given text (compose reads both from there)."""
    (folder / "compose.yaml").write_text(COMPOSE.read_text())
    (folder / ".env").write_text(env_text)
    return folder


def _compose(project, *args, **variables):
    environ = {k: v for k, v in os.environ.items() if k not in (*REQUIRED, "ALLOWED_HOSTS")}
    environ.update(variables)
    return subprocess.run([DOCKER_COMPOSE, "--env-file", str(project / ".env"), "-f", str(project / "compose.yaml"), *args],
                          cwd=project, env=environ, capture_output=True, text=True, timeout=60)


def as_data(compose, yaml_text: str) -> dict:
    """Parse `config` output with the YAML library docker-compose itself runs on."""
    first_line = Path(DOCKER_COMPOSE).read_bytes()[:200].split(b"\n")[0].decode()
    if first_line.startswith("#!") and "python" in first_line:
        interpreter = first_line[2:].strip().split()
        script = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"
        out = subprocess.run([*interpreter, "-c", script], input=yaml_text, capture_output=True, text=True, check=True, timeout=30)
        return json.loads(out.stdout)
    # docker compose v2 is a Go binary that prints JSON itself.
    out = compose("config", "--format", "json", **REQUIRED)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def config(compose):
    result = compose("config", **REQUIRED)
    assert result.returncode == 0, result.stderr
    return as_data(compose, result.stdout)


def workers(config):
    return {name: svc for name, svc in config["services"].items() if svc.get("command") == ["web"]}


@needs_compose
def test_compose_file_is_valid(config):
    assert {"db", "redis", "migrate", "proxy"} <= set(config["services"])


@needs_compose
def test_compose_refuses_to_start_without_a_secret_key(compose):
    result = compose("config", **{k: v for k, v in REQUIRED.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@needs_compose
def test_postgres_keeps_its_data_in_a_volume_and_reports_health(config):
    db = config["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert any(v.endswith(":/var/lib/postgresql/data:rw") or "/var/lib/postgresql/data" in v for v in map(str, db["volumes"]))
    assert "pg_isready" in db["healthcheck"]["test"]


@needs_compose
def test_redis_reports_health(config):
    redis = config["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    assert "ping" in redis["healthcheck"]["test"]


@needs_compose
def test_at_least_two_daphne_workers_share_postgres_and_redis(config):
    found = workers(config)
    assert len(found) >= 2, sorted(config["services"])
    for name, svc in found.items():
        environment = svc["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["REDIS_URL"].startswith("redis://"), name
        assert environment["BEHIND_PROXY"] == "1", name
        assert environment["SECRET_KEY"] == "not-a-secret", name
        assert svc["depends_on"]["db"]["condition"] == "service_healthy", name
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy", name
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert "healthcheck" in svc, name


@needs_compose
def test_migrate_runs_once_and_collects_static_into_the_shared_volume(config):
    migrate = config["services"]["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert any("/app/staticfiles" in str(v) for v in migrate["volumes"])


@needs_compose
def test_the_proxy_waits_for_every_worker_and_serves_static(config):
    proxy = config["services"]["proxy"]
    assert proxy["image"].startswith("nginx")
    assert set(workers(config)) <= set(proxy["depends_on"])
    mounts = [str(v) for v in proxy["volumes"]]
    assert any("deploy/nginx.conf" in m and "/etc/nginx/nginx.conf" in m for m in mounts)
    assert any("/srv/static" in m for m in mounts)


@needs_compose
def test_nginx_balances_over_exactly_the_compose_workers(config):
    upstream = re.findall(r"^\s*server\s+([\w-]+):8000\b", NGINX_CONF.read_text(), flags=re.M)
    assert sorted(upstream) == sorted(workers(config))


def test_nginx_forwards_websocket_upgrades_with_long_timeouts():
    text = NGINX_CONF.read_text()
    ws = text[text.index("location /ws/"):]
    ws = ws[:ws.index("\n        }")]
    assert "proxy_set_header Upgrade    $http_upgrade;" in ws
    assert "proxy_set_header Connection $connection_upgrade;" in ws
    assert "proxy_http_version 1.1;" in ws
    assert re.search(r"proxy_read_timeout\s+\d+h;", ws)


@pytest.mark.skipif(not NGINX, reason="nginx is not installed (Debian: apt-get install nginx); deploy/nginx.conf not checked")
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="nginx -t opens nginx's compiled-in log and temp paths, which needs root")
def test_nginx_conf_passes_nginx_t(tmp_path):
    # The compose host names do not resolve here: point the upstream at loopback ports.
    from tests.infra.nginx import local_conf, upstream_servers

    conf = local_conf(tmp_path, [18000 + i for i, _ in enumerate(upstream_servers(NGINX_CONF.read_text()))])
    result = subprocess.run([NGINX, "-t", "-e", "stderr", "-c", str(conf), "-g", f"pid {tmp_path / 'nginx.pid'};"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


# ---- the document library: the job worker, the documents volume, the internal location ----

def _volume_target(mount) -> tuple[str, str, bool]:
    """(source, target, read_only) from a short- or long-form volume entry."""
    if isinstance(mount, dict):
        return mount.get("source", ""), mount["target"], bool(mount.get("read_only"))
    parts = str(mount).split(":")
    return parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")


@needs_compose
def test_a_background_worker_runs_db_worker_with_the_web_workers_image_and_settings(config):
    worker = config["services"]["worker"]
    web = next(iter(workers(config).values()))
    assert worker["command"][:3] == ["python", "manage.py", "db_worker"]
    assert worker["image"] == web["image"]
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DOCUMENT_ROOT", "DOCUMENT_ACCEL_REDIRECT", "MEDIA_ROOT"):
        assert worker["environment"][name] == web["environment"][name], name
    assert worker.get("env_file") == web.get("env_file")  # None once `config` has inlined .env
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@needs_compose
def test_web_workers_and_the_job_worker_share_the_documents_volume(config):
    root = config["services"]["worker"]["environment"]["DOCUMENT_ROOT"]
    for name in [*workers(config), "worker"]:
        svc = config["services"][name]
        assert svc["environment"]["DOCUMENT_ROOT"] == root, name
        assert ("documents", root) in {_volume_target(v)[:2] for v in svc["volumes"]}, name
    assert "documents" in config["volumes"]


@needs_compose
def test_the_proxy_reads_documents_only_for_x_accel_redirect(config):
    mounts = [_volume_target(v) for v in config["services"]["proxy"]["volumes"]]
    documents = [m for m in mounts if m[0] == "documents"]
    assert documents and all(read_only for _s, _t, read_only in documents)
    target = documents[0][1].rstrip("/") + "/"
    location = _location("/protected-documents/")
    assert re.search(r"^\s*internal;", location, flags=re.M), "the documents location must be internal"
    assert re.search(rf"^\s*alias\s+{re.escape(target)};", location, flags=re.M)
    for name in workers(config):
        assert config["services"][name]["environment"]["DOCUMENT_ACCEL_REDIRECT"] == "/protected-documents/", name


def _location(prefix: str) -> str:
    text = NGINX_CONF.read_text()
    block = text[text.index(f"location {prefix}"):]
    return block[:block.index("\n        }")]


def test_no_public_location_serves_the_documents_folder():
    text = NGINX_CONF.read_text()
    blocks = re.findall(r"location\s+([^{]+)\{(.*?)\n        \}", text, flags=re.S)
    serving = [(where.strip(), body) for where, body in blocks if "/srv/documents" in body]
    assert [where for where, _body in serving] == ["/protected-documents/"]
    assert all(re.search(r"^\s*internal;", body, flags=re.M) for _where, body in serving)


def test_nginx_accepts_document_uploads_above_the_default_limit():
    text = NGINX_CONF.read_text()
    uploads = text[text.index("location ~ ^/library/(upload/"):]
    uploads = uploads[:uploads.index("\n        }")]
    size = re.search(r"client_max_body_size\s+(\d+)m;", uploads)
    assert size and int(size.group(1)) * 1024 * 1024 > 100 * 1024 * 1024 + 64 * 1024
    assert "proxy_pass http://hub;" in uploads
    assert re.match(r"location ~ \^/library/\(upload/\|doc/\[0-9\]\+/version/\)\$", uploads)


def test_the_upload_routes_nginx_widens_are_the_library_upload_views():
    import django
    from django.urls import resolve

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    pattern = re.search(r"location ~ (\^/library/\S+) \{", NGINX_CONF.read_text()).group(1)
    assert resolve("/library/upload/").url_name == "upload" and re.match(pattern, "/library/upload/")
    assert resolve("/library/doc/7/version/").url_name == "new_version" and re.match(pattern, "/library/doc/7/version/")
    assert not re.match(pattern, "/library/doc/7/edit/")


# ---- media: member photos public, nothing else of the volume (issue 17, item 4) ----

@needs_compose
def test_the_proxy_reads_the_media_volume_read_only_for_member_photos(config):
    mounts = [_volume_target(v) for v in config["services"]["proxy"]["volumes"]]
    media = [m for m in mounts if m[0] == "media"]
    assert media and all(read_only for _s, _t, read_only in media)
    target = media[0][1].rstrip("/")
    location = _location("/media/members/")
    assert re.search(rf"^\s*alias\s+{re.escape(target)}/members/;", location, flags=re.M)
    media_root = config["services"]["migrate"]["environment"]["MEDIA_ROOT"]
    for name in [*workers(config), "worker", "daily", "migrate"]:
        svc = config["services"][name]
        assert svc["environment"]["MEDIA_ROOT"] == media_root, name
        assert ("media", media_root) in {_volume_target(v)[:2] for v in svc["volumes"]}, name
        # Letters' files are moved (migrate) and written (web, worker, daily) in the documents volume.
        assert ("documents", svc["environment"]["DOCUMENT_ROOT"]) in {_volume_target(v)[:2] for v in svc["volumes"]}, name


def test_only_member_photos_are_served_from_the_media_folder():
    text = NGINX_CONF.read_text()
    blocks = re.findall(r"location\s+([^{]+)\{(.*?)\n        \}", text, flags=re.S)
    serving = [(where.strip(), body) for where, body in blocks if "/srv/media" in body]
    assert [where for where, _body in serving] == ["/media/members/"]
    assert re.search(r"^\s*alias /srv/media/members/;", serving[0][1], flags=re.M)
    rest = dict((where.strip(), body) for where, body in blocks)["/media/"]
    assert re.search(r"^\s*return 404;", rest, flags=re.M)  # never passed on to Django


# ---- remote video: the media process, Janus and coturn (issue 15, item 3; decision 0014 §5) ----

JANUS_DOCKERFILE = ROOT / "deploy" / "janus" / "Dockerfile"
COTURN_DOCKERFILE = ROOT / "deploy" / "coturn" / "Dockerfile"
ENVSUBST = shutil.which("envsubst")


def _ports(svc) -> list[tuple[str, str, str]]:
    """(published, target, protocol) of each published port, short or long form."""
    found = []
    for port in svc.get("ports", []):
        if isinstance(port, dict):
            found.append((str(port.get("published", "")), str(port["target"]), port.get("protocol", "tcp")))
        else:
            text, _, protocol = str(port).partition("/")
            published, _, target = text.rpartition(":")
            found.append((published.rpartition(":")[2], target, protocol or "tcp"))
    return found


@needs_compose
def test_compose_runs_the_media_process_janus_and_coturn(config):
    services = config["services"]
    assert {"video", "janus", "coturn"} <= set(services)
    video = services["video"]
    assert video["image"] == next(iter(workers(config).values()))["image"]   # the hub's image
    assert video["command"][:3] == ["python", "manage.py", "video_server"]
    assert video["restart"] == "unless-stopped"
    assert video["environment"]["VIDEO_BACKEND"] == "janus"
    assert video["depends_on"]["janus"]["condition"] == "service_healthy"
    assert services["janus"]["build"]["dockerfile"] == "deploy/janus/Dockerfile"
    assert services["coturn"]["build"]["dockerfile"] == "deploy/coturn/Dockerfile"
    assert services["coturn"]["network_mode"] == "host"   # answers and relays on the host's address


@needs_compose
def test_no_janus_or_media_process_tcp_port_is_published(config):
    services = config["services"]
    assert _ports(services["video"]) == []                       # the control link: compose network only
    janus = _ports(services["janus"])
    assert janus and {protocol for *_, protocol in janus} == {"udp"}   # never the WebSocket API (8188/tcp)
    low, high = map(int, services["janus"]["environment"]["JANUS_RTP_PORTS"].split("-"))
    assert sorted(int(p) for p, _t, _ in janus) == list(range(low, high + 1))      # exactly Janus's RTP range,
    assert all(p == t for p, t, _ in janus)                      # on the same ports (Janus announces them)
    assert _ports(services["coturn"]) == []
    tcp = {name for name, svc in services.items() for *_, protocol in _ports(svc) if protocol == "tcp"}
    assert tcp == {"proxy"}


@needs_compose
def test_the_web_workers_and_the_media_process_agree_on_the_control_link_and_janus(config):
    services = config["services"]
    video, janus, coturn = services["video"]["environment"], services["janus"]["environment"], services["coturn"]["environment"]
    for name in [*workers(config), "video"]:
        environment = services[name]["environment"]
        assert environment["VIDEO_BACKEND"] == "janus", name
        assert environment["VIDEO_CONTROL"] == video["VIDEO_CONTROL"], name
        for secret in ("JANUS_API_SECRET", "JANUS_ADMIN_KEY"):
            assert environment[secret] == janus[secret] == REQUIRED[secret], (name, secret)
        assert environment["VIDEO_TURN_SECRET"] == coturn["VIDEO_TURN_SECRET"] == REQUIRED["VIDEO_TURN_SECRET"], name
    host, port = video["VIDEO_CONTROL"].rsplit(":", 1)
    command = services["video"]["command"]
    assert host == "video" and command[command.index("--control") + 1] == f"0.0.0.0:{port}"
    assert video["JANUS_URL"] == "ws://janus:8188"               # the entrypoint's JANUS_WS_PORT default
    assert "JANUS_WS_PORT" not in janus and "EXPOSE 8188" in JANUS_DOCKERFILE.read_text()
    hub = re.fullmatch(r"ws://([\w-]+):8000", video["VIDEO_HUB_URL"])
    assert hub and hub.group(1) in workers(config)
    assert hub.group(1) in video["ALLOWED_HOSTS"].split(",")    # the hub checks the WebSocket's Host
    assert janus["VIDEO_PUBLIC_IP"] == coturn["VIDEO_PUBLIC_IP"] == REQUIRED["VIDEO_PUBLIC_IP"]


def test_the_media_process_keeps_its_recording_spool_and_the_hubs_volumes(config):
    # A recording left by a media process that died is stored at its next start: the spool must
    # outlive the container (it was in the container's own file system).
    video = config["services"]["video"]
    spool = video["environment"]["VIDEO_RECORDING_SPOOL"]
    mounted = {_volume_target(v)[:2] for v in video["volumes"]}
    assert ("recording-spool", spool) in mounted and "recording-spool" in config["volumes"]
    hub = {_volume_target(v)[:2] for v in config["services"]["worker"]["volumes"]}
    assert hub <= mounted                                   # the documents storage, where recordings go


@needs_compose
def test_compose_refuses_to_start_without_the_video_secrets(compose):
    for name in ("JANUS_API_SECRET", "JANUS_ADMIN_KEY", "VIDEO_TURN_SECRET", "VIDEO_PUBLIC_IP"):
        result = compose("config", **{k: v for k, v in REQUIRED.items() if k != name})
        assert result.returncode != 0 and name in result.stderr, name


def _dockerfile(path: Path) -> tuple[str, str, list[tuple[str, str]], list[str]]:
    """(FROM, the RUN lines joined, the COPY (source, destination) pairs, ENTRYPOINT) of a Dockerfile."""
    text = path.read_text().replace("\\\n", " ")
    base = re.search(r"^FROM\s+(\S+)", text, flags=re.M).group(1)
    run = " ".join(re.findall(r"^RUN\s+(.*)$", text, flags=re.M))
    copies = [tuple(m.split()) for m in re.findall(r"^COPY\s+(.*)$", text, flags=re.M)]
    entrypoint = json.loads(re.search(r"^ENTRYPOINT\s+(.*)$", text, flags=re.M).group(1))
    return base, run, copies, entrypoint


@pytest.mark.parametrize("dockerfile, package", [(JANUS_DOCKERFILE, "janus"), (COTURN_DOCKERFILE, "coturn")])
def test_the_video_images_install_the_debian_packages_of_the_decision(dockerfile, package):
    base, run, copies, entrypoint = _dockerfile(dockerfile)
    assert base == "debian:bookworm-slim"      # Janus 1.1.2 and coturn 4.6.1 (decision 0014 §5)
    install = re.search(r"apt-get install -y --no-install-recommends ([^&]+)", run).group(1).split()
    assert package in install
    assert "rm -rf /var/lib/apt/lists/*" in run
    assert entrypoint == [f"/opt/hdnd/deploy/{package}/entrypoint.sh"]
    assert (f"deploy/{package}/", f"/opt/hdnd/deploy/{package}/") in copies
    assert re.search(r"^USER\s+(?!root)\S+", dockerfile.read_text(), flags=re.M)   # not as root


def _image_tree(tmp_path: Path, dockerfile: Path, fakes: dict[str, str]) -> tuple[Path, dict]:
    """The files the Dockerfile COPYs, laid out under tmp_path as in the image, and an environment
    whose PATH finds `fakes` first: scripts that print their arguments, one a line."""
    _base, _run, copies, entrypoint = _dockerfile(dockerfile)
    for source, destination in copies:
        target = tmp_path / destination.lstrip("/")
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / source, target)
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    for name in fakes:
        (bin_dir / name).write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
        (bin_dir / name).chmod(0o755)
    environ = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    return tmp_path / entrypoint[0].lstrip("/"), environ


@needs_compose
def test_janus_runs_our_configuration_rendered_from_compose_s_environment(config, tmp_path):
    entrypoint, environ = _image_tree(tmp_path, JANUS_DOCKERFILE, {"janus": ""})
    folder = tmp_path / "rendered"
    environ |= config["services"]["janus"]["environment"] | {"JANUS_CONFIG_DIR": str(folder), "JANUS_BIND": "10.5.0.7"}
    result = subprocess.run([str(entrypoint)], env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    args = result.stdout.splitlines()[1:]   # after the entrypoint's own line
    # The public address for the browsers, and its own kept for the media process's recording.
    assert args == ["-F", str(folder), "-o", f"--nat-1-1={REQUIRED['VIDEO_PUBLIC_IP']}", "--keep-private-host"]
    text = {name: (folder / name).read_text() for name in ("janus.jcfg", "janus.transport.websockets.jcfg",
                                                           "janus.plugin.videoroom.jcfg")}
    assert f'api_secret = "{REQUIRED["JANUS_API_SECRET"]}"' in text["janus.jcfg"]
    assert f'rtp_port_range = "{config["services"]["janus"]["environment"]["JANUS_RTP_PORTS"]}"' in text["janus.jcfg"]
    websocket = text["janus.transport.websockets.jcfg"]
    assert 'ws_ip = "10.5.0.7"' in websocket and "ws_port = 8188" in websocket
    assert f'admin_key = "{REQUIRED["JANUS_ADMIN_KEY"]}"' in text["janus.plugin.videoroom.jcfg"]
    assert all((folder / name).stat().st_mode & 0o077 == 0 for name in text)
    # A secret that could break out of a jcfg string stops the container before Janus starts.
    environ["JANUS_API_SECRET"] = 'x" admin_secret = "janusoverlord'
    result = subprocess.run([str(entrypoint)], env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "-F" not in result.stdout and "api_secret" in result.stderr


@needs_compose
@pytest.mark.skipif(not ENVSUBST, reason="envsubst is not installed (Debian: apt-get install gettext-base)")
def test_coturn_runs_the_configuration_render_config_writes(config, tmp_path):
    from video.turn import render_config

    entrypoint, environ = _image_tree(tmp_path, COTURN_DOCKERFILE, {"turnserver": ""})
    folder = tmp_path / "rendered"
    folder.mkdir()
    environ |= config["services"]["coturn"]["environment"] | {"TURN_CONFIG_DIR": str(folder)}
    result = subprocess.run([str(entrypoint)], env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    conf = folder / "turnserver.conf"
    assert result.stdout.splitlines()[1:3] == ["-c", str(conf)]
    ip = REQUIRED["VIDEO_PUBLIC_IP"]
    expected = render_config(tmp_path / "expected.conf", listening_port=3478, secret=REQUIRED["VIDEO_TURN_SECRET"],
                             realm="hdnd", relay_ports=(49160, 49200), allowed_peer_ip=ip, listening_ip=ip)
    assert conf.read_text() == expected.read_text()
    assert conf.stat().st_mode & 0o077 == 0
    environ["VIDEO_TURN_SECRET"] = "two\nlines"
    result = subprocess.run([str(entrypoint)], env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "-c" not in result.stdout


@pytest.mark.skipif(not shutil.which("janus"), reason="Janus is not installed (Debian: apt-get install janus)")
def test_the_janus_entrypoint_starts_a_janus_that_wants_the_api_secret(tmp_path):
    import asyncio
    import socket
    import time

    from websockets.asyncio.client import connect

    from tests.processes import stop
    from tests.video.janus_process import free_port

    entrypoint, environ = _image_tree(tmp_path, JANUS_DOCKERFILE, {})
    port, base = free_port(), 30000 + os.getpid() % 100 * 100
    environ |= {"JANUS_API_SECRET": REQUIRED["JANUS_API_SECRET"], "JANUS_ADMIN_KEY": REQUIRED["JANUS_ADMIN_KEY"],
                "JANUS_RTP_PORTS": f"{base}-{base + 99}", "JANUS_WS_PORT": str(port), "JANUS_BIND": "127.0.0.1",
                "VIDEO_PUBLIC_IP": "192.0.2.10", "JANUS_CONFIG_DIR": str(tmp_path / "rendered")}
    log = tmp_path / "janus.log"
    process = subprocess.Popen([str(entrypoint), "-L", str(log), "-N"], env=environ,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log.read_text()[-3000:] if log.exists() else "janus exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "janus's WebSocket did not open within 20 s"
                time.sleep(0.1)

        async def ask():
            async with connect(f"ws://127.0.0.1:{port}", subprotocols=["janus-protocol"]) as ws:
                await ws.send(json.dumps({"janus": "info", "transaction": "i"}))
                info = json.loads(await ws.recv())
                await ws.send(json.dumps({"janus": "create", "transaction": "c", "apisecret": "a-guess"}))
                return info, json.loads(await ws.recv())

        info, refused = asyncio.run(ask())
    finally:
        stop(process)
    assert list(info["plugins"]) == ["janus.plugin.videoroom"] and info["api_secret"] is True
    assert info["public-ip"] == "192.0.2.10"      # VIDEO_PUBLIC_IP, announced in its candidates
    assert refused["error"]["code"] == 403
