"""The convocation letter looks official and is issued once (issue 12, item 8).

Nghị định 30/2020/NĐ-CP, Phụ lục I (as read from published copies): Times New Roman (here Liberation
Serif, its metrics, from the Debian package fonts-liberation2), 13–14 pt; the issuing body top left with
its number and symbol; the national name and motto top right, the place and date of issue under them; the
signature block "TM. THƯỜNG TRỰC HĐND / CHỦ TỊCH"; "Nơi nhận:". Issued: its number, date and the
programme as planned are stored; an item inserted or postponed during the session changes nothing.

Personas (tests/conftest.py): secretary (thuky) — office staff, issues and prints the letters; alice — a
delegate, gets her own letter, may not issue; chair — runs the sitting, inserts and postpones items live.
"""

import datetime as dt
import io
import unicodedata

import pytest
from django.urls import reverse
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from agenda import services as agenda
from agenda.models import AgendaItem
from library import fonts
from library.convocation import date_words as _date_words, issue, letter_pdf
from library.models import Convocation
from library.services import LibraryError
from meeting import services as meeting
from meeting.models import Session

D = dt.date
BASE = "https://hdnd.example.vn/"
LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
INSERTED = "Báo cáo bổ sung về tình hình thiệt hại do bão số 3"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", " ".join(" ".join(page.extract_text() for page in reader.pages).split()))


