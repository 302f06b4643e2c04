"""The full state of a sitting, consistent at one seq, shaped for an audience."""

from agenda.state import agenda_state
from displays.slides import slides_state
from displays.state import displays_state
from library.state import documents_state
from meeting.models import Sitting
from meeting.state import announcement_state, attendance_state, quorum_state, sitting_state

from .audience import shape_snapshot


def full_state(sitting_id: int) -> tuple[int, dict]:
    """(seq, state) read consistently without locking.

    Every change bumps the sitting's seq in the same transaction, so if the
    seq read after building equals the one read before, no change committed
    in between and the state is exactly the state at that seq.
    """
    for _attempt in range(20):
        sitting = Sitting.objects.select_related("body", "session").get(pk=sitting_id)
        state = {
            "sitting": sitting_state(sitting),
            "announcement": announcement_state(sitting),
            "agenda": agenda_state(sitting_id),
            "attendance": attendance_state(sitting),
            "quorum": quorum_state(sitting),
            # Sorted here, by code point, as clients sort after display.updated: the
            # database's ORDER BY follows its collation, which varies between servers.
            "displays": sorted(displays_state(sitting_id), key=lambda d: d["name"]),
            "slides": slides_state(),
            "documents": documents_state(sitting_id),
        }
        if Sitting.objects.filter(pk=sitting_id).values_list("seq", flat=True).get() == sitting.seq:
            return sitting.seq, state
    raise RuntimeError(f"sitting {sitting_id} changed during 20 snapshot attempts")


def snapshot_for(sitting_id: int, audience: str) -> tuple[int, dict]:
    seq, state = full_state(sitting_id)
    return seq, shape_snapshot(state, audience)
