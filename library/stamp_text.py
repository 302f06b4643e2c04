"""All the text of an uploaded file where a classification stamp can stand,
and what of it cannot be read (library.files runs library.stamps over it).

- PDF (PDFium, already open): every page; for each, its text as lines and
  each run of text PDFium sees apart (a stamp set beside the document number
  is its own run). A page with no text at all but something drawn on it (a
  scan, a picture, letters turned into outlines) cannot be read.
- DOCX: every paragraph of the body, of every header and footer (first page,
  even pages), footnotes, endnotes, comments, text boxes and table cells,
  read from the package's XML (python-docx sees neither text boxes nor every
  header). Pictures (word/media) cannot be read.
- XLSX: every string of every sheet (shared strings and inline strings), the
  sheets' headers and footers, text boxes and comments. Pictures (xl/media)
  cannot be read.

XML is streamed entry by entry (iterparse over the archive's member), never
extracted to disk; library.files has already bounded what the entries inflate to.
"""

import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, iterparse

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

DOCX_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments|diagrams/[^/]+)\.xml$")
XLSX_PARTS = re.compile(r"^xl/(workbook|sharedStrings|worksheets/[^/]+|drawings/[^/]+|comments\d*)\.xml$")
MEDIA = re.compile(r"^(word|xl)/media/[^/]+\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|jfif|webp)$", re.I)
# An Excel header or footer: &L, &C, &R start its three parts; other &-codes are fields and fonts.
_HF_PARTS = re.compile(r"&[LCR]")
_HF_CODES = re.compile(r'&"[^"]*"|&K(?:[0-9A-Fa-f]{6}|\d\d[+-]\d{3})|&\d+|&[A-Za-z&]')


@dataclass
class Reading:
    blocks: list[str] = field(default_factory=list)
    unreadable_pages: list[int] = field(default_factory=list)  # PDF pages with no text layer
    pictures: int = 0  # pictures inside a DOCX/XLSX


# ---- PDF -----------------------------------------------------------------------------

def pdf_reading(pdf) -> Reading:
    """Every page of an open pypdfium2 PdfDocument."""
    reading = Reading()
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                chars = textpage.count_chars()
                if chars:
                    reading.blocks.append(textpage.get_text_bounded())
                    for r in range(textpage.count_rects()):
                        reading.blocks.append(textpage.get_text_bounded(*textpage.get_rect(r)))
            finally:
                textpage.close()
            if not chars and _draws_something(page):
                reading.unreadable_pages.append(index + 1)
        finally:
            page.close()
    return reading


def _draws_something(page) -> bool:
    for _obj in page.get_objects(max_depth=2):
        return True
    return False


# ---- DOCX / XLSX ----------------------------------------------------------------------

def ooxml_reading(archive: zipfile.ZipFile, kind: str) -> Reading:
    """Every text of a DOCX or XLSX package; ParseError or zipfile errors for a broken one."""
    reading = Reading()
    parts = DOCX_PARTS if kind == "docx" else XLSX_PARTS
    for info in archive.infolist():
        name = info.filename
        if MEDIA.match(name):
            reading.pictures += 1
        elif parts.match(name):
            with archive.open(info) as member:
                reading.blocks += _docx_part(member) if kind == "docx" else _xlsx_part(member)
    return reading


def _docx_part(member) -> list[str]:
    """One block per paragraph (w:p), its runs' text joined; tabs and breaks kept as such."""
    blocks, stack = [], []
    for event, el in iterparse(member, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag in (W + "p", A + "p"):
                stack.append([])
            continue
        if not stack:
            continue
        if tag in (W + "t", A + "t"):
            stack[-1].append(el.text or "")
        elif tag == W + "tab":
            stack[-1].append("\t")
        elif tag in (W + "br", W + "cr"):
            stack[-1].append("\n")
        elif tag in (W + "p", A + "p"):
            text = "".join(stack.pop())
            if text.strip():
                blocks.append(text)
            el.clear()
    return blocks


def _xlsx_part(member) -> list[str]:
    """Shared and inline strings (si, is), formula results that are text, sheet names, text-box
    paragraphs (a:p), comments, headers and footers."""
    blocks, current, cell_type = [], None, None
    for event, el in iterparse(member, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag in (S + "si", S + "is", A + "p", S + "text"):
                current = []
            elif tag == S + "c":
                cell_type = el.get("t")
            elif tag == S + "sheet" and el.get("name"):
                blocks.append(el.get("name"))
            continue
        if tag == S + "v" and cell_type == "str" and (el.text or "").strip():
            blocks.append(el.text)
        elif tag in (S + "t", A + "t") and current is not None:
            current.append(el.text or "")
        elif tag in (S + "si", S + "is", A + "p", S + "text"):
            if current is not None and "".join(current).strip():
                blocks.append("".join(current))
            current = None
            el.clear()
        elif tag.startswith(S) and tag[len(S):] in ("oddHeader", "oddFooter", "evenHeader", "evenFooter",
                                                     "firstHeader", "firstFooter"):
            for part in _HF_PARTS.split(el.text or ""):
                text = _HF_CODES.sub("", part)
                if text.strip():
                    blocks.append(text)
        elif tag == S + "row":
            el.clear()
    return blocks


__all__ = ["Reading", "pdf_reading", "ooxml_reading", "ParseError"]
