"""Finding a sender's identity in text and in the register (pure functions, no writes).

- `person_keys`: what a sender is found by (folded name + phone, folded name + email);
- `identity_hits`: which of a sender's name, phone, ID number, e-mail and address a text
  repeats, in any spelling: the text first read as library.stamps reads a stamp (full-width
  and styled characters folded, invisible ones dropped, letters of other scripts that look
  Latin made Latin), the name folded (no diacritics, any case, any spacing or punctuation
  between its words), numbers compared digit by digit after dropping whatever stands between
  digits that is not a letter ("0987.654.321", "0987 654 321", "0987,654,321", "0987–654–321",
  "+84 987 654 321", "(+84) 987-654-321" are one phone), the e-mail whole, or its name and
  domain as words ("nvto (a còng) example chấm vn"), and the address folded.

petitions.services refuses a covering note or a redacted copy that hits
(`identity_in_note`, `identity_in_redaction`); accounts.permissions asks
`person_keys` whether a sender ever filed a denunciation.
"""

import re

from library.stamps import normalise
from library.text import fold

IDENTITY_FIELDS = ("full_name", "id_number", "address", "phone", "email")
# What stands between the numbers of a text: letters. Between the digits of one number, anything else
# (spaces, dots, commas, dashes of any width, slashes, brackets, underscores, middle dots).
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[a-z0-9]+")
# The tail of a phone number that identifies it whatever the prefix (+84, 84, 0): 9 digits.
PHONE_CORE = 9


def normalize_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def _person_name(name: str) -> str:
    return " ".join(_WORD.findall(fold(name or "")))


def person_keys(identity: dict) -> list[str]:
    """The keys a sender is found by: folded name + phone, folded name + email (first one is stored)."""
    name = " ".join(fold(identity.get("full_name", "") or "").split())
    if not name:
        return []
    contacts = [normalize_phone(identity.get("phone", "")), (identity.get("email") or "").strip().lower()]
    return [f"{name}|{c}"[:300] for c in contacts if c]


def _squashed_match(tokens: list[str], target: str) -> bool:
    """`target` spelled with its spaces dropped ("NguyễnVănTố", "Nguyen-Van-To" is found by words already):
    consecutive whole words whose letters joined are exactly `target`."""
    for i in range(len(tokens)):
        joined = ""
        for token in tokens[i:]:
            joined += token
            if joined == target:
                return True
            if not target.startswith(joined):
                break
    return False


def _numbers(text: str) -> list[str]:
    """The digits of each stretch of `text` between letters (a number with any separators is one run)."""
    runs = ("".join(ch for ch in part if "0" <= ch <= "9") for part in _LETTERS.split(text))
    return [run for run in runs if run]


def identity_hits(text: str, identity: dict) -> list[str]:
    """The identity fields (`full_name`, `phone`, `id_number`, `email`, `address`) that `text` repeats."""
    if not text or not identity:
        return []
    text = normalise(text)
    folded = fold(text)
    tokens = _WORD.findall(folded)
    words = " " + " ".join(tokens) + " "
    numbers = _numbers(text)
    hits = []
    name = _person_name(identity.get("full_name", ""))
    if name and (f" {name} " in words or _squashed_match(tokens, name.replace(" ", ""))):
        hits.append("full_name")
    phone = normalize_phone(identity.get("phone", ""))
    if len(phone) >= 8:
        core = phone[-PHONE_CORE:]
        if any(core in run for run in numbers):
            hits.append("phone")
    id_number = "".join(ch for ch in identity.get("id_number", "") or "" if ch.isdigit())
    if len(id_number) >= 9 and any(id_number in run for run in numbers):
        hits.append("id_number")
    email = (identity.get("email") or "").strip().lower()
    local, _at, domain = email.partition("@")
    local_words, domain_words = " ".join(_WORD.findall(fold(local))), _WORD.findall(fold(domain))
    if email and (email in folded or f" {local_words} " in words and bool(domain_words)
                  and f" {domain_words[0]} " in words):
        hits.append("email")
    address = " ".join(_WORD.findall(fold(identity.get("address", "") or "")))
    if len(address) >= 8 and f" {address} " in words:
        hits.append("address")
    return hits
