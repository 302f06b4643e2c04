"""Is this text stamped classified (mật, tối mật, tuyệt mật)?

State secrets have three levels, Tuyệt mật, Tối mật and Mật (Luật Bảo vệ bí
mật nhà nước 29/2018/QH14, and its successor 117/2025/QH15 in force since
1 March 2026, whose art. 5 cl. 2 forbids storing them on a networked device);
the stamps that mark them (“TUYỆT MẬT”, “TỐI MẬT”, “MẬT”, form no. 02 of
Thông tư 24/2020/TT-BCA; see docs/library.md for what is verified) are what
the library refuses (library.files).

`classification(blocks)` reads blocks of text — a PDF page, a run of text on
it, a paragraph, a table cell, a header, a spreadsheet cell — and answers the
highest level stamped on them, or None. The rule (docs/library.md, "How a
stamp is recognised"; tests/library/test_stamps.py holds the corpus that
proves it):

1. Normalise: NFKC (full-width and styled letters), drop invisible characters
   (Unicode format characters such as zero-width spaces and soft hyphens,
   variation selectors, the combining grapheme joiner), map Cyrillic and Greek
   letters that look Latin to the Latin ones, compose again (NFC), so
   “M\u200bẬT” and a “МẬТ” typed with Cyrillic letters read “MẬT”.
2. A line that is nothing but a stamp is one, in any case and however spaced
   or punctuated: “MẬT”, “mật”, “(MẬT)”, “M Ậ T”, “MẬT - KHẨN”, “Tối mật”,
   “ĐỘ MẬT: TUYỆT MẬT”. An urgency mark (khẩn, thượng khẩn, hỏa tốc) may stand
   beside it.
3. The label “ĐỘ MẬT” followed by a level, anywhere: “Độ mật: Mật” is a stamp,
   “ĐỘ MẬT: THƯỜNG” is not.
4. A level written in capitals with its marks (“MẬT”, “TỐI MẬT”, “TUYỆT MẬT”)
   inside a longer line, e.g. beside the document number (“Số: 12/BC-UBND
   MẬT”), unless it is a word of prose: a lower-case word right beside it
   (“Tài liệu MẬT phải…”), or a compound it belongs to (BÍ MẬT, BẢO MẬT, GIẢI
   MẬT, MẬT MÃ, MẬT KHẨU, MẬT ĐỘ, …).
5. Without diacritics “mat” is also “mất”, “mặt”, “mắt”: the unaccented forms
   (“MAT”, “TOI MAT”, “DO MAT: MAT”) count only on a line with no Vietnamese
   marks at all, as a line of their own (rule 2), after the label (rule 3),
   or in capitals with no word beside them (rule 4). With marks, only “MẬT”
   (a dot below and a circumflex) is the stamp: “mất”, “mặt”, “mắt”, “Mặt
   trận” never are.

Ordinary prose that talks about classified documents (“tài liệu mật không
được đưa lên mạng”) is not a stamp: a stamp stands apart, in capitals or on
its own line.
"""

import re
import unicodedata

from .text import fold

LEVEL_ORDER = ("mat", "toi_mat", "tuyet_mat")

# Letters only, upper case: the level as written with its marks, and unaccented.
LEVELS = {"MẬT": "mat", "TỐIMẬT": "toi_mat", "TUYỆTMẬT": "tuyet_mat"}
FOLDED_LEVELS = {"MAT": "mat", "TOIMAT": "toi_mat", "TUYETMAT": "tuyet_mat"}
LABEL, FOLDED_LABEL = "ĐỘMẬT", "DOMAT"
# Urgency marks (độ khẩn) often stamped beside the classification.
URGENCY = ("THƯỢNGKHẨN", "KHẨN", "HỎATỐCHẸNGIỜ", "HOẢTỐCHẸNGIỜ", "HỎATỐC", "HOẢTỐC")
FOLDED_URGENCY = ("THUONGKHAN", "KHAN", "HOATOCHENGIO", "HOATOC")

