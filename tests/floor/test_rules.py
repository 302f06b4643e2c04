"""The queue's rules as pure functions (floor/rules.py): no database, no hub."""

import pytest

from floor.rules import Entry, insertion_index, joins_the_end, moved, rank, remaining_seconds, turn_limit


def place(kinds, new, **kw):
    return insertion_index([Entry(*k) if isinstance(k, tuple) else Entry(k) for k in kinds],
                           Entry(*new) if isinstance(new, tuple) else Entry(new), **kw)


def test_a_speech_joins_the_end():
    assert place(["order", "reply", "speech", "speech"], "speech") == 4
    assert place([], "speech") == 0


def test_a_point_of_order_goes_ahead_of_replies_and_speeches_after_earlier_points_of_order():
    assert place(["speech", "speech"], "order") == 0
    assert place(["order", "reply", "speech"], "order") == 1


def test_a_reply_goes_after_points_of_order_and_earlier_replies_before_speeches():
    assert place(["order", "reply", "speech"], "reply") == 2
    assert place(["speech"], "reply") == 0


def test_a_follow_up_by_someone_who_asked_on_the_issue_goes_ahead_of_other_follow_ups():
    # the chair had moved a non-asker first: an asker's new follow-up still goes ahead of it
    assert place([("followup", False), ("followup", True), ("speech", False)], ("followup", True)) == 0
    # the list as the rule builds it: askers' follow-ups first, in their order
    assert place([("followup", True), ("followup", False)], ("followup", True)) == 1
    assert place([("followup", True), ("followup", False)], ("followup", False)) == 2
    assert rank("followup", True) < rank("followup", False) < rank("speech")


def test_without_priority_everyone_joins_the_end():
    assert place(["speech", "speech"], "order", priority_first=False) == 2


def test_after_the_chair_moved_a_speech_first_a_point_of_order_still_goes_ahead_of_it():
    assert place(["speech", "order", "speech"], "order") == 0


@pytest.mark.parametrize("ids, rid, index, out", [
    ([1, 2, 3], 3, 0, [3, 1, 2]),
    ([1, 2, 3], 1, 2, [2, 3, 1]),
    ([1, 2, 3], 2, 99, [1, 3, 2]),
    ([1, 2, 3], 2, 1, [1, 2, 3]),
])
def test_moving_a_request(ids, rid, index, out):
    assert moved(ids, rid, index) == out


def test_time_left_goes_negative_on_overrun():
    assert remaining_seconds(limit_s=420, extra_s=60, spoken_s=400) == 80
    assert remaining_seconds(limit_s=60, extra_s=0, spoken_s=75) == -15


def test_a_turn_is_cut_to_what_is_left_of_the_quota_and_refused_when_none_is():
    assert turn_limit(420, quota_s=0, used_s=5000, counts_to_quota=True) == 420
    assert turn_limit(420, quota_s=600, used_s=300, counts_to_quota=True) == 300
    assert turn_limit(420, quota_s=600, used_s=100, counts_to_quota=True) == 420
    assert turn_limit(420, quota_s=600, used_s=600, counts_to_quota=True) is None
    assert turn_limit(60, quota_s=600, used_s=600, counts_to_quota=False) == 60


@pytest.mark.parametrize("kind, asker", [("order", False), ("reply", False), ("followup", True), ("followup", False),
                                         ("speech", False)])
@pytest.mark.parametrize("priority_first", [True, False])
def test_joining_the_end_is_what_the_rule_says_for_every_list(kind, asker, priority_first):
    """The shortcut the service takes (one aggregate instead of reading the list) agrees with the rule
    on every list of up to four requests."""
    import itertools

    kinds = [("order", False), ("reply", False), ("followup", True), ("followup", False), ("speech", False)]
    if joins_the_end(Entry(kind, asker), priority_first=priority_first):
        for n in range(5):
            for queue in itertools.product(kinds, repeat=n):
                entries = [Entry(*e) for e in queue]
                assert insertion_index(entries, Entry(kind, asker), priority_first=priority_first) == n
    else:
        assert priority_first and kind != "speech"
