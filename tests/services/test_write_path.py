"""Rules every hub service obeys (realtime.service.change):

- a role that may not do it is refused with "forbidden", audited, and nothing changes;
- a sitting that is not live is refused with "sitting_not_live", and nothing changes;
- an accepted change writes one audit record, bumps seq once per event and stores each event.
"""

import pytest

from agenda import services as agenda
from audit.models import AuditRecord
from displays import services as displays
from displays.models import Display
from meeting import services as meeting
from meeting.models import Member, Sitting
from realtime.models import SittingEvent
from realtime.service import ServiceError

from .conftest import fingerprint, items

PERSONAS = ("chair", "secretary", "alice", "guest", "display", "public")
STAFF = {"chair", "secretary"}


def _item(sitting_id, n):
    return items(sitting_id)[n].pk


def _bob():
    return Member.objects.get(code="DB011").pk


def _display(sitting_id):
    return Display.objects.filter(sitting_id=sitting_id).order_by("name").first().pk


def _postpone_fourth(actor, sid):
    agenda.postpone_item(actor, sid, _item(sid, 3))


def _advance(actor, sid):
    agenda.next_item(actor, sid)
    agenda.next_item(actor, sid)


# name -> (call(actor, sitting_id), roles allowed, preparation by the chair in a live sitting)
SERVICES = {
    "close_sitting": (lambda a, sid: meeting.close_sitting(a, sid), STAFF, None),
    "announce": (lambda a, sid: meeting.announce(a, sid, "Giải lao 15 phút"), STAFF, None),
    "next_item": (lambda a, sid: agenda.next_item(a, sid), STAFF, None),
    "previous_item": (lambda a, sid: agenda.previous_item(a, sid), STAFF, _advance),
    "jump_to": (lambda a, sid: agenda.jump_to(a, sid, _item(sid, 4)), STAFF, None),
    "insert_item": (lambda a, sid: agenda.insert_item(a, sid, title="Mục bổ sung"), STAFF, None),
    "move_item": (lambda a, sid: agenda.move_item(a, sid, _item(sid, 3), parent_id=None, index=0), STAFF, None),
    "postpone_item": (lambda a, sid: agenda.postpone_item(a, sid, _item(sid, 3)), STAFF, None),
    "restore_item": (lambda a, sid: agenda.restore_item(a, sid, _item(sid, 3)), STAFF, _postpone_fourth),
    "check_in": (lambda a, sid: meeting.check_in(a, sid), {"alice", "guest"}, None),
    "mark_attendance": (lambda a, sid: meeting.mark_attendance(a, sid, _bob(), "absent", "Ốm"), STAFF, None),
    "set_slide": (lambda a, sid: displays.set_slide(a, sid, _display(sid), "agenda"), STAFF, None),
}
LIVE_ONLY = sorted(set(SERVICES) - {"set_slide"})


def _prepare(name, live, actors):
    prepare = SERVICES[name][2]
    if prepare:
        prepare(actors["chair"], live.pk)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_refuses_every_role_not_allowed_audits_it_and_changes_nothing(name, live, actors):
    call, allowed, _prepare_it = SERVICES[name]
    _prepare(name, live, actors)
    refused = [who for who in PERSONAS if who not in allowed]
    before = fingerprint(live.pk)
    for who in refused:
        with pytest.raises(ServiceError) as e:
            call(actors[who], live.pk)
        assert e.value.code == "forbidden", who
    assert fingerprint(live.pk) == before
    audited = list(AuditRecord.objects.filter(outcome="forbidden").order_by("id").values_list("role", "sitting_id"))
    assert audited == [(actors[who].role, live.pk) for who in refused]


def test_opening_refuses_every_role_but_staff_and_audits_it(sitting, actors):
    before = fingerprint(sitting.pk)
    for who in ("alice", "guest", "display", "public"):
        with pytest.raises(ServiceError) as e:
            meeting.open_sitting(actors[who], sitting.pk)
        assert e.value.code == "forbidden"
    assert fingerprint(sitting.pk) == before
    assert AuditRecord.objects.filter(outcome="forbidden", action="sitting.open").count() == 4


@pytest.mark.parametrize("name", LIVE_ONLY)
def test_service_refuses_a_sitting_not_yet_open_and_changes_nothing(name, sitting, actors):
    call, allowed, _prepare_it = SERVICES[name]
    who = min(allowed)
    before = fingerprint(sitting.pk)
    with pytest.raises(ServiceError) as e:
        call(actors[who], sitting.pk)
    assert e.value.code == "sitting_not_live"
    assert fingerprint(sitting.pk) == before