# Words that make "MẬT" part of prose rather than a stamp, before and after it.
COMPOUND_BEFORE = {"BÍ", "BẢO", "GIẢI", "CƠ", "THÂN", "CẨN", "ĐỘ", "LIỆU", "BẢN", "TIN", "SƠ", "DUNG", "ĐƯỜNG"}
COMPOUND_AFTER = {"MÃ", "KHẨU", "ĐỘ", "THIẾT", "ONG", "THÁM", "BÁO", "LỆNH", "VỤ", "KHU", "HIỆU", "DANH", "NGỮ",
                  "ƯỚC", "ĐÀM", "SỨ", "THƯ", "PHÁI", "GẤU", "MÍA", "NHÀ", "TẬP", "TRUYỀN"}

# Letters from other scripts that look like Latin ones (what a look-alike "MẬT" is typed with).
CONFUSABLES = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "м": "m", "т": "t", "к": "k", "н": "h", "в": "b",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "α": "a", "τ": "t", "ι": "i", "κ": "k", "ν": "v",
    "υ": "u", "μ": "m",
    # Latin look-alikes of Đ, small capitals
    "Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ",
    "ᴀ": "A", "ᴅ": "D", "ᴇ": "E", "ɪ": "I", "ᴋ": "K", "ᴍ": "M", "ɴ": "N", "ᴏ": "O", "ᴛ": "T", "ᴜ": "U", "ʏ": "Y",
})
# Invisible characters that are not format characters (category Cf, dropped as a class).
INVISIBLE = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"} | {chr(c) for c in range(0xFE00, 0xFE10)}

_CHUNK = re.compile(r"\S+")
_LINE_BREAK = re.compile(r"[\n\r\f\v\u2028\u2029]+")
_SEGMENT = re.compile(r"\t|\s{3,}|\s\|\s")  # cells of a line: a tab, a wide gap, " | "
_NOT_LETTER = re.compile(r"[\W\d_]+")


