"""The six-monthly report (resolutions.report.Summary) as a PDF and as a spreadsheet.

The PDF follows the format of administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I, as
library.convocation reads it): Liberation Serif (Times New Roman's metrics, library.fonts), the
issuing body top left ("HỘI ĐỒNG NHÂN DÂN / TỈNH … / THƯỜNG TRỰC", a short rule, "Số: /BC-HĐND"),
the national name and motto top right with the place and date in italics, the title, the body,
"Nơi nhận:" and the signature block. The report is an official Vietnamese document: written in
Vietnamese whatever the reader's interface language."""

from __future__ import annotations

from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library import fonts
from library.convocation import Paper, council_parts, nfc, official_header

from .report import Summary

FONT = "Serif"
COUNT_HEADS = (gettext_lazy("Tổng số"), gettext_lazy("Hoàn thành"), gettext_lazy("Trong đó quá hạn"),
               gettext_lazy("Quá hạn chưa xong"), gettext_lazy("Đang thực hiện"))
COUNT_KEYS = ("total", "done", "done_late", "overdue", "open")


def _date(day) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _pct(value) -> str:
    return "—" if value is None else f"{value} %"


def title_text(s: Summary) -> str:
    return _("Kết quả giám sát việc thực hiện các nghị quyết của Hội đồng nhân dân %(p)s") % {"p": s.label}


