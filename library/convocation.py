"""Convocation letters (giấy triệu tập): one A4 letter per member, with the
session's programme and a QR code that opens the session on the terminal.

The layout follows the state's format for administrative documents (Nghị định
30/2020/NĐ-CP on clerical work, Phụ lục I, as read from published copies of
it): a serif font with Times New Roman's metrics (Liberation Serif, from a
Debian package: library.fonts), body text at 13–14 pt; top left the issuing
body in capitals with a short rule under it and the number and symbol under
that; top right the national name "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and
the motto "Độc lập - Tự do - Hạnh phúc" with a rule as long as the motto, then
the place and date of issue in italics ("Tuyên Quang, ngày 05 tháng 11 năm
2026": a day below 10 and a month below 3 get a leading zero); the title;
the body; the signature block "TM. THƯỜNG TRỰC HĐND / CHỦ TỊCH" and the
recipients "Nơi nhận:" (bold italic, 12 pt; the list 11 pt).

A letter is **issued** once (library.models.Convocation, `issue`): its
number and symbol and date of issue are stored, and so is the programme as
planned at that moment. Every later render prints that: not today's date, not
the live agenda with the items inserted or postponed since. Until issued, the
letter is a draft ("DỰ THẢO"), undated, with the current planned programme.

Who may get which letter is decided in accounts.permissions. The letter is an
official Vietnamese document, so it is written in Vietnamese whatever the
reader's interface language.
"""

import datetime as dt
import unicodedata
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import fonts

FONT = "Serif"  # Liberation Serif: Times New Roman's metrics (library.fonts)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
QR_MM = 28


def nfc(text) -> str:
    """Names imported from spreadsheets may be decomposed; the font wants precomposed letters."""
    return unicodedata.normalize("NFC", str(text or ""))


def open_url(session, base_url: str) -> str:
    """The absolute address the letter's QR code carries."""
    return base_url.rstrip("/") + reverse("library:open_session", args=[session.pk])


# ---- the council's name -------------------------------------------------------------

def council_parts(session=None) -> tuple[str, str]:
    """(level, locality) from COUNCIL_NAME, e.g. ("tỉnh", "Tuyên Quang").

    When COUNCIL_NAME names no place (the default "Hội đồng nhân dân tỉnh"),
    the session's plenary body is asked instead.
    """
    names = [settings.COUNCIL_NAME]
    if session is not None and session.body.kind == "plenary":
        names.append(session.body.name)
    level = "tỉnh"
    for name in names:
        rest = nfc(name).strip()
        for prefix in ("hội đồng nhân dân", "hđnd"):
            if rest.lower().startswith(prefix):
                rest = rest[len(prefix):].strip()
                break
        for word in ("thành phố", "tỉnh"):
            if rest.lower().startswith(word):
                level, rest = word, rest[len(word):].strip()
                break
        if rest:
            return level, rest
    return level, ""


def date_words(day: dt.date | None) -> str:
    """The date of issue as Nghị định 30/2020/NĐ-CP writes it: a day below 10 and a month below 3 with a
    leading zero ("ngày 05 tháng 02 năm 2027", "ngày 20 tháng 11 năm 2026"); blanks for a draft."""
    if day is None:
        return _("ngày      tháng      năm        ")
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("ngày %(d)s tháng %(m)s năm %(y)d") % {"d": d, "m": m, "y": day.year}


