"""Quorum arithmetic, pure."""

from math import ceil


def required(total: int, fraction: tuple[int, int]) -> int:
    """Members who must be present: at least num/den of the total (rounded up)."""
    num, den = fraction
    return ceil(total * num / den) if total else 0


def quorum(present: int, total: int, fraction: tuple[int, int]) -> dict:
    need = required(total, fraction)
    return {
        "present": present,
        "total": total,
        "required": need,
        "met": total > 0 and present >= need,
        "rule": f"{fraction[0]}/{fraction[1]}",
    }
