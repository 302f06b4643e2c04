"""The tally and majority rules as pure functions (voting/tally.py), checked exhaustively on small
councils against a count written independently here."""

import itertools
from fractions import Fraction

import pytest

from voting.tally import Rule, needed, reaches, tally, valid

MOTION = ["yes", "no", "abstain"]
MAJORITY = Rule()  # more than half of the total


def test_more_than_half_of_the_total_not_of_those_present():
    # 50 delegates, 30 present, 26 yes: a majority of those present, not of the total
    result = tally("motion", MOTION, [{"option": "yes"}] * 24 + [{"option": "no"}] * 4 + [{"option": "abstain"}] * 2,
                   rule=MAJORITY, total=50, present=30)
    assert (result["counts"], result["passed"], result["needed"]) == ({"yes": 24, "no": 4, "abstain": 2}, False, 26)
    result = tally("motion", MOTION, [{"option": "yes"}] * 26, rule=MAJORITY, total=50, present=30)
    assert result["passed"] is True and result["percent"]["yes"] == 52.0


def test_exactly_half_is_not_more_than_half_and_two_thirds_is_at_least_two_thirds():
    assert not reaches(25, 50, MAJORITY)
    assert reaches(26, 50, MAJORITY)
    two_thirds = Rule("total", 2, 3, True)
    assert reaches(34, 51, two_thirds) and not reaches(33, 51, two_thirds)
    assert reaches(34, 50, two_thirds) and not reaches(33, 50, two_thirds)


@pytest.mark.parametrize("num, den, inclusive", [(1, 2, False), (2, 3, True), (1, 3, True), (3, 5, False), (1, 1, True)])
@pytest.mark.parametrize("base", range(0, 61))
def test_needed_is_the_smallest_count_that_reaches(num, den, inclusive, base):
    rule = Rule("total", num, den, inclusive)
    reaching = [n for n in range(base + 1) if reaches(n, base, rule)]
    limit = Fraction(num, den) * base
    independent = [n for n in range(base + 1) if base and (n >= limit if inclusive else n > limit)]
    assert reaching == independent
    if base and reaching:
        assert needed(base, rule) == reaching[0]


def test_every_small_vote_is_counted_exactly():
    for size in range(0, 6):
        for ballots in itertools.product(MOTION, repeat=size):
            stored = [{"option": b} for b in ballots]
            for base in ("total", "present", "cast"):
                result = tally("motion", MOTION, stored, rule=Rule(base), total=7, present=6)
                counts = {k: ballots.count(k) for k in MOTION}
                assert result["counts"] == counts and result["cast"] == size == result["valid"]
                base_count = {"total": 7, "present": 6, "cast": size}[base]
                assert result["passed"] == (base_count > 0 and 2 * counts["yes"] > base_count)


def test_invalid_ballots_are_counted_apart():
    result = tally("motion", MOTION, [{"option": "yes"}, {"option": "maybe"}, {"chosen": ["yes"]}], rule=MAJORITY,
                   total=3, present=3)
    assert (result["valid"], result["invalid"], result["counts"]["yes"]) == (1, 2, 1)


def test_an_election_elects_the_most_voted_who_reach_the_threshold_and_a_tie_for_the_last_seat_elects_neither():
    ballots = [{"chosen": ["a", "b"]}] * 20 + [{"chosen": ["a", "c"]}] * 20 + [{"chosen": ["b", "c"]}] * 10
    result = tally("election", ["a", "b", "c"], ballots, rule=MAJORITY, total=50, present=50, seats=2)
    assert result["counts"] == {"a": 40, "b": 30, "c": 30}
    assert result["elected"] == ["a"]  # b and c tie for the second seat: neither is elected
    ballots = [{"chosen": ["a", "b"]}] * 30 + [{"chosen": ["c"]}] * 20
    result = tally("election", ["a", "b", "c"], ballots, rule=MAJORITY, total=50, present=50, seats=2)
    assert sorted(result["elected"]) == ["a", "b"]
    result = tally("election", ["a", "b", "c"], ballots, rule=MAJORITY, total=50, present=50, seats=1)
    assert (result["valid"], result["invalid"], result["elected"]) == (20, 30, [])  # two names on a one-seat ballot
    assert not valid("election", ["a", "b"], {"chosen": ["a", "a"]}, seats=2)
    assert not valid("election", ["a", "b"], {"chosen": ["a", "b"]}, seats=1)


def test_a_confidence_rating_counts_levels_as_shares_of_the_total_and_flags_the_law_s_thresholds():
    total = 50
    ballots = ([{"ratings": {"x": "low", "y": "high"}}] * 34 + [{"ratings": {"x": "confidence", "y": "low"}}] * 16)
    result = tally("rating", ["x", "y"], ballots, rule=MAJORITY, total=total, present=50)
    assert result["counts"]["x"] == {"high": 0, "confidence": 16, "low": 34}
    assert result["percent"]["x"]["low"] == 68.0
    assert result["flags"] == {"x": "confidence_vote", "y": None}
    ballots = [{"ratings": {"x": "low"}}] * 26 + [{"ratings": {"x": "high"}}] * 24
    assert tally("rating", ["x"], ballots, rule=MAJORITY, total=total, present=50)["flags"] == {"x": "low_majority"}
    assert not valid("rating", ["x", "y"], {"ratings": {"x": "low"}})  # every official is rated
