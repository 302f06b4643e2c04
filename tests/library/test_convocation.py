"""Convocation letters (giấy triệu tập), the session link their QR code opens,
and the public list of documents.

Personas (tests/conftest.py):
- alice, bob — delegates of the demo council: each gets their own letter, not the other's.
- secretary  — office staff (thuky): gets any letter, prints all of them at once.
- chair      — db001, chairs the sitting, a delegate too: their own letter only.
- guest      — khachmoi, an invited guest, no member of the council's body: no letter.
- public     — an anonymous visitor: the public documents page, nothing else here.
"""

import datetime as dt
import io
import unicodedata

import pytest
import qrcode
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from accounts.permissions import actor_for
from agenda.models import AgendaItem
from audit.models import AuditRecord
from library import fonts
from library.convocation import letter_pdf, open_url
from library.models import Document
from meeting import services as meeting
from meeting.models import Body, Member, Membership, Session, Sitting

BASE = "https://hdnd.example.vn/"
LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
VIETNAMESE = LOWER + LOWER.upper()


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks folded, so wrapped titles read as one line."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def alice_member(users):
    return users["alice"].member


@pytest.fixture
def second_sitting(sitting):
    """The afternoon sitting of the same session, with two items."""
    later = Sitting.objects.create(body=sitting.body, session=sitting.session, title="Phiên thảo luận, chiều ngày thứ nhất",
                                   starts_at=sitting.starts_at + dt.timedelta(hours=6), place="Hội trường HĐND tỉnh",
                                   chair=sitting.chair, secretary=sitting.secretary)
    AgendaItem.objects.create(sitting=later, position=0, title="Thảo luận về chủ trương đầu tư đường cao tốc")
    AgendaItem.objects.create(sitting=later, position=1, title="Giải trình của Ủy ban nhân dân tỉnh")
    return later


# ---- the letter -------------------------------------------------------------------------

def test_letter_names_the_member_the_session_and_its_whole_programme(sitting, second_sitting, alice_member):
    data = letter_pdf(sitting.session, [alice_member], BASE)

    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in ("GIẤY TRIỆU TẬP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "THƯỜNG TRỰC",
                     "/GTT-HĐND", "TM. THƯỜNG TRỰC HĐND", "CHỦ TỊCH", alice_member.full_name, sitting.session.title,
                     alice_member.delegate_group.name.split(" ", 2)[-1], sitting.place,
                     "Tài liệu kỳ họp được gửi trên máy tính bảng"):
        assert fold(expected) in text, expected
    positions = []
    for s in (sitting, second_sitting):
        positions.append(text.index(fold(s.title)))
        for item in AgendaItem.objects.filter(sitting=s):
            assert fold(item.title) in text, item.title
    assert positions == sorted(positions), "sittings are listed in the order they meet"
    assert "3.1. " + fold("Báo cáo thẩm tra của Ban Kinh tế - Ngân sách") in text, "sub-items carry their number"


def test_letter_carries_the_absolute_open_link_in_text_and_in_its_qr_code(sitting, alice_member):
    url = open_url(sitting.session, BASE)
    assert url == "https://hdnd.example.vn" + reverse("library:open_session", args=[sitting.session.pk])

    data = letter_pdf(sitting.session, [alice_member], BASE)
    assert url in pdf_text(data)

    # The embedded image is the QR code of exactly that address, module for module.
    qr = qrcode.QRCode(border=2)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    images = [img for page in PdfReader(io.BytesIO(data)).pages for img in page.images]
    assert len(images) == 1
    picture = images[0].image.convert("L")
    step = picture.width / len(matrix)
    dark = [[picture.getpixel((int((c + .5) * step), int((r + .5) * step))) < 128 for c in range(len(matrix))]
            for r in range(len(matrix))]
    assert dark == matrix


def test_every_vietnamese_letter_is_in_the_fonts_and_comes_back_out_of_the_pdf(sitting):
    for path in (fonts.regular(), fonts.bold(), fonts.italic()):
        cmap = TTFont(path).getBestCmap()
        assert [ch for ch in VIETNAMESE if ord(ch) not in cmap] == [], path
    # A name typed decomposed (NFD, as some spreadsheets save it) is printed precomposed.
    member = Member.objects.create(code="VN001", full_name=unicodedata.normalize("NFD", LOWER.upper()),
                                   position=unicodedata.normalize("NFD", LOWER), kind=Member.Kind.DELEGATE)
    text = pdf_text(letter_pdf(sitting.session, [member], BASE)).replace(" ", "")
    assert LOWER.upper() in text  # the name, bold
    assert LOWER in text  # the position, regular


