"""The full state of a sitting, consistent at one seq, shaped for an audience.

Connections get theirs through `snapshot_json_for`: built once per seq and language and
shared by every connection that asks at that seq, shaped and encoded once per audience (the
morning rush: 500 tablets reconnecting at one seq cost one build and 500 one-column reads).
"""

import threading
import time

from django.utils import translation

from . import registry
from .audience import shape_snapshot
from .publish import encode


def full_state(sitting_id: int) -> tuple[int, dict]:
    """(seq, state) read consistently without locking.

    Every change bumps the sitting's seq in the same transaction, so if the
    seq read after building equals the one read before, no change committed
    in between and the state is exactly the state at that seq.

    The state is every registered slice (realtime.registry), each built from the sitting.
    """
    Sitting = registry.sitting_model()
    slices = registry.slices()
    related = sorted({name for part in slices for name in part.select_related})
    for _attempt in range(20):
        sitting = Sitting.objects.select_related(*related).get(pk=sitting_id)
        state = state_of(sitting, slices)
        if Sitting.objects.filter(pk=sitting_id).values_list("seq", flat=True).get() == sitting.seq:
            return sitting.seq, state
    raise RuntimeError(f"sitting {sitting_id} changed during 20 snapshot attempts")


def state_of(sitting, slices=None) -> dict:
    """Every registered slice built from `sitting`: the state at its seq when the sitting is locked
    (realtime.external builds it so, inside the write path)."""
    return {part.key: part.build(sitting) for part in (slices if slices is not None else registry.slices())}


def snapshot_for(sitting_id: int, audience: str) -> tuple[int, dict]:
    seq, state = full_state(sitting_id)
    return seq, shape_snapshot(state, audience)


# A cached state older than this is rebuilt even at the same seq: reference data edited in the
# admin (a member's name) changes no seq, and this bounds how long a new connection sees the old.
SNAPSHOT_CACHE_SECONDS = 30

_lock = threading.Lock()
# (sitting_id, language) -> (seq, built at (monotonic), full state, {audience: encoded shaped state})
_cache: dict[tuple[int, str], tuple[int, float, dict, dict[str, str]]] = {}


def snapshot_json_for(sitting_id: int, audience: str, seq: int | None = None) -> tuple[int, str]:
    """(seq, the audience's snapshot encoded as JSON) at the sitting's current seq, in the active
    language. A cached one is used only when its seq is the sitting's seq now: every change bumps
    the seq in its own transaction (docs/decisions/0002), so the same seq is the same state.

    `seq`: the sitting's seq as the caller just read it (a hub connect reads it with the sitting's
    row, after joining the relay), saving this its own read; the state returned may be newer."""
    language = translation.get_language() or ""
    key = (sitting_id, language)
    if seq is not None:
        current = seq
    else:
        current = registry.sitting_model().objects.filter(pk=sitting_id).values_list("seq", flat=True).first()
    with _lock:
        entry = _cache.get(key)
    if entry is not None and entry[0] == current and time.monotonic() - entry[1] < SNAPSHOT_CACHE_SECONDS:
        seq, _built, state, texts = entry
    else:
        seq, state = full_state(sitting_id)
        texts = {}
        with _lock:
            held = _cache.get(key)
            if held is None or held[0] <= seq:
                _cache[key] = (seq, time.monotonic(), state, texts)
    text = texts.get(audience)
    if text is None:
        text = encode(shape_snapshot(state, audience))
        with _lock:
            texts[audience] = text
    return seq, text


def forget_snapshots() -> None:
    """Empty the cache (tests; a process never needs to: entries are replaced by newer seqs)."""
    with _lock:
        _cache.clear()
