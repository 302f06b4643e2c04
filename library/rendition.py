"""The PDF the viewer shows for a DOCX or XLSX.

settings.OFFICE_CONVERTER:
- "auto" (default): LibreOffice when `soffice` or `libreoffice` is on PATH,
  the builtin text rendition otherwise (and when LibreOffice fails);
- "libreoffice": LibreOffice only (a failure fails the job);
- "builtin": always the builtin rendition.

LibreOffice runs headless with a profile of its own in a private temporary
folder (two conversions never share one, and the server's user needs no home
folder), in its own process group so a conversion that hangs past the
timeout is killed with all its children.

The builtin rendition is an A4 PDF drawn with fpdf2 and the Vietnamese font
of library.fonts: DOCX paragraphs (headings bold, alignment kept) and tables;
XLSX one table per sheet. A line at the top of every page says it is a text
rendition and that the original file keeps the exact layout.
"""

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from . import extract, fonts

logger = logging.getLogger(__name__)

TIMEOUT = 180  # seconds; settings.OFFICE_CONVERT_TIMEOUT overrides
MAX_SHEET_ROWS = 3000
MAX_SHEET_COLUMNS = 30
MAX_CELL_CHARS = 400


class RenditionError(Exception):
    pass


def office_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(kind: str, src, out, text: str = "") -> str:
    """Write the PDF rendition of `src` (a DOCX or XLSX) to `out`; say how it was made."""
    mode = (settings.OFFICE_CONVERTER or "auto").strip().lower()
    if mode not in ("auto", "libreoffice", "builtin"):
        raise RenditionError(f"OFFICE_CONVERTER must be auto, libreoffice or builtin, not {mode!r}")
    if mode == "libreoffice" or (mode == "auto" and office_binary()):
        try:
            libreoffice(src, out)
            return "libreoffice"
        except RenditionError:
            if mode == "libreoffice":
                raise
            logger.warning("LibreOffice could not convert %s; using the builtin rendition", src, exc_info=True)
    builtin(kind, src, out, text)
    return "builtin"


# ---- LibreOffice ----------------------------------------------------------------

def libreoffice(src, out, *, timeout: float | None = None) -> None:
    binary = office_binary()
    if not binary:
        raise RenditionError("LibreOffice (soffice) is not installed")
    timeout = timeout or getattr(settings, "OFFICE_CONVERT_TIMEOUT", TIMEOUT)
    src = Path(src)
    with tempfile.TemporaryDirectory(prefix="hdnd-office-") as tmp:
        tmp = Path(tmp)
        outdir = tmp / "out"
        outdir.mkdir()
        # A plain ASCII input name: LibreOffice names its output after it.
        source = tmp / f"input{src.suffix.lower()}"
        shutil.copyfile(src, source)
        command = [binary, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--invisible",
                   "--norestore", "--nolockcheck", "--nodefault", "--nologo", "--convert-to", "pdf",
                   "--outdir", str(outdir), str(source)]
        env = {**os.environ, "HOME": str(tmp), "TMPDIR": str(tmp)}
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=env, cwd=tmp, start_new_session=True)
        try:
            output, _err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise RenditionError(f"LibreOffice did not finish within {timeout} s") from None
        finally:
            _kill_group(process)  # soffice.bin may outlive the launcher
        result = outdir / "input.pdf"
        if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            raise RenditionError(f"LibreOffice failed (exit {process.returncode}): "
                                 f"{output.decode('utf-8', 'replace')[-300:].strip()}")
        shutil.move(str(result), str(out))


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


# ---- builtin --------------------------------------------------------------------

def builtin(kind: str, src, out, text: str = "") -> None:
    pdf = _document(kind)
    try:
        if kind == "docx":
            _docx(pdf, src)
        else:
            _xlsx(pdf, src)
    except Exception:
        # The source reads badly here although it passed the upload check: show its text.
        logger.warning("builtin rendition of %s falls back to plain text", src, exc_info=True)
        pdf = _document(kind)
        _plain(pdf, text)
    pdf.output(str(out))


