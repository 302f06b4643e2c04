"""The upgrade order docs/deploy.md gives (issue 17, item 6) is the one that leaves no gap: the new
image, the migrate job (migrations and static files) before any worker, then each Daphne worker
alone, waiting until it is healthy, then the job worker and the daily jobs; with the services
compose.yaml really has. The restart itself, through the shipped nginx: test_proxy_caching.py."""

import re
import shlex
from pathlib import Path

from tests.infra.test_compose import compose, config, needs_compose, workers  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text()


def upgrade_commands() -> list[list[str]]:
    section = DOC[DOC.index("### Upgrades"):]
    section = section[:section.index("\n### ")]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    return [shlex.split(line.split("#")[0]) for line in block.splitlines() if line.split("#")[0].strip()]


def test_the_documented_upgrade_never_restarts_a_worker_without_the_migrations():
    blocks = re.findall(r"```sh\n(.*?)```", DOC, flags=re.S)
    assert not [b for b in blocks if "--no-deps --build web" in b]  # the old advice: skipped the migrate job
    commands = upgrade_commands()
    as_text = [" ".join(c) for c in commands]
    build = as_text.index("docker compose build")
    migrate = as_text.index("docker compose run --rm migrate")
    restarts = [i for i, c in enumerate(commands) if c[:3] == ["docker", "compose", "up"]]
    assert build < migrate < min(restarts)
    for i in restarts:
        assert "--no-deps" in commands[i] and "-d" in commands[i], as_text[i]


@needs_compose
def test_each_worker_is_restarted_alone_and_waited_for_then_the_rest(config):  # noqa: F811
    commands = upgrade_commands()
    ups = [c for c in commands if c[:3] == ["docker", "compose", "up"]]
    services = [[w for w in c[3:] if not w.startswith("-")] for c in ups]
    web = sorted(workers(config))
    assert services[:len(web)] == [[name] for name in web]  # one at a time, in order
    assert all("--wait" in c for c in ups[:len(web)])      # each healthy before the next
    assert sorted(sum(services[len(web):], [])) == ["daily", "video", "worker"]   # the rest of the hub's image
    for name in web:
        assert "healthcheck" in config["services"][name]
    every = {name for group in services for name in group} | {"migrate"}
    assert every <= set(config["services"])
    assert config["services"]["migrate"]["command"] == ["migrate"]
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text()
    step = entrypoint[entrypoint.index("  migrate)"):entrypoint.index(";;")]
    step = "\n".join(line for line in step.splitlines() if not line.strip().startswith("#"))
    assert "manage.py migrate" in step and "manage.py collectstatic" in step and "--clear" not in step
