"""Diacritics-insensitive text for Vietnamese search.

`fold` maps each character to exactly one character (lower case, without
marks, đ → d), so a position in the folded text is the same position in the
original: search matches on the folded text and highlights the original.
"""

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if low in "đð":
        return "d"
    base = unicodedata.normalize("NFD", low)[0]
    return base if len(base) == 1 else low


def fold(text: str) -> str:
    """Lower case, no diacritics, one character for one (after NFC)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(_fold_char(c) for c in text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# Vietnamese alphabetical order (the dictionary's): letters a ă â b c d đ e ê g h i k l m n o ô ơ p
# q r s t u ư v x y (f j w z, for foreign names, where the Latin alphabet puts them), and, between
# words spelled alike, the tones ngang, huyền, hỏi, ngã, sắc, nặng.
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i for i, ch in enumerate(_LETTERS)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_SHAPES = {"\u0306": "ă", "\u0302": {"a": "â", "e": "ê", "o": "ô"}, "\u031b": {"o": "ơ", "u": "ư"}}


@lru_cache(maxsize=8192)
def _letter_and_tone(ch: str) -> tuple[int, int]:
    low = ch.lower()
    if low == "đ":
        return _LETTER_RANK["đ"], 0
    parts = unicodedata.normalize("NFD", low)
    letter, tone = parts[0], 0
    for mark in parts[1:]:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _SHAPES:
            shape = _SHAPES[mark]
            letter = shape if isinstance(shape, str) else shape.get(letter, letter)
    rank = _LETTER_RANK.get(letter)
    return (rank if rank is not None else 100 + ord(letter)), tone


def vietnamese_key(text: str) -> tuple:
    """Sorts Vietnamese text as a Vietnamese dictionary does: by letters (ă after a, đ after d, ư
    after u...), then by tones, then as written (case)."""
    text = unicodedata.normalize("NFC", text.strip())
    pairs = [_letter_and_tone(ch) for ch in text]
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), text


def person_key(full_name: str) -> tuple:
    """A Vietnamese person's name sorts by the given name (the last word), then by the whole name
    from the family name on: "Trần Văn An" before "Nguyễn Thị Bình"."""
    words = full_name.split()
    given = words[-1] if words else ""
    return vietnamese_key(given), vietnamese_key(full_name)
