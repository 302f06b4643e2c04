"""The agencies' part of the desk: `agent` (lead) and `co_agent` (co-operating) see and report on the
task; `other_agent` (another agency) is told it does not exist (404); `stranger` (no agency) is
refused (403); the anonymous sent to sign in. Reports' files: the office and the task's agencies
only."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resolutions import progress, services_tasks
from resolutions.models import ProgressReport, ReportFile
from tests.library.samples import pdf
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403


@pytest.fixture
def login(client, people, co_agent):
    def as_(name):
        client.force_login(co_agent if name == "co_agent" else people[name])
        return client
    return as_


@pytest.mark.parametrize("who, role", [("agent", "Chủ trì"), ("co_agent", "Phối hợp")])
def test_the_tasks_agencies_see_it_on_their_desk(login, task, who, role):
    html = login(who).get(reverse("resolutions:desk")).content.decode()
    assert reverse("resolutions:desk_task", args=[task.pk]) in html and role in html


def test_another_agency_does_not_see_the_task(login, task):
    page = login("other_agent").get(reverse("resolutions:desk"))
    assert page.status_code == 200 and reverse("resolutions:desk_task", args=[task.pk]) not in page.content.decode()


def test_another_agencys_task_page_does_not_exist_for_it(login, task):
    assert login("other_agent").get(reverse("resolutions:desk_task", args=[task.pk])).status_code == 404


def test_a_forged_report_on_another_agencys_task_is_a_404_and_records_nothing(login, task):
    page = login("other_agent").post(reverse("resolutions:desk_report", args=[task.pk]), {"text": "Giả mạo"})
    assert page.status_code == 404 and not ProgressReport.objects.exists()


def test_a_user_of_no_agency_is_refused_the_desk(login, task):
    assert login("stranger").get(reverse("resolutions:desk")).status_code == 403
    assert login("stranger").get(reverse("resolutions:desk_task", args=[task.pk])).status_code == 403


def test_the_anonymous_are_sent_to_sign_in(client, task):
    page = client.get(reverse("resolutions:desk"))
    assert page.status_code == 302 and "/login" in page["Location"]


def test_the_petitions_desk_shows_the_tasks_section_with_its_counts(login, task):
    html = login("agent").get(reverse("petitions:agency_desk")).content.decode()
    section = re.search(r'<nav class="tabs desk-sections".*?</nav>', html, re.S).group(0)
    assert reverse("resolutions:desk") in section and "Nhiệm vụ thực hiện nghị quyết" in section
    assert '<span class="tag">1</span>' in section


def test_the_desk_shows_progress_as_progress_py_computes_it(login, people, task):
    services_tasks.report_progress(people["agent"], task, text="Đợt 1", values={task.indicators.get().pk: "300"})
    html = login("co_agent").get(reverse("resolutions:desk")).content.decode()
    shown = int(re.search(r'<span class="pct">(\d+)%</span>', html).group(1))
    assert shown == progress.percent(progress.task_progress(task)) == 15


def test_an_agent_reports_a_figure_from_the_task_page(login, task):
    client = login("agent")
    indicator = task.indicators.get()
    page = client.post(reverse("resolutions:desk_report", args=[task.pk]),
                       {"text": "Đã chi trả cho 1.000 học sinh", f"value_{indicator.pk}": "1000"})
    assert page.status_code == 302
    html = client.get(page["Location"]).content.decode()
    assert "Đã gửi báo cáo tiến độ." in html and '<span class="pct">50%</span>' in html


def test_a_figure_that_is_not_a_number_is_a_400_with_the_message_and_nothing_recorded(login, task):
    indicator = task.indicators.get()
    page = login("agent").post(reverse("resolutions:desk_report", args=[task.pk]),
                               {"text": "Đợt 1", f"value_{indicator.pk}": "một nghìn"})
    assert page.status_code == 400 and "không phải là một số" in page.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_closed_task_offers_no_report_form(login, people, task):
    services_tasks.cancel_task(people["manager"], task, "Không còn phù hợp")
    html = login("agent").get(reverse("resolutions:desk_task", args=[task.pk])).content.decode()
    assert reverse("resolutions:desk_report", args=[task.pk]) not in html


@pytest.fixture
def report_file(people, task):
    upload = SimpleUploadedFile("chung-tu.pdf", pdf(), content_type="application/pdf")
    services_tasks.report_progress(people["agent"], task, text="Kèm chứng từ", files=[upload])
    return ReportFile.objects.get()


@pytest.mark.parametrize("who", ["manager", "agent", "co_agent"])
def test_the_office_and_the_tasks_agencies_get_a_reports_file(login, task, report_file, who):
    page = login(who).get(reverse("resolutions:report_file", args=[task.pk, report_file.pk]))
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert b"".join(page.streaming_content).startswith(b"%PDF")
    assert page["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["other_agent", "stranger", "clerk"])
def test_anyone_else_is_told_the_file_does_not_exist(login, task, report_file, who):
    assert login(who).get(reverse("resolutions:report_file", args=[task.pk, report_file.pk])).status_code == 404


def test_a_file_asked_through_another_task_does_not_exist(login, people, task, report_file, adopted, finance):
    from tests.resolutions.tasks_fixtures import make_task

    other = make_task(people["manager"], adopted, finance, title="Khác")
    assert login("agent").get(reverse("resolutions:report_file", args=[other.pk, report_file.pk])).status_code == 404


def test_the_anonymous_are_sent_to_sign_in_for_a_file(client, task, report_file):
    page = client.get(reverse("resolutions:report_file", args=[task.pk, report_file.pk]))
    assert page.status_code == 302 and "/login" in page["Location"]


def test_a_report_with_a_file_and_a_done_claim_through_the_page(login, task):
    client = login("co_agent")
    upload = SimpleUploadedFile("bien-ban.pdf", pdf(), content_type="application/pdf")
    page = client.post(reverse("resolutions:desk_report", args=[task.pk]),
                       {"text": "Đã phối hợp rà soát xong", "files": [upload], "claims_done": "1"})
    assert page.status_code == 302
    report = ProgressReport.objects.get()
    assert report.claims_done and report.agency.name == "Sở Giáo dục và Đào tạo"
    assert report.files.get().name == "bien-ban.pdf"


def test_a_cross_site_post_without_the_csrf_token_is_refused(people, task):
    from django.test import Client

    forger = Client(enforce_csrf_checks=True)
    forger.force_login(people["agent"])
    page = forger.post(reverse("resolutions:desk_report", args=[task.pk]), {"text": "Giả mạo"})
    assert page.status_code == 403 and not ProgressReport.objects.exists()
