"""Every setting reaches the containers, and the three places that list them stay in step
(issue 17, item 2): what config/settings.py (and config/env.py) read from the environment,
README.md's configuration table, deploy/env.example, and compose.yaml, which passes that one
env file to every service that runs the app.

deploy/env.example: a line "# NAME=value" is commented out and shows the default (checked here:
uncommenting them all changes no setting); the section "Set by compose.yaml itself" lists what
compose computes or fixes (DATABASE_URL from POSTGRES_PASSWORD, the container paths…), which wins
over the same name in .env.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .test_compose import _compose, as_data, needs_compose, project_folder
from .test_docs import README, environment_variables

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "env.example"
COMPOSE_SECTION = "# ---- Set by compose.yaml itself"
# Read by compose only (the database's password, the published port, the host's address for Janus
# and coturn), never by the app.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "HTTP_PORT", "VIDEO_PUBLIC_IP"}
APP_SERVICES = {"migrate", "web1", "web2", "worker", "daily", "video"}
# What compose adds to a value of .env: web1's own name, which the media process's WebSocket to it
# (VIDEO_HUB_URL=ws://web1:8000) sends as its Host.
APPENDED = {"ALLOWED_HOSTS": ",web1"}


def example_lines() -> list[tuple[str, str, bool, bool]]:
    """(name, value, commented, set_by_compose) for each assignment in deploy/env.example."""
    found, by_compose = [], False
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith(COMPOSE_SECTION):
            by_compose = True
        match = re.match(r"^(#\s?)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found.append((match.group(2), match.group(3), bool(match.group(1)), by_compose))
    return found


def readme_table_names() -> set[str]:
    table = README[README.index("## Configuration"):]
    table = table[:table.index("\n## ", 1)]
    names = set()
    for row in re.findall(r"^\| (`[^|]+) \|", table, flags=re.M):
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", row))
    return names


def test_every_setting_is_in_env_example_and_the_readme_table():
    read = environment_variables()
    assert {"DATABASE_URL", "DATABASE_POOL_MAX_SIZE", "PUBLIC_BASE_URL", "EMAIL_HOST"} <= read  # the scan works
    example = {name for name, *_ in example_lines()}
    assert not sorted(read - example), f"add to deploy/env.example: {sorted(read - example)}"
    assert not sorted(read - readme_table_names()), f"add to README.md's table: {sorted(read - readme_table_names())}"


def test_env_example_and_the_readme_table_list_the_same_names():
    example = [name for name, *_ in example_lines()]
    assert len(example) == len(set(example)), "a name twice in deploy/env.example"
    assert set(example) == readme_table_names()
    unread = set(example) - environment_variables() - COMPOSE_ONLY - {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert not unread, f"in deploy/env.example but read by nobody: {sorted(unread)}"


def _settings_with(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in readme_table_names() and not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = ("import django, json, re; django.setup(); import config.settings as s; "
            "print(json.dumps({k: re.sub(r' at 0x[0-9a-f]+', '', repr(getattr(s, k))) for k in dir(s) if k.isupper()}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_commented_value_in_env_example_is_the_default():
    # A production-shaped start (DEBUG follows DATABASE_URL): the uncommented lines as given…
    base = {"SECRET_KEY": "production-like-test-key-" + "x" * 40,
            "DATABASE_URL": "postgres://hub:pw@127.0.0.1:5432/hub"}
    base |= {n: v for n, v, commented, by_compose in example_lines() if not commented and n not in base and v}
    # …then every commented default uncommented too: no setting may change.
    defaults = {n: v for n, v, commented, by_compose in example_lines() if commented and not by_compose}
    assert len(defaults) > 40
    before, after = _settings_with(base), _settings_with(base | defaults)
    changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    assert not changed, f"deploy/env.example comments a value that is not the default: {changed}"


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    """compose's view of every service with an .env setting every name of deploy/env.example."""
    values = {}
    for name, value, _commented, by_compose in example_lines():
        if by_compose:
            values[name] = "1" if name == "DEBUG" else f"/from-env-file/{name.lower()}"  # compose must win
        else:
            values[name] = value or f"from-env-file-{name.lower()}"
    values |= {"SECRET_KEY": "not-a-secret", "POSTGRES_PASSWORD": "notapassword"}
    text = "".join(f"{name}={value}\n" for name, value in values.items())
    project = project_folder(tmp_path_factory.mktemp("compose-env"), text)
    result = _compose(project, "config")
    assert result.returncode == 0, result.stderr
    return values, as_data(lambda *a, **k: _compose(project, *a, **k), result.stdout)


@needs_compose
def test_compose_gives_every_app_service_every_setting_of_the_env_file(composed):
    values, config = composed
    app = {name for name, svc in config["services"].items() if svc.get("image", "").startswith("hdnd-hub")}
    assert app == APP_SERVICES
    for service in sorted(app):
        environment = config["services"][service]["environment"]
        for name, value, _commented, by_compose in example_lines():
            if by_compose or name in COMPOSE_ONLY:
                continue
            assert environment.get(name) == values[name] + APPENDED.get(name, ""), (service, name, environment.get(name))


@needs_compose
def test_what_compose_computes_wins_over_the_env_file(composed):
    values, config = composed
    for service in sorted(APP_SERVICES):
        environment = config["services"][service]["environment"]
        for name, _value, _commented, by_compose in example_lines():
            if by_compose:
                assert environment[name] != values[name], (service, name)
        assert environment["DEBUG"] == "0"
        assert environment["DATABASE_URL"] == "postgres://hub:notapassword@db:5432/hub"
        assert environment["DOCUMENT_ROOT"] == "/app/var/documents"


@needs_compose
def test_janus_and_coturn_get_none_of_the_hubs_settings(composed):
    # Only their own variables: never SECRET_KEY, the database's password or the mail account.
    _values, config = composed
    own = {"janus": {"JANUS_API_SECRET", "JANUS_ADMIN_KEY", "JANUS_RTP_PORTS", "VIDEO_PUBLIC_IP"},
           "coturn": {"VIDEO_TURN_SECRET", "VIDEO_PUBLIC_IP"}}
    for service, names in own.items():
        assert set(config["services"][service]["environment"]) == names, service
