"""Tracking codes: what a citizen's receipt and QR code carry.

Unguessable: 60 random bits (secrets), written as 12 characters of an
alphabet without look-alikes (no 0/O, 1/I/L), grouped for reading aloud over
the phone: "K7QX-M3RT-9WPA". Guessing one among a million cases takes about
10^12 tries; the status page also rate-limits lookups.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols, no 0 O 1 I L
LENGTH = 12


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def normalize(text: str) -> str | None:
    """A code as a citizen may type it (lower case, spaces, no dashes) -> canonical, or None."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"