def normalise(text: str) -> str:
    """Text as read for stamps: compatibility forms folded, invisibles dropped, look-alikes Latin."""
    text = unicodedata.normalize("NFKC", str(text))
    text = "".join(c for c in text if c not in INVISIBLE and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFC", text.translate(CONFUSABLES))


def _has_marks(text: str) -> bool:
    """Whether the text carries any letter beyond plain ASCII (Vietnamese marks, đ)."""
    return any(c.isalpha() and not c.isascii() for c in text)


def _strip_urgency(letters: str, urgency) -> str:
    for mark in urgency:
        if letters.endswith(mark) and len(letters) > len(mark):
            return letters[: -len(mark)]
        if letters.startswith(mark) and len(letters) > len(mark):
            return letters[len(mark):]
    return letters


def _whole(line: str) -> str | None:
    """Rule 2 (and rule 3 when the label fills the line): the line is nothing but a stamp."""
    if any(c.isdigit() for c in line):
        return None
    letters = "".join(c for c in line if c.isalpha()).upper()
    if not letters or len(letters) > 30:
        return None
    if _has_marks(letters):
        levels, label, urgency = LEVELS, LABEL, URGENCY
    else:
        levels, label, urgency = FOLDED_LEVELS, FOLDED_LABEL, FOLDED_URGENCY
    if letters.startswith(label) and len(letters) > len(label):
        return levels.get(_strip_urgency(letters[len(label):], urgency))
    return levels.get(_strip_urgency(letters, urgency))


class _Chunk:
    """A space-separated piece of a block: its letters (case kept) and what it is."""

    __slots__ = ("core", "kind")

    def __init__(self, raw: str):
        if any(c.isdigit() for c in raw):
            self.core, self.kind = raw, "number"  # a date, a document number (12/BC-UBND)
        else:
            self.core = "".join(c for c in raw if c.isalpha())
            self.kind = "word" if self.core else "mark"

    @property
    def upper(self) -> str:
        return self.core.upper()

    def is_word(self, *words) -> bool:
        return self.kind == "word" and (not words or self.upper in words)


def _chunks(text: str) -> list[_Chunk]:
    """The chunks of a block; runs of single letters ("M Ậ T", "M . Ậ . T") joined into one word."""
    out: list[_Chunk] = []
    run: list[_Chunk] = []

    def flush():
        out.extend([_Chunk("".join(c.core for c in run))] if len(run) >= 2 else run)
        run.clear()

    for raw in _CHUNK.findall(text):
        chunk = _Chunk(raw)
        if chunk.kind == "word" and len(chunk.core) == 1:
            run.append(chunk)
            continue
        if chunk.kind == "mark" and run and raw in ".-·_":
            continue
        flush()
        out.append(chunk)
    flush()
    return out


def _neighbour(chunks: list[_Chunk], index: int, step: int) -> int | None:
    """The index of the nearest chunk that is not bare punctuation, on one side."""
    index += step
    while 0 <= index < len(chunks):
        if chunks[index].kind != "mark":
            return index
        index += step
    return None


def _at(chunks, index):
    return None if index is None else chunks[index]


def _in_line(block: str) -> str | None:
    """Rules 3 and 4 over a block (its lines read as one, so a title wrapped after "BÍ" stays prose)."""
    marked = _has_marks(block)
    levels, urgency = (LEVELS, URGENCY) if marked else (FOLDED_LEVELS, FOLDED_URGENCY)
    label = ("ĐỘ", "MẬT") if marked else ("DO", "MAT")
    chunks = _chunks(block)
    found = None
    for i, chunk in enumerate(chunks):
        if chunk.kind != "word":
            continue
        up = chunk.upper
        # Rule 3: the label, then a level.
        if up == label[0]:
            j = _neighbour(chunks, i, 1)
            if j is not None and chunks[j].is_word(label[1]):
                found = _higher(found, _level_after(chunks, j, levels))
            continue
        # Rule 4: a level in capitals standing apart (unaccented only in a text without marks).
        if not chunk.core.isupper() or (marked and chunk.core.isascii()):
            continue
        level = levels.get(_strip_urgency(up, urgency))
        start = i
        if level == "mat":
            p = _neighbour(chunks, i, -1)
            if p is not None and chunks[p].core.isupper() and chunks[p].is_word("TỐI", "TUYỆT", "TOI", "TUYET"):
                level, start = levels.get(chunks[p].upper + up), p
        if level is None:
            continue
        left, right = _at(chunks, _neighbour(chunks, start, -1)), _at(chunks, _neighbour(chunks, i, 1))
        if not _prose_beside(left, right, folded=not marked):
            found = _higher(found, level)
    return found


def _level_after(chunks: list[_Chunk], j: int, levels: dict) -> str | None:
    """The level named right after the label ending at chunk j, or None (e.g. "THƯỜNG")."""
    a = _neighbour(chunks, j, 1)
    if a is None or not chunks[a].is_word():
        return None
    b = _neighbour(chunks, a, 1)
    if b is not None and chunks[b].is_word() and levels.get(chunks[a].upper + chunks[b].upper):
        return levels[chunks[a].upper + chunks[b].upper]
    return levels.get(chunks[a].upper)


def _prose_beside(left: _Chunk | None, right: _Chunk | None, *, folded: bool) -> bool:
    """A word of prose next to the level: lower case, or a compound (BÍ MẬT, MẬT KHẨU)."""
    for side, compounds in ((left, COMPOUND_BEFORE), (right, COMPOUND_AFTER)):
        if side is None or side.kind != "word":
            continue
        if folded or side.core.islower() or side.upper in compounds:
            return True
    return False


def _higher(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return max(a, b, key=LEVEL_ORDER.index)


def classification(blocks) -> str | None:
    """The highest classification level stamped in these blocks of text, or None."""
    found = None
    for block in blocks:
        if not block:
            continue
        text = normalise(block)
        if "mat" not in _NOT_LETTER.sub("", fold(text)):
            continue  # no "mat" in any spelling: nothing to look at
        for line in _LINE_BREAK.split(text):
            for segment in [line, *_SEGMENT.split(line)]:
                found = _higher(found, _whole(segment))
        found = _higher(found, _in_line(text))
        if found == "tuyet_mat":
            break
    return found
