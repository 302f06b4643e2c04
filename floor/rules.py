"""The queue's rules as pure functions: lists in, a place out, no database.

The list of speakers is one ordered list of waiting requests (speech, reply, point of order,
follow-up question). With `priority_first` (a body's setting, on by default) a new request goes
ahead of every request of a lower rank and after every request of its own rank or higher:

    rank 0  point of order (kiến nghị về thủ tục)
    rank 1  reply to the current speaker (tranh luận)
    rank 2  follow-up by a delegate who asked a question on that issue group
    rank 3  follow-up by anyone else
    rank 4  speech

so points of order are heard first, then replies, then speeches, each kind in the order it
was asked. Without `priority_first` every request joins the end. The chair may then move any
request anywhere; a request that arrives later is placed by the same rule against the list as
it stands (before the first request of a lower rank).

Questions (chất vấn) wait in their issue group, in registration order, until the chair calls them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RANKS = {"order": 0, "reply": 1, "followup": 3, "speech": 4}
ASKER_FOLLOWUP = 2


@dataclass(frozen=True)
class Entry:
    """What the rule needs to know of a request already in the list."""

    kind: str
    asker: bool = False  # a follow-up by a delegate who asked a question on its issue group


def rank(kind: str, asker: bool = False) -> int:
    if kind == "followup" and asker:
        return ASKER_FOLLOWUP
    return RANKS[kind]


def insertion_index(queue: Sequence[Entry], new: Entry, *, priority_first: bool = True) -> int:
    """Where `new` goes in `queue` (the waiting requests, in order)."""
    if not priority_first:
        return len(queue)
    mine = rank(new.kind, new.asker)
    for i, entry in enumerate(queue):
        if rank(entry.kind, entry.asker) > mine:
            return i
    return len(queue)


def joins_the_end(new: Entry, *, priority_first: bool = True) -> bool:
    """Whether `new` goes to the end of any list: without priority everyone does, with it the
    lowest rank (a speech) does — no request can be of a lower rank than it."""
    return not priority_first or rank(new.kind, new.asker) == max(RANKS.values())


def moved(ids: Sequence[int], request_id: int, index: int) -> list[int]:
    """The list with `request_id` moved to `index` (clamped to the list)."""
    rest = [i for i in ids if i != request_id]
    index = max(0, min(index, len(rest)))
    return [*rest[:index], request_id, *rest[index:]]


def remaining_seconds(*, limit_s: float, extra_s: float, spoken_s: float) -> float:
    """Time left of a turn: negative once it has overrun (shown, never cut silently)."""
    return limit_s + extra_s - spoken_s


def turn_limit(kind_limit: int, *, quota_s: int, used_s: float, counts_to_quota: bool) -> int | None:
    """The limit of a new turn: the kind's, cut to what is left of the delegate's quota for the
    item (0 quota: none). None: the quota is used up."""
    if not quota_s or not counts_to_quota:
        return kind_limit
    left = int(quota_s - used_s)
    if left <= 0:
        return None
    return min(kind_limit, left)
