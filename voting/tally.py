"""Counting votes: pure functions, stored ballots in, a result out (no database, no clock).

A poll's rule is a base and a threshold (DOMAIN.md "Votes"):
- base: `total` (every delegate of the body: the default, the council's rule that a resolution
  needs more than half of the total number of delegates), `present` (delegates present when the
  round opened) or `cast` (ballots cast);
- threshold: a fraction num/den, reached when the count is more than it (`inclusive` False:
  "more than half") or at least it (`inclusive` True: "at least two thirds").

Ballots by kind (each a dict, as stored):
- `motion`, `confidence`, `indicative`, `dismissal`: {"option": key}, keys of the poll's options
  (motion: yes / no / abstain; confidence: trust / no_trust);
- `election`: {"chosen": [key, …]} — at most `seats` distinct candidates;
- `rating` (lấy phiếu tín nhiệm): {"ratings": {official key: "high" | "confidence" | "low"}}
  rating every listed official.
A ballot that breaks its kind's form is counted as invalid (a paper ballot can be; an electronic
one is refused before it is stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

SINGLE = ("motion", "confidence", "indicative", "dismissal")
RATING_LEVELS = ("high", "confidence", "low")


@dataclass(frozen=True)
class Rule:
    base: str = "total"  # total | present | cast
    num: int = 1
    den: int = 2
    inclusive: bool = False  # False: more than num/den; True: at least num/den

    def label(self) -> str:
        return f"{'≥' if self.inclusive else '>'} {self.num}/{self.den}"


def reaches(count: int, base: int, rule: Rule) -> bool:
    """Whether `count` reaches the threshold of `base` (exact arithmetic: no float rounding)."""
    if base <= 0:
        return False
    share = Fraction(count, base)
    limit = Fraction(rule.num, rule.den)
    return share >= limit if rule.inclusive else share > limit


def needed(base: int, rule: Rule) -> int:
    """The smallest count that reaches the threshold of `base`."""
    limit = Fraction(rule.num, rule.den) * base
    if rule.inclusive:
        return -(-limit.numerator // limit.denominator)  # ceil
    return limit.numerator // limit.denominator + 1  # floor + 1


def valid(kind: str, options: Sequence[str], ballot: dict, *, seats: int = 1) -> bool:
    if kind in SINGLE:
        return set(ballot) == {"option"} and ballot["option"] in options
    if kind == "election":
        chosen = ballot.get("chosen") if set(ballot) == {"chosen"} else None
        return (isinstance(chosen, list) and len(chosen) == len(set(chosen)) and len(chosen) <= seats
                and all(c in options for c in chosen))
    if kind == "rating":
        ratings = ballot.get("ratings") if set(ballot) == {"ratings"} else None
        return (isinstance(ratings, dict) and set(ratings) == set(options)
                and all(v in RATING_LEVELS for v in ratings.values()))
    raise ValueError(f"unknown poll kind {kind!r}")


def percent(count: int, base: int) -> float:
    return round(100 * count / base, 2) if base else 0.0


def tally(kind: str, options: Sequence[str], ballots: Iterable[dict], *, rule: Rule, total: int, present: int,
          seats: int = 1, passing_option: str = "yes") -> dict:
    """The result of a round from its ballots.

    `total`: delegates of the body; `present`: present when the round opened. Returns the counts,
    each as a percentage of the base, and the outcome (`passed` for single-choice kinds: the
    passing option reaches the threshold; `elected` for elections: candidates reaching the
    threshold, most votes first, at most `seats`, a tie at the last seat electing nobody for it;
    `flags` for ratings)."""
    ballots = list(ballots)
    good = [b for b in ballots if valid(kind, options, b, seats=seats)]
    cast, invalid = len(ballots), len(ballots) - len(good)
    base = {"total": total, "present": present, "cast": len(good)}[rule.base]
    out = {"cast": cast, "valid": len(good), "invalid": invalid, "base": rule.base, "base_count": base,
           "rule": rule.label(), "needed": needed(base, rule) if base else None}
    if kind in SINGLE:
        counts = {key: sum(1 for b in good if b["option"] == key) for key in options}
        out["counts"] = counts
        out["percent"] = {key: percent(n, base) for key, n in counts.items()}
        out["passed"] = reaches(counts.get(passing_option, 0), base, rule)
        return out
    if kind == "election":
        counts = {key: sum(1 for b in good if key in b["chosen"]) for key in options}
        out["counts"] = counts
        out["percent"] = {key: percent(n, base) for key, n in counts.items()}
        ranked = sorted((k for k in options if reaches(counts[k], base, rule)), key=lambda k: -counts[k])
        elected = ranked[:seats]
        if len(ranked) > seats and counts[ranked[seats]] == counts[ranked[seats - 1]]:
            tied = counts[ranked[seats - 1]]
            elected = [k for k in elected if counts[k] > tied]  # a tie for the last seat elects neither
        out["elected"] = elected
        out["passed"] = bool(elected)
        return out
    # rating: per official, counts of each level; percentages of the TOTAL number of delegates
    # (Nghị quyết 96/2023/QH15); more than half "low": may resign; at least 2/3 "low": confidence vote.
    counts = {key: {level: sum(1 for b in good if b["ratings"][key] == level) for level in RATING_LEVELS}
              for key in options}
    out["counts"] = counts
    out["percent"] = {key: {lvl: percent(n, total) for lvl, n in c.items()} for key, c in counts.items()}
    out["flags"] = {key: ("confidence_vote" if reaches(c["low"], total, Rule("total", 2, 3, True))
                          else "low_majority" if reaches(c["low"], total, Rule("total", 1, 2, False)) else None)
                    for key, c in counts.items()}
    out["passed"] = None
    return out
