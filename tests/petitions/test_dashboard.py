"""The deadlines dashboard: petition staff see, per agency, open / due soon / overdue and the
year's on-time rate; nobody else sees it. Dates are relative to the server's today.

People: Hoa, petition staff (handle_cases); Khách, a signed-in user without that right."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions import codes
from petitions.deadlines import FINISHED_STATUSES
from petitions.models import Agency, Case, Deadline, DeadlineRule

URL = "/petitions/dashboard/"


@pytest.fixture
def hoa(db):
    user = get_user_model().objects.create_user("hoa")
    user.user_permissions.add(Permission.objects.get(codename="handle_cases"))
    return user


def case(agency, due_in, *, status="forwarded", met_in=None, step_due_in=None):
    """A case due `due_in` days from today (None: no open step); with a step met today when
    `met_in` is given (days after that step's due date: <= 0 on time)."""
    today = timezone.localdate()
    c = Case.objects.create(tracking_code=codes.new_code(), received_at=timezone.now(), kind="complaint",
                            source="post", subject="Khiếu nại bồi thường", content="…", agency=agency, status=status,
                            due_on=None if due_in is None else today + dt.timedelta(days=due_in))
    accept = DeadlineRule.objects.filter(step="complaint.accept").first()
    if due_in is not None and status not in FINISHED_STATUSES:  # its open step
        Deadline.objects.create(case=c, rule=accept, step="complaint.accept", starts_on=today, due_on=c.due_on)
    if met_in is not None:
        # Met today (so always "this year"), due `met_in` days earlier.
        due = today - dt.timedelta(days=met_in)
        Deadline.objects.create(case=c, rule=accept, step="complaint.accept",
                                starts_on=due - dt.timedelta(days=10), due_on=due,
                                met_at=timezone.make_aware(dt.datetime.combine(today, dt.time(10))))
    return c


def test_the_url_name():
    assert reverse("petitions:dashboard") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_users_without_the_right_are_refused(client, db):
    client.force_login(get_user_model().objects.create_user("khach"))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_counts_per_agency_and_totals(client, hoa):
    tnmt = Agency.objects.create(name="Sở Tài nguyên và Môi trường", kind="department")
    xd = Agency.objects.create(name="Sở Xây dựng", kind="department")
    case(tnmt, -2)                       # overdue
    case(tnmt, 1)                        # due soon
    case(tnmt, 20)                       # open, not soon
    case(tnmt, -5, status="withdrawn")   # finished: not counted
    case(tnmt, None, status="answered", met_in=0)   # met on its due day: on time
    case(tnmt, None, status="answered", met_in=3)   # met late
    case(xd, 0)                          # due today: soon
    case(xd, None, status="published", met_in=-4)   # on time
    client.force_login(hoa)
    response = client.get(URL)
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.context["rows"]}
    t, x = rows["Sở Tài nguyên và Môi trường"], rows["Sở Xây dựng"]
    assert (t["open"], t["soon"], t["overdue"], t["judged"], t["on_time"]) == (3, 1, 1, 3, 1)
    assert t["rate"] == 33.3  # 1 on time / (2 met + 1 open past its due date)
    assert (x["open"], x["soon"], x["overdue"], x["rate"]) == (1, 1, 0, 100)
    total = response.context["total"]
    assert (total["open"], total["soon"], total["overdue"], total["rate"]) == (4, 2, 1, 50)
    # Most overdue first, and links to the register filtered.
    assert response.context["rows"][0]["name"] == "Sở Tài nguyên và Môi trường"
    html = response.content.decode()
    assert f"?agency={tnmt.pk}&amp;due=overdue" in html
    assert "<svg" in html and "33,3%" in html  # Vietnamese decimal comma


def test_the_query_count_does_not_grow_with_agencies_or_cases(client, hoa):
    client.force_login(hoa)
    for i in range(2):
        case(Agency.objects.create(name=f"Cơ quan {i}", kind="department"), -1, met_in=0)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(2, 12):
        agency = Agency.objects.create(name=f"Cơ quan {i}", kind="department")
        for due in (-3, 1, 9):
            case(agency, due, met_in=1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["rows"]) == 12
    assert len(many) == len(few)