def test_one_letter_per_member_each_starting_on_its_own_page(sitting, alice_member, users):
    bob = users["bob"].member
    reader = PdfReader(io.BytesIO(letter_pdf(sitting.session, [alice_member, bob], BASE)))
    starts = [i for i, page in enumerate(reader.pages) if "GIẤY TRIỆU TẬP" in page.extract_text()]
    assert len(starts) == 2
    first, second = ("".join(p.extract_text() for p in reader.pages[a:b]) for a, b in ((starts[0], starts[1]), (starts[1], None)))
    assert alice_member.full_name in first and bob.full_name not in first
    assert bob.full_name in second and alice_member.full_name not in second


def test_the_place_line_and_the_header_name_the_province(sitting, alice_member, settings):
    settings.COUNCIL_NAME = "Hội đồng nhân dân tỉnh Hà Giang"
    text = pdf_text(letter_pdf(sitting.session, [alice_member], BASE, issued=dt.date(2026, 11, 20)))
    assert "TỈNH HÀ GIANG" in text
    assert "Hà Giang, ngày 20 tháng 11 năm 2026" in text


# ---- who gets which letter --------------------------------------------------------------

def letter_url(session, member):
    return reverse("library:convocation", args=[session.pk, member.pk])


def test_a_delegate_downloads_their_own_letter_and_it_is_audited(client, sitting, users, alice_member):
    client.force_login(users["alice"])
    response = client.get(letter_url(sitting.session, alice_member))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert alice_member.full_name in pdf_text(response.content)
    # The QR link is built from the address the request came to.
    assert "http://testserver" + reverse("library:open_session", args=[sitting.session.pk]) in pdf_text(response.content)
    row = AuditRecord.objects.get(action="library.convocation", user=users["alice"])
    assert (row.outcome, row.detail) == ("ok", {"session": sitting.session.pk, "member": alice_member.pk})


@pytest.mark.parametrize("who", ["bob", "chair", "guest"])
def test_nobody_else_but_office_staff_gets_a_delegates_letter(client, sitting, users, alice_member, who):
    client.force_login(users[who])
    response = client.get(letter_url(sitting.session, alice_member))
    assert response.status_code == 403
    assert "accounts/problem.html" in [t.name for t in response.templates]
    assert AuditRecord.objects.filter(action="library.convocation", user=users[who], outcome="forbidden").count() == 1


def test_office_staff_get_any_delegates_letter(client, sitting, users, alice_member):
    client.force_login(users["secretary"])
    response = client.get(letter_url(sitting.session, alice_member))
    assert response.status_code == 200
    assert alice_member.full_name in pdf_text(response.content)
    assert AuditRecord.objects.filter(action="library.convocation", user=users["secretary"], outcome="ok").exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, sitting, alice_member):
    url = letter_url(sitting.session, alice_member)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not AuditRecord.objects.filter(action="library.convocation", outcome="ok").exists()


def test_someone_outside_the_sessions_body_has_no_letter(client, sitting, users):
    guest = users["guest"].member
    client.force_login(users["guest"])
    response = client.get(letter_url(sitting.session, guest))
    assert response.status_code == 404
    assert "accounts/problem.html" in [t.name for t in response.templates]


