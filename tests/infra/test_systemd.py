"""The no-Docker path's service units (deploy/systemd/, issue 17 item 7) run what compose.yaml
runs, with open-file limits matching nginx's connection targets, and pass `systemd-analyze
verify` (pointed at this checkout: the units name /srv/hdnd and /etc/hdnd/hdnd.env)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.infra.test_forwarded_address import daphne_flags

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def unit(name: str) -> dict[str, list[str]]:
    """key -> values (ExecStart may repeat), sections merged: enough for these units."""
    out: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def compose_text() -> str:
    return (ROOT / "compose.yaml").read_text()


def nginx_connections() -> int:
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    return int(re.search(r"^\s*worker_connections\s+(\d+);", text, flags=re.M).group(1))


def test_the_units_are_there():
    assert sorted(p.name for p in UNITS.iterdir()) == [
        "hdnd-daily.service", "hdnd-daily.timer", "hdnd-migrate.service", "hdnd-video.service", "hdnd-web@.service",
        "hdnd-worker.service"]


def test_web_workers_run_daphne_as_the_image_does_on_the_instance_port():
    (start,) = unit("hdnd-web@.service")["ExecStart"]
    words = start.split()
    assert words[0].endswith("/.venv/bin/daphne") and words[-1] == "config.asgi:application"
    assert words[words.index("-b") + 1] == "127.0.0.1" and words[words.index("-p") + 1] == "%i"
    rest = [w for i, w in enumerate(words[1:-1], 1) if w not in ("-b", "-p") and words[i - 1] not in ("-b", "-p")]
    assert rest == daphne_flags()


@pytest.mark.parametrize("name", ["hdnd-web@.service", "hdnd-worker.service"])
def test_long_running_services_may_open_as_many_files_as_nginx_sends_connections(name):
    limit = int(unit(name)["LimitNOFILE"][0])
    assert limit >= nginx_connections()  # after a failover one worker may hold every client
    assert unit(name)["Restart"] == ["always"]


def test_the_job_worker_and_the_daily_jobs_run_what_compose_runs():
    compose = compose_text()
    worker = unit("hdnd-worker.service")["ExecStart"][0].split()
    assert worker[1:] == ["manage.py", "db_worker", "--queue-name", "*"]
    assert 'command: ["python", "manage.py", "db_worker", "--queue-name", "*"]' in compose
    daily = [line.split()[1:] for line in unit("hdnd-daily.service")["ExecStart"]]
    daily_compose = compose[compose.index("\n  daily:"):]
    in_compose = re.findall(r"python (manage\.py \w+)", daily_compose[:daily_compose.index("\n\n")])
    assert [" ".join(d) for d in daily] == in_compose
    assert unit("hdnd-daily.service")["Type"] == ["oneshot"]
    assert unit("hdnd-daily.timer")["Unit"] == ["hdnd-daily.service"]
    assert unit("hdnd-daily.timer")["Persistent"] == ["true"]
    migrate = [line.split()[1:] for line in unit("hdnd-migrate.service")["ExecStart"]]
    assert [m[:2] for m in migrate] == [["manage.py", "migrate"], ["manage.py", "collectstatic"]]


def test_every_service_reads_the_one_environment_file_and_runs_unprivileged():
    for path in UNITS.glob("*.service"):
        u = unit(path.name)
        assert u["EnvironmentFile"] == ["/etc/hdnd/hdnd.env"], path.name
        assert u["User"] == ["hdnd"] and u["WorkingDirectory"] == ["/srv/hdnd"], path.name


@pytest.mark.skipif(not SYSTEMD_ANALYZE, reason="systemd-analyze is not installed (Debian: apt-get install systemd)")
def test_systemd_analyze_verify_accepts_every_unit(tmp_path):
    env_file = tmp_path / "hdnd.env"
    env_file.write_text("")
    for path in UNITS.iterdir():
        text = path.read_text().replace("/srv/hdnd", str(ROOT)).replace("/etc/hdnd/hdnd.env", str(env_file))
        (tmp_path / path.name).write_text(text)
    (tmp_path / "hdnd-web@8001.service").write_text((tmp_path / "hdnd-web@.service").read_text())
    names = [str(p) for p in sorted(tmp_path.glob("hdnd-*")) if p.name != "hdnd-web@.service"]
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *names], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