def official_header(pdf, *, font: str, level: str, locality: str, number: str, day: dt.date | None) -> None:
    """The head of a paper of the council's standing committee, as Nghị định 30/2020/NĐ-CP (Phụ lục I)
    lays it out: on the left the issuing body (HỘI ĐỒNG NHÂN DÂN, its level and place, THƯỜNG TRỰC in
    bold, a short rule) and `number` ("Số: …"); on the right the national title, the motto in bold
    with its rule, and the place and date in italics. The convocation letter, the voters' petitions
    report and the resolutions' six-monthly report all begin so."""
    top = pdf.get_y()
    left_w, right_w = 72.0, pdf.epw - 72.0
    x_left, x_right = pdf.l_margin, pdf.l_margin + left_w

    def at(x, w, text, style="", size=13, h=5.6):
        pdf.set_font(font, style, size)
        pdf.set_x(x)
        pdf.multi_cell(w, h, nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")

    at(x_left, left_w, _("HỘI ĐỒNG NHÂN DÂN"))
    if locality:
        at(x_left, left_w, f"{level} {locality}".upper())
    at(x_left, left_w, _("THƯỜNG TRỰC"), "B")
    y = pdf.get_y() + 0.8
    pdf.line(x_left + left_w / 2 - 12, y, x_left + left_w / 2 + 12, y)
    pdf.set_y(y + 2.5)
    at(x_left, left_w, number)
    left_end = pdf.get_y()

    pdf.set_y(top)
    at(x_right, right_w, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "B", 12.5)
    motto = _("Độc lập - Tự do - Hạnh phúc")
    at(x_right, right_w, motto, "B", 13.5)
    y = pdf.get_y() + 0.8
    pdf.set_font(font, "B", 13.5)
    half = pdf.get_string_width(motto) / 2
    pdf.line(x_right + right_w / 2 - half, y, x_right + right_w / 2 + half, y)
    pdf.set_y(y + 2.5)
    place = f"{locality}, " if locality else "……, "
    at(x_right, right_w, place + date_words(day), "I", 13.5)
    pdf.set_y(max(left_end, pdf.get_y()) + 6)


def _day(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def _clock(moment) -> str:
    local = timezone.localtime(moment)
    return _("%(h)02d giờ %(m)02d") % {"h": local.hour, "m": local.minute}


# ---- what goes into a letter ----------------------------------------------------------

class Programme:
    """The session's sittings with their numbered agenda items as planned: the stored programme of an
    issued letter, or (a draft) the current agenda without postponed items. Read once for all letters."""

    def __init__(self, session, convocation=None):
        self.sittings = [_Sitting(row) for row in (convocation.programme if convocation else planned(session))]
        chair = (session.body.memberships.filter(role="chair", active=True).select_related("member").first())
        self.signer = nfc(chair.member.full_name) if chair else ""


class _Sitting:
    def __init__(self, row: dict):
        self.title, self.place = row["title"], row.get("place", "")
        self.starts_at = dt.datetime.fromisoformat(row["starts_at"])
        self.items = [_Item(item) for item in row.get("items", [])]


class _Item:
    def __init__(self, row: dict):
        self.number, self.title, self.depth = row["number"], row["title"], row.get("depth", 0)


def planned(session) -> list[dict]:
    """The session's programme as planned now: its sittings in order, each with its agenda items numbered
    depth first; postponed items (and the items under them) are not in the plan."""
    from agenda.models import AgendaItem
    from agenda.state import ordered_items

    out = []
    for sitting in session.sittings.order_by("starts_at", "pk"):
        items, dropped = [], set()
        for item in ordered_items(sitting.pk):
            if item.status == AgendaItem.Status.POSTPONED or item.parent_id in dropped:
                dropped.add(item.pk)
                continue
            items.append(item)
        # Numbered again without the postponed ones, as the plan reads.
        numbers, counters = {}, {}
        for item in items:
            prefix = f"{numbers[item.parent_id]}." if item.parent_id in numbers else ""
            counters[item.parent_id] = counters.get(item.parent_id, 0) + 1
            numbers[item.pk] = f"{prefix}{counters[item.parent_id]}"
        out.append({"title": nfc(sitting.title), "place": nfc(sitting.place), "starts_at": sitting.starts_at.isoformat(),
                    "items": [{"number": numbers[i.pk], "title": nfc(i.title), "depth": i.depth} for i in items]})
    return out


def _session_heading(session) -> str:
    title = nfc(session.title)
    if title.lower().startswith("kỳ họp"):
        return title
    return _("Kỳ họp thứ %(n)s: %(t)s") % {"n": session.number, "t": title}


class Paper:
    """What the writers of the council's papers share (the convocation letter, the petitions' and the
    resolutions' reports): `pdf`, their font (FONT_NAME) and a line of wrapped text at a size (LINE
    size and height)."""

    FONT_NAME = FONT
    FONT_SIZE, LINE_SIZE, LINE_H = 13, 13, 6.2

    def font(self, style="", size=None):
        self.pdf.set_font(self.FONT_NAME, style, self.FONT_SIZE if size is None else size)

    def line(self, text, *, style="", size=None, align="L", h=None, indent=0.0):
        pdf = self.pdf
        self.font(style, self.LINE_SIZE if size is None else size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, self.LINE_H if h is None else h, nfc(text), align=align,
                       new_x="LMARGIN", new_y="NEXT")


class _Letter(Paper):
    def __init__(self, pdf, session, programme: Programme, url: str, qr: bytes, issued: dt.date | None, number: str):
        self.pdf, self.session, self.programme, self.url, self.qr = pdf, session, programme, url, qr
        self.issued, self.number = issued, number
        self.level, self.locality = council_parts(session)
        self.council = f"HĐND {self.level}"  # "HĐND tỉnh"

    def write(self, member):
        pdf = self.pdf
        pdf.add_page()
        self.header()
        self.title()
        self.addressee(member)
        self.time_and_place()
        self.programme_block()
        self.documents_note()
        self.closing()

    def header(self):
        number = _("Số: %(n)s") % {"n": self.number} if self.number else _("Số:        /GTT-HĐND")
        official_header(self.pdf, font=FONT, level=self.level, locality=self.locality, number=number,
                        day=self.issued)

    def title(self):
        if self.issued is None:
            self.line(_("DỰ THẢO"), style="B", size=12, align="R", h=5)
        self.line(_("GIẤY TRIỆU TẬP"), style="B", size=14, align="C", h=7.5)
        self.line(_session_heading(self.session), style="B", size=14, align="C")
        self.pdf.ln(4)

    def addressee(self, member):
        pdf = self.pdf
        self.line(_("Căn cứ Luật Tổ chức chính quyền địa phương và Quy chế làm việc của %(c)s;") % {"c": self.council},
                  style="I")
        self.line(_("Thường trực %(c)s trân trọng triệu tập:") % {"c": self.council})
        pdf.ln(1.5)
        self.line(_("Ông/Bà: %(name)s") % {"name": nfc(member.full_name)}, style="B", size=14, indent=10)
        position = nfc(member.position).strip()
        delegate = member.kind == "delegate"
        if position and not (delegate and position.lower().startswith("đại biểu")):
            self.line(_("Chức vụ: %(p)s") % {"p": position}, indent=10)
        if delegate:
            words = _("Đại biểu %(c)s") % {"c": self.council}
            group = member.delegate_group
            if group is not None:
                name = nfc(group.name)
                if not name.lower().startswith("tổ đại biểu"):
                    name = _("Tổ đại biểu %(g)s") % {"g": name}
                words += ", " + name[0].lower() + name[1:]
            self.line(words, indent=10)
        pdf.ln(1.5)
        self.line(_("đến dự %(s)s.") % {"s": _session_heading(self.session)[0].lower() + _session_heading(self.session)[1:]})
        pdf.ln(1)

    def time_and_place(self):
        session, sittings = self.session, self.programme.sittings
        first = sittings[0] if sittings else None
        opening = (_("khai mạc lúc %(t)s, %(d)s") % {"t": _clock(first.starts_at), "d": _day(session.start_date)}
                   if first else _("khai mạc %(d)s") % {"d": _day(session.start_date)})
        days = (session.end_date - session.start_date).days + 1
        text = _("Thời gian: %(open)s; bế mạc %(close)s (%(n)d ngày).") % {
            "open": opening, "close": _day(session.end_date), "n": days}
        self.line(text, style="B")
        place = nfc(first.place) if first and first.place else _("sẽ thông báo sau")
        self.line(_("Địa điểm: %(p)s.") % {"p": place}, style="B")
        self.pdf.ln(2)

    def programme_block(self):
        pdf = self.pdf
        self.line(_("Chương trình kỳ họp:"), style="B")
        if not self.programme.sittings:
            self.line(_("Chương trình chi tiết sẽ được gửi sau."), style="I", indent=6)
        for sitting in self.programme.sittings:
            local = timezone.localtime(sitting.starts_at)
            head = f"{_day(local.date())}, {_clock(sitting.starts_at)} — {nfc(sitting.title)}"
            if sitting.place:
                head += f" ({nfc(sitting.place)})"
            pdf.ln(1)
            self.line(head, style="B", indent=4)
            if not sitting.items:
                self.line(_("Nội dung phiên họp sẽ được thông báo sau."), style="I", indent=10)
            for item in sitting.items:
                indent = 10 + 7 * item.depth
                self.line(f"{item.number}. {nfc(item.title)}", indent=indent, h=5.8)
        pdf.ln(3)

    def documents_note(self):
        from .services import due_date

        due = due_date(self.session)
        self.line(_("Tài liệu kỳ họp được gửi trên máy tính bảng; hạn gửi tài liệu: %(d)s (trước ngày khai mạc "
                    "%(n)d ngày). Đề nghị Ông/Bà nghiên cứu trước tài liệu và tham dự kỳ họp đầy đủ, đúng giờ.")
                  % {"d": _day(due), "n": settings.DOCUMENTS_DUE_DAYS})
        self.pdf.ln(3)

    def closing(self):
        pdf = self.pdf
        block_h = QR_MM + 25  # what the QR column below takes
        if pdf.get_y() + block_h > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        left_w = 80.0
        # Left: the QR code and the address it carries, under it.
        pdf.image(BytesIO(self.qr), x=pdf.l_margin + (left_w - QR_MM) / 2, y=top, w=QR_MM, h=QR_MM)
        pdf.set_y(top + QR_MM + 1)
        self.font("I", 10.5)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(left_w, 4.4, _("Quét mã để mở kỳ họp trên máy tính bảng:"), align="C",
                       new_x="LMARGIN", new_y="NEXT")
        self.font("", 10)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(left_w, 4.4, self.url, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        self.font("BI", 12)
        pdf.set_x(pdf.l_margin)
        pdf.cell(left_w, 5.4, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
        self.font("", 11)
        for text in (_("- Như trên;"), _("- Lưu: VT, Văn phòng.")):
            pdf.set_x(pdf.l_margin)
            pdf.cell(left_w, 4.8, text, new_x="LMARGIN", new_y="NEXT")
        left_end = pdf.get_y()

        # Right: the signature block.
        x, w = pdf.l_margin + left_w + 5, pdf.epw - left_w - 5
        pdf.set_y(top)
        for text, style in ((_("TM. THƯỜNG TRỰC HĐND"), "B"), (_("CHỦ TỊCH"), "B")):
            self.font(style, 13.5)
            pdf.set_x(x)
            pdf.cell(w, 6.4, text, align="C", new_x="LMARGIN", new_y="NEXT")
        if self.programme.signer:
            pdf.set_y(pdf.get_y() + 24)
            self.font("B", 13.5)
            pdf.set_x(x)
            pdf.cell(w, 6.4, self.programme.signer, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(left_end, pdf.get_y()))


def letter_pdf(session, members, base_url: str, *, issued: dt.date | None = None) -> bytes:
    """One PDF with a convocation letter (starting on a new page) for each member: the issued letter
    (library.models.Convocation) when there is one, else a dated-less draft. `issued`: a date of
    issue for a draft (previews and tests); an issued letter always carries its stored date."""
    from fpdf import FPDF

    from accounts.pairing import qr_png

    from .models import Convocation

    convocation = Convocation.objects.filter(session=session).first()
    url = open_url(session, base_url)
    with translation.override("vi"):
        pdf = FPDF(format="A4", unit="mm")
        # Nghị định 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
        pdf.set_margins(30, 20, 15)
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_font(FONT, "", fonts.serif_regular())
        pdf.add_font(FONT, "B", fonts.serif_bold())
        pdf.add_font(FONT, "I", fonts.serif_italic())
        pdf.add_font(FONT, "BI", fonts.serif_bold_italic())
        pdf.set_title(nfc(_("Giấy triệu tập — %(s)s") % {"s": session.title}))
        pdf.set_author(nfc(_("Thường trực %(c)s") % {"c": "HĐND"}))
        pdf.set_creator("hdnd")
        programme = Programme(session, convocation)
        letter = _Letter(pdf, session, programme, url, qr_png(url, box_size=10),
                         convocation.issued_on if convocation else issued, convocation.number if convocation else "")
        for member in members:
            letter.write(member)
        if not pdf.page_no():
            pdf.add_page()
        return bytes(pdf.output())


# ---- issuing the letter ------------------------------------------------------------------

NUMBER_MAX = 60


def issue(user, session, *, number: str, issued_on: dt.date):
    """Issue the session's convocation letter: store its number and symbol (e.g. "15/GTT-HĐND", as the
    clerk registers it), its date of issue and the programme as planned now (`planned`). Office staff
    only (accounts.permissions.may_print_convocations); once only (`already_issued`); refusals change
    nothing. Codes: forbidden, invalid, already_issued (LibraryError)."""
    from accounts.permissions import Actor, may_print_convocations
    from audit.operations import operation

    from .models import Convocation
    from .services import LibraryError

    number = " ".join(nfc(number).split())
    allowed = may_print_convocations(user)
    with operation(Actor(role="secretary" if allowed else "", user=user), "library.issue_convocation", allowed=allowed,
                   error=LibraryError, detail={"session": session.pk},
                   refusal=_("Chỉ cán bộ Văn phòng HĐND được ban hành giấy triệu tập.")) as op:
        if not number or len(number) > NUMBER_MAX or "/" not in number:
            raise LibraryError("invalid", _("Hãy ghi số, ký hiệu của giấy triệu tập, ví dụ “15/GTT-HĐND”."))
        if not isinstance(issued_on, dt.date) or issued_on > session.start_date:
            raise LibraryError("invalid", _("Ngày ban hành phải là một ngày không sau ngày khai mạc kỳ họp."))
        if Convocation.objects.select_for_update().filter(session=session).exists():
            raise LibraryError("already_issued", _("Giấy triệu tập của kỳ họp này đã được ban hành."))
        convocation = Convocation.objects.create(session=session, number=number, issued_on=issued_on,
                                                 programme=planned(session), issued_by=user)
        op.detail.update(convocation=convocation.pk, number=number, issued_on=issued_on.isoformat())
    return convocation