@pytest.mark.full_council
def test_office_staff_print_one_letter_per_delegate_of_the_body(client, sitting, users):
    delegates = Member.objects.filter(memberships__body=sitting.session.body, memberships__active=True,
                                      kind=Member.Kind.DELEGATE)
    # An inactive former member gets no letter.
    gone = Member.objects.create(code="DB999", full_name="Phạm Thị Đã Thôi", kind=Member.Kind.DELEGATE)
    Membership.objects.create(body=sitting.session.body, member=gone, active=False)
    client.force_login(users["secretary"])
    response = client.get(reverse("library:convocations", args=[sitting.session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert sum("GIẤY TRIỆU TẬP" in p for p in pages) == delegates.count() == 50
    text = " ".join(pages)
    assert all(m.full_name in text for m in delegates)
    assert gone.full_name not in text
    assert AuditRecord.objects.get(action="library.convocations").detail == {"session": sitting.session.pk, "members": 50}


@pytest.mark.parametrize("who", ["alice", "chair"])
def test_only_office_staff_print_every_letter(client, sitting, users, who):
    client.force_login(users[who])
    response = client.get(reverse("library:convocations", args=[sitting.session.pk]))
    assert response.status_code == 403
    assert "accounts/problem.html" in [t.name for t in response.templates]


# ---- the link in the QR code ------------------------------------------------------------

def open_link(client, session):
    return client.get(reverse("library:open_session", args=[session.pk]))


def terminal(sitting):
    return reverse("meeting:terminal", args=[sitting.pk])


def test_the_link_asks_to_sign_in_first(client, sitting):
    response = open_link(client, sitting.session)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_before_the_session_the_link_opens_the_next_scheduled_sitting(client, sitting, second_sitting, users):
    client.force_login(users["alice"])
    assert open_link(client, sitting.session)["Location"] == terminal(sitting)


def test_during_the_session_the_link_opens_the_live_sitting(client, sitting, second_sitting, users):
    chair = actor_for(second_sitting, user=users["chair"])
    meeting.open_sitting(chair, second_sitting.pk)
    client.force_login(users["alice"])
    assert open_link(client, sitting.session)["Location"] == terminal(second_sitting)


def test_between_sittings_the_link_opens_the_next_one(client, sitting, second_sitting, users):
    chair = actor_for(sitting, user=users["chair"])
    meeting.open_sitting(chair, sitting.pk)
    meeting.close_sitting(chair, sitting.pk)
    client.force_login(users["alice"])
    assert open_link(client, sitting.session)["Location"] == terminal(second_sitting)


def test_after_the_session_the_link_opens_its_last_sitting(client, sitting, second_sitting, users):
    for s in (sitting, second_sitting):
        chair = actor_for(s, user=users["chair"])
        meeting.open_sitting(chair, s.pk)
        meeting.close_sitting(chair, s.pk)
    client.force_login(users["alice"])
    response = open_link(client, sitting.session)
    assert response["Location"] == terminal(second_sitting)
    assert client.get(response["Location"]).status_code == 200


def test_a_session_without_sittings_says_so(client, sitting, users):
    empty = Session.objects.create(body=sitting.body, number=13, title="Kỳ họp thứ mười ba (chuyên đề)",
                                   start_date=timezone.localdate() + dt.timedelta(days=30),
                                   end_date=timezone.localdate() + dt.timedelta(days=30))
    client.force_login(users["alice"])
    response = open_link(client, empty)
    assert response.status_code == 404
    assert "accounts/problem.html" in [t.name for t in response.templates]
    assert empty.title in response.content.decode()


# ---- public documents -------------------------------------------------------------------

def document(session, summary, *, access="public", status="published", days_ago=0):
    return Document.objects.create(session=session, body=session.body if session else None, summary=summary,
                                   access=access, status=status, kind=Document.Kind.RESOLUTION,
                                   published_at=timezone.now() - dt.timedelta(days=days_ago) if status == "published" else None)


def test_public_documents_show_only_published_public_ones_newest_session_first(client, sitting):
    older = Session.objects.create(body=sitting.body, number=11, title="Kỳ họp thứ mười một, HĐND tỉnh khóa XIX",
                                   start_date=sitting.session.start_date - dt.timedelta(days=180),
                                   end_date=sitting.session.start_date - dt.timedelta(days=178))
    shown = [
        document(sitting.session, "Nghị quyết về dự toán ngân sách năm 2027", days_ago=0),
        document(sitting.session, "Nghị quyết về kế hoạch đầu tư công năm 2027", days_ago=1),
        document(older, "Nghị quyết về bảng giá đất", days_ago=180),
    ]
    hidden = [
        document(sitting.session, "Báo cáo dành cho đại biểu", access="delegates"),
        document(sitting.session, "Tài liệu nội bộ Văn phòng", access="internal"),
        document(sitting.session, "Dự thảo chưa phát hành", status="draft"),
        document(sitting.session, "Nghị quyết đã thu hồi", status="withdrawn"),
    ]
    response = client.get(reverse("library:public_documents"))
    assert response.status_code == 200
    page = response.content.decode()
    assert [page.index(d.summary) for d in shown] == sorted(page.index(d.summary) for d in shown)
    assert page.index(sitting.session.title) < page.index(older.title)
    for d in shown:
        assert reverse("library:view", args=[d.pk]) in page
    assert [d.summary for d in hidden if d.summary in page] == []


def test_public_documents_page_says_when_there_are_none(client, db):
    response = client.get(reverse("library:public_documents"))
    assert response.status_code == 200
    assert "Hiện chưa có tài liệu công khai nào." in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/public/"])
def test_the_public_pages_link_to_the_public_documents(client, sitting, url):
    assert reverse("library:public_documents") in client.get(url).content.decode()
