"""A sitting's snapshot is built once per seq and shared by every connection asking at that
seq, shaped and encoded once per audience (issue 9 item 5, the morning rush).

Personas (tests/conftest.py): the chair moves the sitting; 500 tablets reconnecting at one
seq are stood for by repeated calls. The cached text is always exactly the fresh snapshot
at the current seq: a change (a new seq) is never answered from the cache.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.permissions import AUDIENCES, actor_for
from meeting import services as meeting
from realtime.snapshot import snapshot_for, snapshot_json_for

pytestmark = pytest.mark.django_db


def test_the_cached_snapshot_is_the_fresh_snapshot_for_every_audience(sitting):
    for audience in AUDIENCES:
        seq, text = snapshot_json_for(sitting.pk, audience)
        fresh_seq, fresh = snapshot_for(sitting.pk, audience)
        assert (seq, json.loads(text)) == (fresh_seq, json.loads(json.dumps(fresh, default=str)))


def test_a_second_connection_at_the_same_seq_costs_one_query_not_a_rebuild(sitting):
    snapshot_json_for(sitting.pk, "delegate")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            snapshot_json_for(sitting.pk, "delegate")
    assert len(queries) == 50


def test_other_audiences_at_the_same_seq_reuse_the_state_and_are_only_shaped(sitting):
    snapshot_json_for(sitting.pk, "staff")
    with CaptureQueriesContext(connection) as queries:
        snapshot_json_for(sitting.pk, "public")
    assert len(queries) == 1


def test_a_change_is_never_answered_from_the_cache(sitting, users):
    before_seq, before = snapshot_json_for(sitting.pk, "delegate")
    meeting.open_sitting(actor_for(sitting, user=users["chair"]), sitting.pk)
    seq, text = snapshot_json_for(sitting.pk, "delegate")
    assert seq > before_seq
    assert json.loads(text)["sitting"]["status"] == "live" != json.loads(before)["sitting"]["status"]


def test_each_language_has_its_own_snapshot(sitting):
    with translation.override("vi"):
        _, vietnamese = snapshot_json_for(sitting.pk, "staff")
    with translation.override("en"):
        _, english = snapshot_json_for(sitting.pk, "staff")
        assert json.loads(english) == json.loads(json.dumps(snapshot_for(sitting.pk, "staff")[1], default=str))
    assert vietnamese != english
