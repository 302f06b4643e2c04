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
