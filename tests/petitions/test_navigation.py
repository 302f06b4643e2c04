"""The officer's navigation (issue 12, item 7): the deadlines dashboard, the statistics, the reports and the
voter-meeting pages are reachable from it, and no link in it answers 403 for the signed-in role.

The crawl starts on the home page and follows every link of the home page's own sections and of the top
navigation of every page reached, as each role, and fails on a 403.

Personas: staff (donthu) — handles cases; guardian (baomat) — handles cases and reads denouncers' identities;
desk (sotnmt) — an agency's desk user; alice (DB010) — a delegate of a delegate group; guest (khachmoi) —
signed in, in no group; secretary (thuky) — the council office; admin — a superuser."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from .service_fixtures import media_folder, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="topnav">(.*?)</nav>', re.S)
SECTIONS = re.compile(r'<section class="card" id="(?:letters|office|petitions-office|my-sittings)">(.*?)</section>', re.S)
HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/admin/", "/static/", "/sitting/", "/media/")  # not petitions pages; the admin has its own checks


def _links(html: str, home: bool) -> set[str]:
    parts = NAV.findall(html) + (SECTIONS.findall(html) if home else [])
    out = set()
    for part in parts:
        for href in HREF.findall(part):
            url = urlsplit(href.replace("&amp;", "&"))
            if not url.netloc and url.path.startswith("/") and not url.path.startswith(SKIP):
                out.add(url.path)
    return out


def crawl(client, user) -> dict[str, int]:
    client.force_login(user)
    seen, queue = {}, ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            queue.extend(_links(response.content.decode(), home=path == "/") - set(seen))
    return seen


@pytest.fixture
def roles(people, users):
    User = get_user_model()
    return {"staff": people["staff"], "guardian": people["guardian"], "desk": people["desk"], "alice": users["alice"],
            "guest": users["guest"], "secretary": users["secretary"], "admin": User.objects.get(username="admin")}


@pytest.mark.parametrize("role", ["staff", "guardian", "desk", "alice", "guest", "secretary", "admin"])
def test_no_link_of_the_navigation_answers_403(client, roles, role):
    seen = crawl(client, roles[role])
    assert len(seen) > 1
    refused = sorted(path for path, status in seen.items() if status == 403)
    assert refused == [], refused


def test_petition_staff_reach_the_dashboard_statistics_reports_and_voter_meetings(client, roles):
    seen = crawl(client, roles["staff"])
    for name in ("register", "reception", "dashboard", "statistics", "reports", "meetings"):
        assert seen.get(reverse(f"petitions:{name}")) == 200, name
    assert reverse("petitions:identity_log") not in seen  # only for the identity right
    assert reverse("petitions:identity_log") in crawl(client, roles["guardian"])


def test_each_role_reaches_its_own_pages(client, roles):
    assert crawl(client, roles["alice"]).get(reverse("petitions:meetings")) == 200
    assert crawl(client, roles["desk"]).get(reverse("petitions:agency_desk")) == 200
    assert reverse("petitions:meetings") not in crawl(client, roles["guest"])
