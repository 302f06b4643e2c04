"""How long a sitting's event log is kept (issue 9; docs/architecture.md, "The event log").

The log serves replay (a client that missed events) while a sitting is scheduled or live,
and the minutes once it is closed. So a sitting's events are kept while it is not closed
and for HUB_EVENT_RETENTION_DAYS after it closed; then `prune_sitting_events` (the daily
job: `manage.py prune_sitting_events`) writes them to HUB_EVENT_ARCHIVE_DIR, one gzipped
JSON Lines file per sitting (seq, type, data, at), and only then deletes them. Nothing
else of the sitting changes: its seq stays, a client that asks for events after it gets
a snapshot (realtime.consumers._events_since finds fewer events than it needs).
"""

import gzip
import json
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SittingEvent
from .registry import sitting_model


def prunable_sittings(now=None):
    """Closed sittings whose events have outlived the retention and are still in the log."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.HUB_EVENT_RETENTION_DAYS)
    Sitting = sitting_model()
    return (Sitting.objects.filter(status=Sitting.Status.CLOSED, closed_at__lt=cutoff)
            .filter(pk__in=SittingEvent.objects.values("sitting_id")).order_by("pk"))


def prune_sitting_events(now=None) -> tuple[int, int]:
    """Archive, then delete, the events of every prunable sitting: (sittings, events) pruned."""
    folder = Path(settings.HUB_EVENT_ARCHIVE_DIR)
    sittings = events = 0
    for sitting_id in prunable_sittings(now).values_list("pk", flat=True):
        events += _archive_and_delete(sitting_id, folder)
        sittings += 1
    return sittings, events


def _archive_and_delete(sitting_id: int, folder: Path) -> int:
    """Write the sitting's events to a file (complete and synced before anything is deleted),
    then delete exactly the events written, in one transaction."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = list(SittingEvent.objects.filter(sitting_id=sitting_id).order_by("seq").values("seq", "type", "data", "at"))
    if not rows:
        return 0
    final = folder / f"sitting-{sitting_id}-events-{rows[0]['seq']}-{rows[-1]['seq']}.jsonl.gz"
    partial = final.with_name(final.name + ".part")
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({**row, "at": row["at"].isoformat()}, ensure_ascii=False, default=str) + "\n")
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, final)
    with transaction.atomic():
        deleted, _ = SittingEvent.objects.filter(sitting_id=sitting_id, seq__lte=rows[-1]["seq"]).delete()
    return deleted