@pytest.mark.parametrize("name", LIVE_ONLY)
def test_service_refuses_a_closed_sitting_and_changes_nothing(name, live, actors):
    call, allowed, _prepare_it = SERVICES[name]
    _prepare(name, live, actors)
    meeting.close_sitting(actors["chair"], live.pk)
    who = min(allowed)
    before = fingerprint(live.pk)
    with pytest.raises(ServiceError) as e:
        call(actors[who], live.pk)
    assert e.value.code == "sitting_not_live"
    assert fingerprint(live.pk) == before


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_accepted_change_writes_one_audit_record_and_one_seq_per_stored_event(name, live, actors, django_capture_on_commit_callbacks):
    call, allowed, _prepare_it = SERVICES[name]
    _prepare(name, live, actors)
    seq_before = Sitting.objects.get(pk=live.pk).seq
    audit_before = AuditRecord.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as published:
        call(actors[min(allowed)], live.pk)
    seq_after = Sitting.objects.get(pk=live.pk).seq
    stored = list(SittingEvent.objects.filter(sitting_id=live.pk, seq__gt=seq_before).order_by("seq"))
    assert seq_after > seq_before
    assert [e.seq for e in stored] == list(range(seq_before + 1, seq_after + 1))
    assert AuditRecord.objects.count() == audit_before + 1
    assert AuditRecord.objects.latest("id").outcome == "ok"
    assert len(published) == 1  # one publication per change, after commit


def test_opening_a_sitting_twice_is_refused_with_invalid_state(live, actors):
    before = fingerprint(live.pk)
    with pytest.raises(ServiceError) as e:
        meeting.open_sitting(actors["chair"], live.pk)
    assert e.value.code == "invalid_state"
    assert fingerprint(live.pk) == before


def test_a_refused_change_writes_no_ok_audit_record_and_no_event(live, actors):
    before = fingerprint(live.pk)
    with pytest.raises(ServiceError):
        agenda.previous_item(actors["chair"], live.pk)  # no current item yet
    assert fingerprint(live.pk) == before


def test_stored_events_are_what_clients_are_sent(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    event = SittingEvent.objects.get(sitting_id=live.pk, seq=2)
    assert event.type == "agenda.current"
    assert event.data["current_item_id"] == _item(live.pk, 0)
    assert [i["status"] for i in event.data["items"]] == ["current"]


def test_unknown_sitting_is_refused_with_not_found(actors, sitting):
    with pytest.raises(ServiceError) as e:
        agenda.next_item(actors["chair"], 10**6)
    assert e.value.code == "not_found"


# ---- issue 10, item 3: the role is read again under the lock ---------------------------------------

def test_a_chair_replaced_since_the_connection_opened_may_no_longer_move_the_hall(sitting, actors, users):
    from agenda import services as agenda
    from audit.models import AuditRecord
    from meeting import services as meeting

    meeting.open_sitting(actors["chair"], sitting.pk)
    stale_chair = actors["chair"]                        # resolved when the console connected
    sitting.chair = users["bob"]                         # the office names another chair in the admin
    sitting.save(update_fields=["chair"])
    seq = type(sitting).objects.get(pk=sitting.pk).seq
    with pytest.raises(ServiceError) as refused:
        agenda.next_item(stale_chair, sitting.pk)
    assert refused.value.code == "forbidden"
    assert type(sitting).objects.get(pk=sitting.pk).seq == seq
    assert AuditRecord.objects.filter(action="agenda.navigate", outcome="forbidden", user=users["chair"]).exists()
    # And the delegate made chair may act at once, on the actor their terminal resolved as a delegate.
    agenda.next_item(actors["bob"], sitting.pk)
    assert type(sitting).objects.get(pk=sitting.pk).seq == seq + 1


def test_a_deactivated_secretary_is_refused_on_the_connection_they_still_hold(sitting, actors, users):
    from meeting import services as meeting

    meeting.open_sitting(actors["chair"], sitting.pk)
    type(users["secretary"]).objects.filter(pk=users["secretary"].pk).update(is_active=False)
    with pytest.raises(ServiceError) as refused:
        meeting.announce(actors["secretary"], sitting.pk, "Giải lao")
    assert refused.value.code == "forbidden"
