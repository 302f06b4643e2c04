"""The event log is kept as long as replay and the minutes need it, then archived and pruned
(issue 9 item 6; `manage.py prune_sitting_events`, HUB_EVENT_RETENTION_DAYS).

Personas (tests/conftest.py): the chair opens and closes the demo sitting; the office's daily
job prunes. A sitting still scheduled or live keeps every event (replay needs them); a sitting
closed within the retention keeps them (the minutes are drawn from them); one closed longer
ago has its events written to the archive folder, then deleted, and nothing else of it changes.
"""

import gzip
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.permissions import actor_for
from meeting import services as meeting
from meeting.models import Sitting
from realtime.models import SittingEvent
from realtime.retention import prune_sitting_events

pytestmark = pytest.mark.django_db


def run_and_close(sitting, chair, closed_days_ago):
    actor = actor_for(sitting, user=chair)
    meeting.open_sitting(actor, sitting.pk)
    meeting.announce(actor, sitting.pk, "Giải lao 15 phút")
    meeting.close_sitting(actor, sitting.pk)
    Sitting.objects.filter(pk=sitting.pk).update(closed_at=timezone.now() - timedelta(days=closed_days_ago))
    return list(SittingEvent.objects.filter(sitting=sitting).order_by("seq").values_list("seq", "type", "data"))


def test_a_sitting_closed_longer_ago_than_the_retention_is_archived_then_pruned(sitting, users, settings, tmp_path):
    settings.HUB_EVENT_RETENTION_DAYS = 30
    settings.HUB_EVENT_ARCHIVE_DIR = tmp_path
    events = run_and_close(sitting, users["chair"], closed_days_ago=31)
    assert events
    out = StringIO()
    call_command("prune_sitting_events", stdout=out)
    assert not SittingEvent.objects.filter(sitting=sitting).exists()
    archived = sorted(tmp_path.glob(f"sitting-{sitting.pk}-events*.jsonl.gz"))
    assert len(archived) == 1
    with gzip.open(archived[0], "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert [(r["seq"], r["type"], r["data"]) for r in rows] == events
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.CLOSED and sitting.seq == events[-1][0]
    assert f"events={len(events)}" in out.getvalue()


def test_a_recently_closed_sitting_keeps_its_events_for_the_minutes(sitting, users, settings, tmp_path):
    settings.HUB_EVENT_RETENTION_DAYS = 30
    settings.HUB_EVENT_ARCHIVE_DIR = tmp_path
    events = run_and_close(sitting, users["chair"], closed_days_ago=29)
    assert prune_sitting_events() == (0, 0)
    assert SittingEvent.objects.filter(sitting=sitting).count() == len(events)
    assert not list(tmp_path.iterdir())


def test_a_live_sitting_keeps_every_event_however_old(sitting, users, settings, tmp_path):
    settings.HUB_EVENT_RETENTION_DAYS = 1
    settings.HUB_EVENT_ARCHIVE_DIR = tmp_path
    actor = actor_for(sitting, user=users["chair"])
    meeting.open_sitting(actor, sitting.pk)
    SittingEvent.objects.filter(sitting=sitting).update(at=timezone.now() - timedelta(days=400))
    assert prune_sitting_events() == (0, 0)
    assert SittingEvent.objects.filter(sitting=sitting).exists()


def test_pruning_twice_archives_once(sitting, users, settings, tmp_path):
    settings.HUB_EVENT_RETENTION_DAYS = 30
    settings.HUB_EVENT_ARCHIVE_DIR = tmp_path
    events = run_and_close(sitting, users["chair"], closed_days_ago=90)
    assert prune_sitting_events() == (1, len(events))
    assert prune_sitting_events() == (0, 0)
    assert len(list(tmp_path.iterdir())) == 1