def sized_runs(data: bytes) -> list[tuple[str, float]]:
    """(text, font size in pt) of every run the PDF draws."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            runs.append((unicodedata.normalize("NFC", text.strip()), round(font_size * tm[0], 1)))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return runs


@pytest.fixture
def session(sitting):
    """The demo session, opening Wednesday 2/12/2026."""
    Session.objects.filter(pk=sitting.session_id).update(start_date=D(2026, 12, 2), end_date=D(2026, 12, 4))
    return Session.objects.select_related("body").get(pk=sitting.session_id)


@pytest.fixture
def alice(users):
    return users["alice"].member


def test_the_date_of_issue_is_written_as_the_decree_says():
    assert _date_words(D(2026, 11, 5)) == "ngày 05 tháng 11 năm 2026"
    assert _date_words(D(2026, 11, 20)) == "ngày 20 tháng 11 năm 2026"
    assert _date_words(D(2027, 1, 20)) == "ngày 20 tháng 01 năm 2027"
    assert _date_words(D(2027, 3, 9)) == "ngày 09 tháng 3 năm 2027"


def test_an_issued_letter_has_every_field_of_the_administrative_format(session, alice, users, settings):
    settings.COUNCIL_NAME = "Hội đồng nhân dân tỉnh Tuyên Quang"
    issue(users["secretary"], session, number="15/GTT-HĐND", issued_on=D(2026, 11, 5))
    text = pdf_text(letter_pdf(session, [alice], BASE))
    for expected in ("HỘI ĐỒNG NHÂN DÂN TỈNH TUYÊN QUANG THƯỜNG TRỰC", "Số: 15/GTT-HĐND",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Tuyên Quang, ngày 05 tháng 11 năm 2026", "GIẤY TRIỆU TẬP", "TM. THƯỜNG TRỰC HĐND", "CHỦ TỊCH",
                     "Nơi nhận:", "- Như trên;", "- Lưu: VT, Văn phòng."):
        assert expected in text, expected
    assert "DỰ THẢO" not in text
    assert text.index("CỘNG HÒA") < text.index("GIẤY TRIỆU TẬP") < text.index("Nơi nhận:")


def test_the_letter_is_set_in_times_new_romans_metrics_at_13_to_14_points(session, alice, users):
    issue(users["secretary"], session, number="15/GTT-HĐND", issued_on=D(2026, 11, 5))
    data = letter_pdf(session, [alice], BASE)
    used = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(data)).pages
            for font in page["/Resources"]["/Font"].values()}
    assert used and all("LiberationSerif" in name for name in used), used
    for path in (fonts.serif_regular(), fonts.serif_bold(), fonts.serif_italic(), fonts.serif_bold_italic()):
        cmap = TTFont(path).getBestCmap()
        assert [ch for ch in LOWER + LOWER.upper() if ord(ch) not in cmap] == [], path
    sizes = dict(sized_runs(data))
    assert sizes["GIẤY TRIỆU TẬP"] == 14
    assert sizes["TM. THƯỜNG TRỰC HĐND"] == sizes["CHỦ TỊCH"] == 13.5
    assert sizes["Nơi nhận:"] == 12
    body = [size for text, size in sized_runs(data) if text.startswith(("Thường trực", "Căn cứ", "Chương trình"))]
    assert body and all(13 <= size <= 14 for size in body), body


def test_a_letter_not_yet_issued_is_an_undated_draft(session, alice):
    text = pdf_text(letter_pdf(session, [alice], BASE))
    assert "DỰ THẢO" in text and "Số: /GTT-HĐND" in text
    assert "ngày tháng năm" in text  # blanks for the clerk: never today's date
    today = dt.date.today()
    assert _date_words(today) not in text


def test_a_live_insert_or_postponement_after_issue_does_not_change_the_letter(sitting, session, alice, users, actors):
    planned = list(AgendaItem.objects.filter(sitting=sitting, parent=None).order_by("position"))
    issue(users["secretary"], session, number="15/GTT-HĐND", issued_on=D(2026, 11, 5))
    before = pdf_text(letter_pdf(session, [alice], BASE))
    assert all(unicodedata.normalize("NFC", item.title) in before for item in planned)

    meeting.open_sitting(actors["chair"], sitting.pk)
    agenda.insert_item(actors["chair"], sitting.pk, title=INSERTED, after_id=planned[0].pk)
    agenda.postpone_item(actors["chair"], sitting.pk, planned[1].pk)

    after = pdf_text(letter_pdf(session, [alice], BASE))
    assert after == before
    assert INSERTED not in after
    assert f"2. {unicodedata.normalize('NFC', planned[1].title)}" in after  # the postponed item, as planned
    # The draft a new session would get reads the live plan: the insert in, the postponed item out.
    Convocation.objects.filter(session=session).delete()
    draft = pdf_text(letter_pdf(session, [alice], BASE))
    assert f"2. {INSERTED}" in draft and unicodedata.normalize("NFC", planned[1].title) not in draft


def test_issuing_is_refused_to_a_delegate_twice_or_with_a_bad_number_or_date(session, users):
    with pytest.raises(LibraryError) as refused:
        issue(users["alice"], session, number="15/GTT-HĐND", issued_on=D(2026, 11, 5))
    assert refused.value.code == "forbidden"
    for number, day in (("", D(2026, 11, 5)), ("mười lăm", D(2026, 11, 5)), ("15/GTT-HĐND", D(2026, 12, 3))):
        with pytest.raises(LibraryError) as refused:
            issue(users["secretary"], session, number=number, issued_on=day)
        assert refused.value.code == "invalid", (number, day)
    assert not Convocation.objects.exists()
    issue(users["secretary"], session, number="15/GTT-HĐND", issued_on=D(2026, 11, 5))
    with pytest.raises(LibraryError) as refused:
        issue(users["secretary"], session, number="16/GTT-HĐND", issued_on=D(2026, 11, 6))
    assert refused.value.code == "already_issued"
    assert Convocation.objects.get().number == "15/GTT-HĐND"


def test_the_office_issues_from_the_sessions_page_and_the_letters_carry_it(client, session, alice, users):
    client.force_login(users["secretary"])
    response = client.post(reverse("library:issue_convocation", args=[session.pk]),
                           {"number": "15/GTT-HĐND", "issued_on": "2026-11-05"})
    assert response.status_code == 302
    assert Convocation.objects.get(session=session).issued_on == D(2026, 11, 5)
    letter = client.get(reverse("library:convocation", args=[session.pk, alice.pk]))
    assert "Số: 15/GTT-HĐND" in pdf_text(letter.content)

    client.force_login(users["alice"])
    refused = client.post(reverse("library:issue_convocation", args=[session.pk]),
                          {"number": "16/GTT-HĐND", "issued_on": "2026-11-06"})
    assert refused.status_code == 403
    assert Convocation.objects.get(session=session).number == "15/GTT-HĐND"