def _document(kind: str):
    from fpdf import FPDF

    what = _("tệp Word (DOCX)") if kind == "docx" else _("tệp Excel (XLSX)")
    note = _("Bản hiển thị dạng văn bản của %(what)s gốc — bố cục, hình ảnh có thể khác; tải tệp gốc để xem đúng "
             "định dạng.") % {"what": what}

    class Rendition(FPDF):
        def header(self):
            self.set_font("text", "I", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(200, 200, 200)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(3)
            self.set_text_color(0, 0, 0)
            self.set_font("text", "", 11)

        def footer(self):
            self.set_y(-12)
            self.set_font("text", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, str(self.page_no()), align="C")

    pdf = Rendition(format="A4")
    pdf.add_font("text", "", fonts.regular())
    pdf.add_font("text", "B", fonts.bold())
    pdf.add_font("text", "I", fonts.italic())
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(note)
    return pdf


def _docx(pdf, src):
    pdf.add_page()
    for block in extract.docx_blocks(src):
        if block[0] == "table":
            _table(pdf, block[1], size=10)
            continue
        _kind, style, align, bold, text = block
        text = extract.clean(text)
        if not text.strip():
            pdf.ln(3)
            continue
        heading = style.lower().startswith(("heading", "title")) or style.lower() in ("tiêu đề",)
        size = 14 if style.lower() == "title" else 12.5 if heading else 11
        pdf.set_font("text", "B" if (bold or heading) else "", size)
        pdf.multi_cell(0, size * 0.5, text, align={1: "C", 2: "R", 3: "J"}.get(align, "L"),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def _xlsx(pdf, src):
    any_sheet = False
    for title, rows in extract.xlsx_sheets(src, max_rows=MAX_SHEET_ROWS + 1):
        any_sheet = True
        cells = [row.split("\t")[:MAX_SHEET_COLUMNS] for row in rows[:MAX_SHEET_ROWS]]
        width = max((len(r) for r in cells), default=0)
        pdf.add_page(orientation="L" if width > 6 else "P")
        pdf.set_font("text", "B", 13)
        pdf.multi_cell(0, 7, extract.clean(title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        if not cells:
            pdf.set_font("text", "I", 10)
            pdf.multi_cell(0, 6, _("(Trang tính trống)"), new_x="LMARGIN", new_y="NEXT")
            continue
        _table(pdf, cells, size=9 if width <= 8 else 7)
        if len(rows) > MAX_SHEET_ROWS:
            pdf.set_font("text", "I", 9)
            pdf.multi_cell(0, 6, _("… chỉ hiển thị %(n)d dòng đầu; xem đủ trong tệp gốc.") % {"n": MAX_SHEET_ROWS},
                           new_x="LMARGIN", new_y="NEXT")
    if not any_sheet:
        pdf.add_page()


def _table(pdf, rows: list[list[str]], *, size: float):
    width = max((len(r) for r in rows), default=0)
    if not width:
        return
    pdf.set_font("text", "", size)
    # Columns as wide as their longest text (within bounds), so a name column is not as narrow as a number.
    widths = [min(max([len(r[c]) for r in rows if c < len(r)] + [2]), 40) + 3 for c in range(width)]
    with pdf.table(line_height=size * 0.5, text_align="LEFT", first_row_as_headings=False,
                   padding=1, col_widths=tuple(widths)) as table:
        for cells in rows:
            row = table.row()
            for value in cells + [""] * (width - len(cells)):
                value = extract.clean(value)
                row.cell(value if len(value) <= MAX_CELL_CHARS else value[:MAX_CELL_CHARS] + "…")
    pdf.ln(3)


def _plain(pdf, text: str):
    pdf.add_page()
    pdf.set_font("text", "", 11)
    for part in extract.clean(text).split("\f"):
        for line in part.split("\n"):
            pdf.multi_cell(0, 5.5, line.replace("\t", "    ") or " ", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
