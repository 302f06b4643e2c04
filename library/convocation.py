"""Convocation letters (giấy triệu tập): one A4 letter per member, with the
session's programme and a QR code that opens the session on the terminal.

The layout follows the usual form of an administrative letter (Decree
30/2020/NĐ-CP): issuing body and number top left, the national motto top
right with place and date, the title, the body, the signature block. The
number is left blank for the clerk to fill when the letter is registered.

Pure rendering: who may get which letter is decided in accounts.permissions.
The letter is an official Vietnamese document, so it is written in
Vietnamese whatever the reader's interface language.
"""

import datetime as dt
import unicodedata
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import fonts

FONT = "SourceSans"
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


def _date_words(day: dt.date) -> str:
    return _("ngày %(d)02d tháng %(m)02d năm %(y)d") % {"d": day.day, "m": day.month, "y": day.year}


def _day(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def _clock(moment) -> str:
    local = timezone.localtime(moment)
    return _("%(h)02d giờ %(m)02d") % {"h": local.hour, "m": local.minute}


# ---- what goes into a letter ----------------------------------------------------------

class Programme:
    """The session's sittings with their numbered agenda items, read once for all letters."""

    def __init__(self, session):
        from agenda.state import ordered_items

        self.sittings = list(session.sittings.order_by("starts_at", "pk"))
        self.items = {s.pk: ordered_items(s.pk) for s in self.sittings}
        chair = (session.body.memberships.filter(role="chair", active=True).select_related("member").first())
        self.signer = nfc(chair.member.full_name) if chair else ""


def _session_heading(session) -> str:
    title = nfc(session.title)
    if title.lower().startswith("kỳ họp"):
        return title
    return _("Kỳ họp thứ %(n)s: %(t)s") % {"n": session.number, "t": title}


class _Letter:
    def __init__(self, pdf, session, programme: Programme, url: str, qr: bytes, issued: dt.date):
        self.pdf, self.session, self.programme, self.url, self.qr, self.issued = pdf, session, programme, url, qr, issued
        self.level, self.locality = council_parts(session)
        self.council = f"HĐND {self.level}"  # "HĐND tỉnh"

    # fpdf2 helpers
    def font(self, style="", size=13):
        self.pdf.set_font(FONT, style, size)

    def line(self, text, *, style="", size=12.5, align="L", h=5.9, indent=0.0):
        pdf = self.pdf
        self.font(style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, h, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")

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
        pdf = self.pdf
        top = pdf.get_y()
        left_w, right_w = 72.0, pdf.epw - 72.0
        x_left, x_right = pdf.l_margin, pdf.l_margin + left_w

        def at(x, w, text, style="", size=12.5, h=5.6):
            self.font(style, size)
            pdf.set_x(x)
            pdf.multi_cell(w, h, nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")

        pdf.set_y(top)
        at(x_left, left_w, _("HỘI ĐỒNG NHÂN DÂN"))
        if self.locality:
            at(x_left, left_w, f"{self.level} {self.locality}".upper())
        at(x_left, left_w, _("THƯỜNG TRỰC"), "B")
        y = pdf.get_y() + 0.8
        pdf.line(x_left + left_w / 2 - 12, y, x_left + left_w / 2 + 12, y)
        pdf.set_y(y + 2.5)
        at(x_left, left_w, _("Số:        /GTT-HĐND"), size=13)
        left_end = pdf.get_y()

        pdf.set_y(top)
        at(x_right, right_w, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "B", 12.5)
        at(x_right, right_w, _("Độc lập - Tự do - Hạnh phúc"), "B", 13.5)
        y = pdf.get_y() + 0.8
        self.font("B", 13.5)
        half = pdf.get_string_width(_("Độc lập - Tự do - Hạnh phúc")) / 2
        pdf.line(x_right + right_w / 2 - half, y, x_right + right_w / 2 + half, y)
        pdf.set_y(y + 2.5)
        place = f"{self.locality}, " if self.locality else "……, "
        at(x_right, right_w, place + _date_words(self.issued), "I", 13)
        pdf.set_y(max(left_end, pdf.get_y()) + 6)

    def title(self):
        self.line(_("GIẤY TRIỆU TẬP"), style="B", size=15, align="C", h=7.5)
        self.line(_session_heading(self.session), style="B", size=13.5, align="C")
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
            self.line(head, style="B", size=12.5, indent=4, h=6)
            items = self.programme.items[sitting.pk]
            if not items:
                self.line(_("Nội dung phiên họp sẽ được thông báo sau."), style="I", size=12, indent=10, h=5.8)
            for item in items:
                indent = 10 + 7 * item.depth
                self.line(f"{item.number}. {nfc(item.title)}", size=12, indent=indent, h=5.2)
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
        self.font("B", 11)
        pdf.set_x(pdf.l_margin)
        pdf.cell(left_w, 5, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
        self.font("", 10.5)
        for text in (_("- Như trên;"), _("- Lưu: VT, Văn phòng.")):
            pdf.set_x(pdf.l_margin)
            pdf.cell(left_w, 4.4, text, new_x="LMARGIN", new_y="NEXT")
        left_end = pdf.get_y()

        # Right: the signature block.
        x, w = pdf.l_margin + left_w + 5, pdf.epw - left_w - 5
        pdf.set_y(top)
        for text, style in ((_("TM. THƯỜNG TRỰC HĐND"), "B"), (_("CHỦ TỊCH"), "B")):
            self.font(style, 13)
            pdf.set_x(x)
            pdf.cell(w, 6.4, text, align="C", new_x="LMARGIN", new_y="NEXT")
        if self.programme.signer:
            pdf.set_y(pdf.get_y() + 24)
            self.font("B", 13)
            pdf.set_x(x)
            pdf.cell(w, 6.4, self.programme.signer, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(left_end, pdf.get_y()))


def letter_pdf(session, members, base_url: str, *, issued: dt.date | None = None) -> bytes:
    """One PDF with a convocation letter (starting on a new page) for each member."""
    from fpdf import FPDF

    from accounts.pairing import qr_png

    url = open_url(session, base_url)
    with translation.override("vi"):
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_margins(25, 15, 18)
        pdf.set_auto_page_break(True, margin=15)
        pdf.add_font(FONT, "", fonts.regular())
        pdf.add_font(FONT, "B", fonts.bold())
        pdf.add_font(FONT, "I", fonts.italic())
        pdf.set_title(nfc(_("Giấy triệu tập — %(s)s") % {"s": session.title}))
        pdf.set_author(nfc(_("Thường trực %(c)s") % {"c": "HĐND"}))
        pdf.set_creator("hdnd")
        programme = Programme(session)
        letter = _Letter(pdf, session, programme, url, qr_png(url, box_size=10), issued or timezone.localdate())
        for member in members:
            letter.write(member)
        if not pdf.page_no():
            pdf.add_page()
        return bytes(pdf.output())
