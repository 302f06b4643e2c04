"""The six-monthly report's page, PDF and spreadsheet: resolution staff only, a bad period is a 400,
and the three show the same numbers (one Summary; read back with pypdf and openpyxl)."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from resolutions import report
from tests.resolutions.supervision_fixtures import *  # noqa: F401,F403
from tests.resolutions.test_report import data  # noqa: F401

THIS = timezone.localdate()
HALF = {"year": THIS.year, "half": report.current_half(THIS)[1]}


@pytest.fixture
def manager_client(client, people):
    client.force_login(people["manager"])
    return client


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def page_numbers(html: str) -> dict[str, list[int]]:
    out = {}
    for rid, cells in re.findall(r'<tr data-resolution="(\d+)">(.*?)</tr>', html, re.S):
        out[rid] = [int(v) for v in re.findall(r'data-key="\w+">(\d+)<', cells)]
    return out


def test_page_pdf_and_spreadsheet_show_the_same_numbers(manager_client, data):
    s = report.summary(**HALF)
    keys = ("total", "done", "done_late", "overdue", "open")
    expected = {str(r["id"]): [r[k] for k in keys] for r in s.resolutions}
    assert expected and any(sum(v) for v in expected.values())

    page = manager_client.get(reverse("resolutions:report"), HALF)
    assert page.status_code == 200
    assert page_numbers(page.content.decode()) == expected

    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(manager_client.get(reverse("resolutions:report_xlsx"), HALF).content))
    rows = {row[1]: list(row[3:8]) for row in book["Nghị quyết"].iter_rows(min_row=4, values_only=True) if row[1]}
    assert rows == {r["number"]: [r[k] for k in keys] for r in s.resolutions}
    total_row = [row for row in book["Nghị quyết"].iter_rows(values_only=True) if row[2] == "Tổng cộng"][0]
    assert list(total_row[3:8]) == [s.totals[k] for k in keys]

    text = pdf_text(manager_client.get(reverse("resolutions:report_pdf"), HALF).content)
    assert "BÁO CÁO" in text and "THƯỜNG TRỰC" in text and "Độc lập - Tự do - Hạnh phúc" in text
    flat = " ".join(text.split())
    assert "Tổng cộng " + " ".join(str(s.totals[k]) for k in keys) in flat
    for r in s.resolutions:
        assert " ".join(str(r[k]) for k in keys) + f" {r['progress']} %" in flat


def test_the_spreadsheet_lists_the_overdue_tasks_with_their_days_late(manager_client, data):
    from openpyxl import load_workbook

    s = report.summary(**HALF)
    book = load_workbook(io.BytesIO(manager_client.get(reverse("resolutions:report_xlsx"), HALF).content))
    late = [(row[1], row[5]) for row in book["Nhiệm vụ quá hạn"].iter_rows(min_row=2, values_only=True)]
    assert late == [(t["title"], t["days_late"]) for t in s.overdue] and late


def test_the_downloads_are_attachments_not_cached(manager_client, data):
    response = manager_client.get(reverse("resolutions:report_pdf"), HALF)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "2026", "half": "3"}, {"year": "1990", "half": "1"}])
def test_a_period_that_is_not_a_half_year_is_a_400(manager_client, people, query):
    for name in ("report", "report_pdf", "report_xlsx"):
        response = manager_client.get(reverse(f"resolutions:{name}"), query)
        assert response.status_code == 400
        assert "6 tháng đầu năm hoặc 6 tháng cuối năm" in response.content.decode()


def test_a_committee_member_or_an_agency_may_not_download_it(client, people, committee_people):
    for user in (committee_people["member_user"], people["agent"], people["clerk"]):
        client.force_login(user)
        for name in ("report", "report_pdf", "report_xlsx"):
            assert client.get(reverse(f"resolutions:{name}")).status_code == 403


def test_anonymous_signs_in_first(client, db):
    response = client.get(reverse("resolutions:report_pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_empty_half_year_still_makes_a_report(manager_client, people):
    assert manager_client.get(reverse("resolutions:report"), {"year": 2021, "half": 1}).status_code == 200
    text = pdf_text(manager_client.get(reverse("resolutions:report_pdf"), {"year": 2021, "half": 1}).content)
    assert "6 tháng đầu năm 2021" in " ".join(text.split())


def test_the_page_draws_the_tasks_states_as_one_bar(manager_client, data):
    from resolutions.views_supervision_report import stacked_bar

    s = report.summary(**HALF)
    bar = stacked_bar(s.totals)
    assert [p["n"] for p in bar] == [s.totals["done"] - s.totals["done_late"], s.totals["done_late"],
                                     s.totals["overdue"], s.totals["open"]]
    assert abs(sum(p["w"] for p in bar) - 100) < 0.05
    html = manager_client.get(reverse("resolutions:report"), HALF).content.decode()
    assert 'id="states"' in html and f'data-part="overdue">{s.totals["overdue"]}<' in html


def test_the_bar_of_nothing_is_empty():
    from resolutions.views_supervision_report import stacked_bar

    assert all(p["w"] == 0 for p in stacked_bar(dict.fromkeys(("total", "done", "done_late", "overdue", "open"), 0)))