class _Pdf(Paper):
    FONT_NAME = FONT

    def __init__(self, pdf, s: Summary):
        self.pdf, self.s = pdf, s
        self.level, self.locality = council_parts()

    def header(self):
        official_header(self.pdf, font=FONT, level=self.level, locality=self.locality,
                        number=_("Số:        /BC-HĐND"), day=self.s.as_of)

    def title(self):
        self.line(_("BÁO CÁO"), style="B", size=14, align="C", h=7.5)
        self.line(title_text(self.s), style="B", size=13.5, align="C")
        self.pdf.ln(4)

    def intro(self):
        t = self.s.totals
        self.line(_("Số liệu từ ngày %(a)s đến ngày %(b)s. %(n)d nghị quyết có hiệu lực trong kỳ, %(k)d nhiệm vụ: "
                    "hoàn thành %(d)d (trong đó quá hạn %(l)d), quá hạn chưa hoàn thành %(o)d, đang thực hiện %(p)d.")
                  % {"a": _date(self.s.start), "b": _date(self.s.as_of), "n": len(self.s.resolutions), "k": t["total"],
                     "d": t["done"], "l": t["done_late"], "o": t["overdue"], "p": t["open"]})
        self.pdf.ln(2)

    def table(self, heading, widths, heads, rows, *, size=10):
        """A bordered table, `widths` in proportion to the page's width. Drawn cell by cell: a text
        that fits its column is one cell(), only a longer one is wrapped with multi_cell (fpdf2's
        table() wraps and measures every cell twice: 12 s for 300 resolutions, 1,200 overdue tasks)."""
        pdf = self.pdf
        self.line(heading, style="B", size=13)
        pdf.ln(1)
        if not rows:
            self.line(_("Không có."), style="I", indent=6)
            pdf.ln(3)
            return
        scale = pdf.epw / sum(widths)
        widths = [w * scale for w in widths]
        self.font("B", size)
        self._row(widths, [nfc(h) for h in heads], fill=True, size=size)
        for values in rows:
            texts = [nfc(v) for v in values]
            if pdf.get_y() + self._height(widths, texts, size) > pdf.page_break_trigger:
                pdf.add_page()
                self._row(widths, [nfc(h) for h in heads], fill=True, size=size)
            self._row(widths, texts, size=size)
        pdf.ln(4)

    LINE = 4.6

    def _lines(self, width, text) -> int:
        pdf = self.pdf
        if pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
            return 1
        return len(pdf.multi_cell(width, self.LINE, text, align="L", dry_run=True, output="LINES"))

    def _height(self, widths, texts, size) -> float:
        self.font("", size)
        return max(self._lines(w, t) for w, t in zip(widths, texts)) * self.LINE

    def _row(self, widths, texts, *, fill=False, size=10):
        pdf = self.pdf
        self.font("B" if fill else "", size)
        lines = [self._lines(w, t) for w, t in zip(widths, texts)]
        height = max(lines) * self.LINE
        x, y = pdf.l_margin, pdf.get_y()
        for w, text, n in zip(widths, texts, lines):
            if fill:
                pdf.set_fill_color(235, 235, 235)
                pdf.rect(x, y, w, height, style="DF")
            else:
                pdf.rect(x, y, w, height)
            pdf.set_xy(x, y)
            if n == 1:
                pdf.cell(w, self.LINE, text)
            else:
                pdf.multi_cell(w, self.LINE, text, align="L")
            x += w
        pdf.set_xy(pdf.l_margin, y + height)

    def closing(self):
        pdf = self.pdf
        if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        left_w = 80.0
        self.font("BI", 12)
        pdf.cell(left_w, 5, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
        self.font("", 11)
        for text in (_("- Đại biểu HĐND tỉnh;"), _("- UBND tỉnh;"), _("- Các Ban của HĐND tỉnh;"), _("- Lưu: VT.")):
            pdf.cell(left_w, 4.6, text, new_x="LMARGIN", new_y="NEXT")
        left_end = pdf.get_y()
        x, w = pdf.l_margin + left_w + 5, pdf.epw - left_w - 5
        pdf.set_y(top)
        for text in (_("TM. THƯỜNG TRỰC HĐND"), _("CHỦ TỊCH")):
            self.font("B", 13)
            pdf.set_x(x)
            pdf.cell(w, 6.4, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(left_end, pdf.get_y()))


def resolution_rows(s: Summary) -> list[list]:
    rows = [[str(i), f"{r['number']} {r['title']}".strip(), *(str(r[k]) for k in COUNT_KEYS), _pct(r["progress"]),
             ", ".join(r["agencies"]) or "—"] for i, r in enumerate(s.resolutions, 1)]
    if s.resolutions:
        rows.append(["", _("Tổng cộng"), *(str(s.totals[k]) for k in COUNT_KEYS), "", ""])
    return rows


def pdf(s: Summary) -> bytes:
    from fpdf import FPDF

    with translation.override("vi"):
        doc = FPDF(format="A4", unit="mm")
        # Nghị định 30/2020/NĐ-CP, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
        doc.set_margins(30, 20, 15)
        doc.set_auto_page_break(True, margin=20)
        doc.add_font(FONT, "", fonts.serif_regular())
        doc.add_font(FONT, "B", fonts.serif_bold())
        doc.add_font(FONT, "I", fonts.serif_italic())
        doc.add_font(FONT, "BI", fonts.serif_bold_italic())
        doc.set_title(nfc(title_text(s)))
        doc.set_author(nfc(_("Thường trực %(c)s") % {"c": "HĐND"}))
        doc.set_creator("hdnd")
        doc.add_page()
        out = _Pdf(doc, s)
        out.header()
        out.title()
        out.intro()
        out.table(_("I. Kết quả thực hiện từng nghị quyết"), (7, 45, 11, 13, 13, 13, 13, 13, 27),
                  (_("TT"), _("Nghị quyết"), *map(str, COUNT_HEADS), _("Tiến độ"), _("Cơ quan chủ trì")),
                  resolution_rows(s), size=9)
        out.table(_("II. Nhiệm vụ quá hạn"), (8, 70, 35, 20, 17),
                  (_("TT"), _("Nhiệm vụ"), _("Cơ quan chủ trì"), _("Thời hạn"), _("Số ngày quá hạn")),
                  [[str(i), f"{t['title']} ({t['origin']})", t["agency"], _date(t["due_on"]), str(t["days_late"])]
                   for i, t in enumerate(s.overdue, 1)])
        out.line(_("III. Các cuộc giám sát đã kết luận trong kỳ"), style="B", size=13)
        if not s.supervisions:
            out.line(_("Không có."), style="I", indent=6)
        for i, sup in enumerate(s.supervisions, 1):
            out.line(f"{i}. {sup['title']} — {sup['body']}, " + _("kết luận ngày %s") % _date(sup["concluded_on"]),
                     style="B", size=12, indent=4)
            out.table(_("Kiến nghị (%(n)d; hoàn thành %(d)d, quá hạn %(o)d)")
                      % {"n": len(sup["recommendations"]), "d": sup["done"], "o": sup["overdue"]}, (8, 60, 35, 20, 27),
                      (_("TT"), _("Nội dung kiến nghị"), _("Cơ quan"), _("Thời hạn"), _("Tình trạng")),
                      [[str(j), r["text"], r["agency"], _date(r["due_on"]), r["state_label"] + (
                          f" ({_pct(r['progress'])})" if r["progress"] is not None else "")]
                       for j, r in enumerate(sup["recommendations"], 1)])
        t = s.tracked_totals
        out.table(_("IV. Cam kết khi trả lời chất vấn và kiến nghị cử tri được theo dõi (%(n)d; hoàn thành %(d)d, quá hạn %(o)d)")
                  % {"n": t["total"], "d": t["done"], "o": t["overdue"]}, (8, 25, 55, 30, 20, 12),
                  (_("TT"), _("Nguồn"), _("Nội dung"), _("Cơ quan chủ trì"), _("Thời hạn"), _("Tình trạng")),
                  [[str(i), r["kind"], r["title"], r["agency"], _date(r["due_on"]), r["state_label"]]
                   for i, r in enumerate(s.tracked, 1)])
        out.closing()
        return bytes(doc.output())


def xlsx(s: Summary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)

    def heads(sheet, values):
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.font = bold

    def widths(sheet, values):
        for column, width in zip("ABCDEFGHIJ", values):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    with translation.override("vi"):
        book = Workbook()
        sheet = book.active
        sheet.title = _("Nghị quyết")
        sheet.append([nfc(title_text(s))])
        sheet["A1"].font = bold
        sheet.append([_("Số liệu từ ngày %(a)s đến ngày %(b)s") % {"a": _date(s.start), "b": _date(s.as_of)}])
        heads(sheet, [_("TT"), _("Số, ký hiệu"), _("Trích yếu"), *map(str, COUNT_HEADS), _("Tiến độ (%)"), _("Cơ quan chủ trì")])
        for i, r in enumerate(s.resolutions, 1):
            sheet.append([i, r["number"], nfc(r["title"]), *(r[k] for k in COUNT_KEYS), r["progress"], ", ".join(r["agencies"])])
        sheet.append(["", "", _("Tổng cộng"), *(s.totals[k] for k in COUNT_KEYS)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        widths(sheet, (5, 18, 60, 10, 12, 14, 16, 14, 12, 40))
        sheet.freeze_panes = "A4"

        late = book.create_sheet(_("Nhiệm vụ quá hạn"))
        heads(late, [_("TT"), _("Nhiệm vụ"), _("Nguồn"), _("Cơ quan chủ trì"), _("Thời hạn"), _("Số ngày quá hạn")])
        for i, t in enumerate(s.overdue, 1):
            late.append([i, nfc(t["title"]), t["origin"], t["agency"], t["due_on"], t["days_late"]])
        for cell in late["E"][1:]:
            cell.number_format = "DD/MM/YYYY"
        widths(late, (5, 60, 24, 36, 12, 14))

        sup = book.create_sheet(_("Giám sát"))
        heads(sup, [_("Cuộc giám sát"), _("Cơ quan giám sát"), _("Ngày kết luận"), _("Kiến nghị"), _("Cơ quan"),
                    _("Thời hạn"), _("Tình trạng"), _("Tiến độ (%)")])
        for row in s.supervisions:
            for r in row["recommendations"] or [{"text": "", "agency": "", "due_on": None, "state_label": "", "progress": None}]:
                sup.append([nfc(row["title"]), row["body"], row["concluded_on"], nfc(r["text"]), r["agency"], r["due_on"],
                            r["state_label"], r["progress"]])
        for column in "CF":
            for cell in sup[column][1:]:
                cell.number_format = "DD/MM/YYYY"
        widths(sup, (40, 30, 12, 60, 30, 12, 18, 10))

        tracked = book.create_sheet(_("Cam kết, kiến nghị cử tri"))
        heads(tracked, [_("TT"), _("Nguồn"), _("Nội dung"), _("Cơ quan chủ trì"), _("Thời hạn"), _("Tình trạng"),
                        _("Tiến độ (%)")])
        for i, r in enumerate(s.tracked, 1):
            tracked.append([i, r["kind"], nfc(r["title"]), r["agency"], r["due_on"], r["state_label"], r["progress"]])
        widths(tracked, (5, 26, 60, 36, 12, 18, 10))
        out = BytesIO()
        book.save(out)
        return out.getvalue()
