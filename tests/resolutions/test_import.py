"""Import of the year's planned resolutions from a spreadsheet (resolutions.imports): a good file
creates every row through the service; one bad row imports nothing and the page lists the errors
(row, column, message); a file that is not XLSX is a 400; only resolution staff may import."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from audit.models import AuditRecord
from meeting.models import Body, Session
from resolutions import imports
from resolutions.models import Resolution
from tests.resolutions.fixtures import *  # noqa: F401,F403

URL = "/resolutions/import/"
HEADER = ["Trích yếu", "Lĩnh vực", "Năm", "Kỳ họp dự kiến (số thứ tự)", "Cơ quan chủ trì soạn thảo", "Ban thẩm tra"]


@pytest.fixture
def council(term):
    plenary = Body.objects.create(name="HĐND tỉnh", kind=Body.Kind.PLENARY, term=term)
    Session.objects.create(body=plenary, number=3, title="Kỳ họp thứ ba", start_date=dt.date(2027, 7, 8),
                           end_date=dt.date(2027, 7, 10))
    return Body.objects.create(name="Ban Văn hóa - Xã hội", kind=Body.Kind.COMMITTEE, term=term)


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [["Quy định mức thu học phí năm học 2027-2028", "Phí, lệ phí", 2027, 3, "Sở Tài chính", "Ban Văn hóa - Xã hội"],
        ["Hỗ trợ nhà ở cho hộ nghèo", "chinh sach xa hoi", "2027", "", "so y te", ""]]


def post(client, data: bytes, name="chuong-trinh.xlsx"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def manager_client(client, people):
    client.force_login(people["manager"])
    return client


def test_a_good_file_creates_every_row_as_planned(manager_client, council, finance, health):
    response = post(manager_client, xlsx(GOOD))
    assert response.status_code == 302
    made = Resolution.objects.get(title=GOOD[0][0])
    assert (made.status, made.area, made.planned_year, made.planned_session.number, made.lead_agency, made.reviewing_committee) == (
        "planned", "fees", 2027, 3, finance, council)


def test_values_are_matched_without_diacritics_or_case(manager_client, council, finance, health):
    post(manager_client, xlsx(GOOD))
    made = Resolution.objects.get(title=GOOD[1][0])
    assert (made.area, made.lead_agency) == ("social", health)


def test_each_imported_resolution_is_audited_with_the_import(manager_client, council, finance, health):
    post(manager_client, xlsx(GOOD))
    actions = list(AuditRecord.objects.filter(action__startswith="resolutions.").values_list("action", flat=True))
    assert actions.count("resolutions.create") == 2 and actions.count("resolutions.import") == 1


def test_imported_resolutions_are_searchable(manager_client, council, finance, health):
    post(manager_client, xlsx(GOOD))
    assert Resolution.objects.get(title=GOOD[1][0]).folded == "ho tro nha o cho ho ngheo"


def test_one_bad_row_imports_nothing(manager_client, council, finance, health):
    bad = GOOD + [["Đặt tên đường", "Không có lĩnh vực này", 2027, "", "", ""]]
    response = post(manager_client, xlsx(bad))
    assert response.status_code == 400 and Resolution.objects.count() == 0


def test_the_error_report_names_row_column_and_message(manager_client, council, finance, health):
    bad = GOOD + [["Đặt tên đường", "Không có lĩnh vực này", "năm sau", 99, "Sở Không Có", ""]]
    body = post(manager_client, xlsx(bad)).content.decode()
    row = body[body.index('data-row="4"'):]
    assert "Lĩnh vực" in row and "Không có lĩnh vực “Không có lĩnh vực này”" in body
    assert "Năm phải là một số" in body and "Không có cơ quan “Sở Không Có”" in body


def test_a_session_missing_from_the_term_is_reported(manager_client, council, finance):
    body = post(manager_client, xlsx([["Đặt tên đường", "", 2027, 9, "", ""]])).content.decode()
    assert "không có kỳ họp thứ 9" in body and Resolution.objects.count() == 0


def test_a_row_without_a_title_is_reported(manager_client, council):
    response = post(manager_client, xlsx([["", "Khác", 2027, "", "", ""], ["Có trích yếu", "", "", "", "", ""]]))
    body = response.content.decode()
    assert response.status_code == 400 and "Cần trích yếu" in body and 'data-row="3"' in body


def test_a_file_that_is_not_xlsx_is_a_400(manager_client):
    response = post(manager_client, "Trích yếu;Năm\nA;2027\n".encode(), name="chuong-trinh.csv")
    assert response.status_code == 400 and "không phải bảng tính Excel" in response.content.decode()


def test_a_zip_that_is_not_a_workbook_is_a_400(manager_client):
    out = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "x")
    assert post(manager_client, out.getvalue()).status_code == 400


def test_a_header_without_the_required_columns_is_refused(manager_client):
    response = post(manager_client, xlsx([["x"]], header=["Tên"]))
    assert response.status_code == 400 and "thiếu cột" in response.content.decode()


def test_too_many_rows_are_refused(manager_client, council, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    response = post(manager_client, xlsx([["A", "", 2027, "", "", ""]] * 3))
    assert response.status_code == 400 and Resolution.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(manager_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    assert post(manager_client, xlsx(GOOD)).status_code == 400


@pytest.mark.parametrize("who", ["agent", "clerk", "stranger"])
def test_only_resolution_staff_may_import(client, people, council, finance, health, who):
    client.force_login(people[who])
    response = post(client, xlsx(GOOD))
    assert response.status_code == 403 and Resolution.objects.count() == 0


def test_the_anonymous_are_sent_to_sign_in(client, council):
    response = post(client, xlsx(GOOD))
    assert response.status_code == 302 and Resolution.objects.count() == 0


def test_a_forged_post_without_the_csrf_token_is_refused(people, council, finance, health):
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    forged.force_login(people["manager"])
    assert post(forged, xlsx(GOOD)).status_code == 403 and Resolution.objects.count() == 0


def test_the_service_refuses_a_user_who_is_not_staff(people, council, finance):
    with pytest.raises(imports.ResolutionError) as refused:
        imports.import_programme(people["agent"], xlsx(GOOD))
    assert refused.value.code == "forbidden"


def test_the_template_has_the_header_and_the_valid_values(manager_client, council, finance):
    response = manager_client.get("/resolutions/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book.worksheets[0][1]]
    valid = [c.value for c in book.worksheets[1]["B"]]
    assert header == HEADER and "Sở Tài chính" in valid


def test_the_template_imports_as_it_is(manager_client, council, finance):
    data = manager_client.get("/resolutions/import/template.xlsx").content
    assert post(manager_client, data).status_code == 302 and Resolution.objects.count() == 1


def test_a_workbook_with_broken_xml_is_a_400(manager_client):
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx(GOOD)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in source.namelist():
            z.writestr(name, b"<not xml" if name.endswith("sheet1.xml") else source.read(name))
    response = post(manager_client, out.getvalue())
    assert response.status_code == 400 and Resolution.objects.count() == 0


def test_a_sheet_of_endless_blank_rows_is_refused(manager_client, council, monkeypatch):
    monkeypatch.setattr(imports, "MAX_SCANNED", 10)
    response = post(manager_client, xlsx([[None] * 6] * 12 + [["A", "", 2027, "", "", ""]]))
    assert response.status_code == 400 and Resolution.objects.count() == 0
