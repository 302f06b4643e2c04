"""The text of a file, for search and for the builtin rendition.

- PDF: pypdf's text of every page, pages separated by a form feed ("\\f");
  a page pypdf cannot read contributes nothing (PDFium counts the pages if
  pypdf cannot open the file at all).
- DOCX: paragraphs and tables in document order, one table row a line with
  its cells separated by tabs.
- XLSX: every sheet (read-only, cached values), its name as a heading line,
  then one line per non-empty row, cells separated by tabs; sheets separated
  by a form feed.
- PNG/JPEG: no text, one page.

All text is NFC and free of control characters other than tab, newline and
form feed. It is cut at MAX_CHARS: enough for any council document.
"""

import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from xml.etree import ElementTree

logger = logging.getLogger(__name__)

MAX_CHARS = 5_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0d\x0e-\x1f\x7f]")


@dataclass
class Extracted:
    text: str
    page_count: int


def extract(kind: str, path) -> Extracted:
    if kind == "pdf":
        return _pdf(path)
    if kind == "docx":
        return Extracted(clean("\n".join(docx_lines(path))), _docx_pages(path))
    if kind == "xlsx":
        return Extracted(clean("\f".join("\n".join([title, *rows]) for title, rows in xlsx_sheets(path))), 0)
    if kind in ("png", "jpeg"):
        return Extracted("", 1)
    raise ValueError(f"unknown file kind {kind!r}")


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)[:MAX_CHARS]


# ---- PDF ------------------------------------------------------------------------

def _pdf(path) -> Extracted:
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        pages = reader.pages
        count = len(pages)
    except Exception:
        logger.warning("pypdf cannot open %s; no text extracted", path, exc_info=True)
        return Extracted("", _pdfium_count(path))
    texts, size = [], 0
    for index in range(count):
        try:
            text = clean(pages[index].extract_text() or "").replace("\f", "\n")
        except Exception:
            logger.info("page %d of %s has no extractable text", index + 1, path, exc_info=True)
            text = ""
        size += len(text) + 1
        texts.append(text if size <= MAX_CHARS else "")
    return Extracted("\f".join(texts)[:MAX_CHARS], count)


def _pdfium_count(path) -> int:
    import pypdfium2 as pdfium

    from .pages import PDFIUM

    with PDFIUM:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return 0
        try:
            return len(pdf)
        finally:
            pdf.close()


# ---- DOCX -----------------------------------------------------------------------

def docx_blocks(path):
    """("p", style name, alignment, bold, text) and ("table", rows) in document order."""
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield ("table", table_rows(block))
        else:
            runs = [r for r in block.runs if r.text.strip()]
            bold = bool(runs) and all(r.bold for r in runs)
            style = block.style.name if block.style is not None else ""
            align = block.alignment
            yield ("p", style or "", None if align is None else int(align), bold, block.text)


def table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats itself in every column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        rows.append(cells)
    return rows


def docx_lines(path) -> list[str]:
    lines = []
    for block in docx_blocks(path):
        if block[0] == "table":
            lines += ["\t".join(cells) for cells in block[1] if any(cells)]
        else:
            lines.append(block[4])
    return lines


def _docx_pages(path) -> int:
    """The page count Word saved in docProps/app.xml, or 0 (the rendition counts pages)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/app.xml")
            if info.file_size > 1024 * 1024:
                return 0
            root = ElementTree.fromstring(archive.read(info))
        for el in root:
            if el.tag.rpartition("}")[2] == "Pages" and (el.text or "").strip().isdigit():
                return int(el.text.strip())
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        pass
    return 0


# ---- XLSX -----------------------------------------------------------------------

def xlsx_sheets(path, max_rows: int | None = None):
    """(sheet name, [tab-separated non-empty rows]) per sheet."""
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = []
            try:
                for values in sheet.iter_rows(values_only=True):
                    cells = [cell_text(v) for v in values]
                    while cells and not cells[-1]:
                        cells.pop()
                    if cells:
                        rows.append("\t".join(cells))
                        if max_rows is not None and len(rows) >= max_rows:
                            break
            except Exception:
                logger.info("sheet %r of %s could not be read to the end", sheet.title, path, exc_info=True)
            yield sheet.title, rows
    finally:
        workbook.close()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.10g}"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour, value.minute) != (0, 0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return " ".join(str(value).split())
