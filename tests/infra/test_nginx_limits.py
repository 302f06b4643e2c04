"""nginx's upstream settings for restarts and upgrades (issue 17, item 6) and the open-file limits
of nginx and the Daphne workers (item 7), checked in the shipped files (the behaviour itself,
through the real nginx: test_proxy_caching.py)."""

import re

from tests.infra.test_compose import NGINX_CONF, compose, config, needs_compose, workers  # noqa: F401 (fixtures)



def test_nginx_never_marks_a_restarting_worker_dead_and_finds_recreated_containers():
    from tests.infra.nginx import upstream_servers

    text = NGINX_CONF.read_text()
    servers = upstream_servers(text)
    assert servers and all("max_fails=0" in s.split() and "resolve" in s.split() for s in servers), servers
    upstream = text[text.index("upstream hub {"):]
    assert re.search(r"^\s*zone\s+hub\s+\d+k;", upstream[:upstream.index("}")], flags=re.M)  # `resolve` needs it
    assert re.search(r"^\s*resolver\s+127\.0\.0\.11\b", text, flags=re.M)  # Docker's DNS
    assert re.search(r"^\s*proxy_next_upstream\s+error\s+timeout;", text, flags=re.M)


@needs_compose
def test_the_proxy_image_knows_resolve(config):  # noqa: F811
    # `server ... resolve` in an upstream block: open-source nginx 1.27.3 and later.
    version = config["services"]["proxy"]["image"].split(":")[1]
    assert tuple(int(x) for x in version.split(".")[:2]) >= (1, 28), version


def test_nginx_open_files_cover_its_connections_and_workers_run_unprivileged():
    text = NGINX_CONF.read_text()
    connections = int(re.search(r"^\s*worker_connections\s+(\d+);", text, flags=re.M).group(1))
    files = int(re.search(r"^\s*worker_rlimit_nofile\s+(\d+);", text, flags=re.M).group(1))
    assert files >= connections + 1024  # every connection is a file, and so is every file being sent
    assert connections >= 2 * 1500      # 1,500 hub clients: a socket each side
    # Unprivileged, and the app's own user (the image's `hub`): the Daphne workers read the
    # request bodies nginx's workers write, 0600 (docs/decisions/0012).
    assert re.search(r"^user\s+hub;", text, flags=re.M)
    assert "useradd --system --uid 10001 --no-create-home hub" in (NGINX_CONF.parents[1] / "compose.yaml").read_text()
    assert "--uid 10001" in (NGINX_CONF.parents[1] / "Dockerfile").read_text()


@needs_compose
def test_each_daphne_worker_may_open_as_many_files_as_nginx_sends_it_connections(config):  # noqa: F811
    connections = int(re.search(r"^\s*worker_connections\s+(\d+);", NGINX_CONF.read_text(), flags=re.M).group(1))
    for name, svc in workers(config).items():
        nofile = svc["ulimits"]["nofile"]
        limit = nofile if isinstance(nofile, int) else nofile["soft"]
        assert int(limit) >= connections, name
