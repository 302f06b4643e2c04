"""Commands committed together (realtime.service.run_group, docs/decisions/0011-group-commit.md).

A group gives every command the outcome it has alone and writes what it writes alone: the same
refusals, the same events in the same order with seqs following on, the same per-member events,
audit records and stored outcomes. An unforeseen failure of one command costs the others
nothing: the group is rolled back and each command run alone, once."""

import re

import pytest
from django.db import transaction

from audit.models import AuditRecord
from floor.models import Request
from meeting import services as meeting
from meeting.models import Member
from realtime.commands import COMMANDS
from realtime.models import CommandOutcome, MemberEvent, SittingEvent
from realtime.service import GroupItem, coalesced, run_command, run_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(sitting, actors):
    meeting.open_sitting(actors["chair"], sitting.pk)
    ids = list(Member.objects.filter(kind="delegate").values_list("pk", flat=True))
    meeting.mark_selected(actors["secretary"], sitting.pk, ids, "present")
    return sitting


def item(actor, sitting, command_id, cmd, args):
    schema, call = COMMANDS[cmd]
    model = schema.model_validate(args)
    return GroupItem(actor=actor, command_id=command_id, cmd=cmd, args=args,
                     call=lambda: call(actor, sitting.pk, model))


def scenario(actors, sitting):
    """Delegates asking for the floor at once, with what a burst brings: a second identical request,
    the same command sent twice, an id used again for another command, roles that may not ask."""
    a, b = actors["alice"], actors["bob"]
    return [
        item(a, sitting, 1, "floor.request", {"kind": "speech"}),
        item(b, sitting, 1, "floor.request", {"kind": "speech"}),
        item(a, sitting, 2, "floor.request", {"kind": "speech"}),  # already_requested
        item(a, sitting, 1, "floor.request", {"kind": "speech"}),  # the same command again: replayed
        item(a, sitting, 1, "floor.request", {"kind": "order"}),  # its id for another command: id_reused
        item(actors["display"], sitting, 3, "floor.request", {"kind": "speech"}),  # forbidden
        item(actors["public"], sitting, 4, "floor.request", {"kind": "speech"}),  # forbidden, nothing stored
        item(b, sitting, 5, "floor.request", {"kind": "order"}),  # a point of order: ahead of the speeches
        item(actors["chair"], sitting, 6, "floor.next", {"expect_current": None}),
    ]


SCRUB = re.compile(r"(^|_)(id|at|ids|speaking)$")  # "speaking": the id of a speech


def scrub(value):
    """Ids and times, which two runs number and stamp apart; everything else is compared."""
    if isinstance(value, dict):
        return {k: ("·" if SCRUB.search(k) and not k.startswith("member") else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def written(sitting, since_seq, since_audit, since_outcome):
    events = list(SittingEvent.objects.filter(sitting=sitting, seq__gt=since_seq).order_by("seq")
                  .values_list("seq", "type", "data"))
    return {
        "seqs": [seq - since_seq for seq, _t, _d in events],
        "events": [(t, scrub(d)) for _s, t, d in events],
        "member_events": sorted((m, p, t, repr(scrub(d))) for m, p, t, d in MemberEvent.objects.filter(
            sitting=sitting).values_list("member_id", "pseq", "type", "data")),
        "audit": sorted((r.action, r.outcome, r.role, r.user_id, r.device_id, repr(scrub(r.detail)))
                        for r in AuditRecord.objects.filter(pk__gt=since_audit)),
        "outcomes": sorted((o.who, o.command_id, o.cmd, o.ok, (o.error or {}).get("code"))
                           for o in CommandOutcome.objects.filter(pk__gt=since_outcome)),
        "requests": sorted((r.member_id, r.kind, r.status, r.number) for r in Request.objects.filter(sitting=sitting)),
    }


def run_once(sitting, items, grouped: bool):
    """Run the items (grouped, or each alone) and return what they answered and wrote; then roll back."""
    sitting.refresh_from_db()
    marks = (sitting.seq, AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
             CommandOutcome.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    with transaction.atomic():
        if grouped:
            outcomes = run_group(sitting.pk, items)
        else:
            outcomes = [run_command(i.actor, sitting.pk, i.command_id, i.cmd, i.args, i.call) for i in items]
        result = written(sitting, *marks)
        transaction.set_rollback(True)
    answers = [(o.ok, scrub(o.data), (o.error or {}).get("code"), o.replayed) for o in outcomes]
    return answers, result


def test_a_group_answers_and_writes_what_its_commands_answer_and_write_alone(live, actors, caplog):
    alone = run_once(live, scenario(actors, live), grouped=False)
    together = run_once(live, scenario(actors, live), grouped=True)
    assert "running each alone" not in caplog.text  # committed as one group, not fallen back
    assert together[0] == alone[0]
    for key in alone[1]:
        assert (key, together[1][key]) == (key, alone[1][key])
    answers, result = together
    assert [code for _ok, _d, code, _r in answers] == [
        None, None, "already_requested", None, "id_reused", "forbidden", "forbidden", None, None]
    assert [replayed for *_x, replayed in answers][3] is True
    assert result["seqs"] == list(range(1, len(result["seqs"]) + 1))  # following on, no gap
    assert len(result["requests"]) == 3  # alice's speech, bob's speech and point of order: each once


def test_a_command_failing_unforeseen_rolls_the_group_back_and_each_runs_alone_once(live, actors, caplog):
    items = scenario(actors, live)[:2]
    broken = item(actors["bob"], live, 7, "floor.request", {"kind": "order"})
    inner = broken.call

    def fails_after_writing():
        inner()  # its request is written, then something unforeseen
        raise RuntimeError("a bug")

    broken.call = fails_after_writing
    outcomes = run_group(live.pk, [items[0], broken, items[1]])
    assert outcomes[0].ok and outcomes[2].ok
    assert isinstance(outcomes[1], RuntimeError)
    assert "running each alone" in caplog.text
    assert sorted(Request.objects.filter(sitting=live).values_list("kind", flat=True)) == ["speech", "speech"]
    assert not CommandOutcome.objects.filter(command_id="i:7").exists()  # may be sent again
    seqs = list(SittingEvent.objects.filter(sitting=live).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_an_outcome_stored_before_the_group_is_answered_not_run_again(live, actors, caplog):
    first = run_group(live.pk, [item(actors["alice"], live, 9, "floor.request", {"kind": "speech"})])[0]
    again = run_group(live.pk, [item(actors["alice"], live, 9, "floor.request", {"kind": "speech"}),
                                item(actors["bob"], live, 9, "floor.request", {"kind": "speech"})])
    assert first.ok and again[0].replayed and again[0].data == first.data
    assert again[1].ok and not again[1].replayed
    assert Request.objects.filter(sitting=live).count() == 2
    assert "running each alone" not in caplog.text


def test_only_the_last_of_events_with_one_coalescing_key_is_kept(monkeypatch):
    from realtime import registry

    events = [("x.count", {"round": 1, "n": 1}), ("x.other", {}), ("x.count", {"round": 2, "n": 1}),
              ("x.count", {"round": 1, "n": 2})]

    class Part:
        coalesce = staticmethod(lambda data: data["round"])
        merge = None

    monkeypatch.setattr(registry, "event", lambda t: Part if t == "x.count" else None)
    monkeypatch.setattr("realtime.service.event_type", registry.event)
    assert coalesced(events) == [("x.other", {}), ("x.count", {"round": 2, "n": 1}), ("x.count", {"round": 1, "n": 2})]


def test_events_of_one_coalescing_key_with_a_merge_become_one_in_the_last_ones_place(monkeypatch):
    """`merge=` (registry.EventType.merge): what the events of one key carry beside their absolute
    part (who voted, besides the count) is merged into the one kept, in order."""
    from realtime import registry

    events = [("x.count", {"round": 1, "n": 1, "who": [7]}), ("x.other", {}), ("x.count", {"round": 2, "n": 1, "who": [8]}),
              ("x.count", {"round": 1, "n": 2, "who": [9]}), ("x.count", {"round": 1, "n": 3, "who": [5]})]

    class Part:
        coalesce = staticmethod(lambda data: data["round"])
        merge = staticmethod(lambda earlier, later: {**later, "who": earlier["who"] + later["who"]})

    monkeypatch.setattr(registry, "event", lambda t: Part if t == "x.count" else None)
    monkeypatch.setattr("realtime.service.event_type", registry.event)
    assert coalesced(events) == [("x.other", {}), ("x.count", {"round": 2, "n": 1, "who": [8]}),
                                 ("x.count", {"round": 1, "n": 3, "who": [7, 9, 5]})]


def test_a_merge_without_a_coalescing_key_is_refused_at_registration():
    from realtime import registry
    from realtime.messages import Message

    with pytest.raises(ValueError, match="merge= needs coalesce="):
        registry.register_event("x.merged", Message, doc="-", apply=lambda state, data: None,
                                merge=lambda earlier, later: later)
    assert registry.event("x.merged") is None


def test_a_refused_change_leaves_the_sitting_as_it_was_for_the_commands_after_it(live, actors, caplog):
    from audit.operations import ServiceError
    from realtime.service import change

    def changes_the_row_then_refuses():
        with change(actors["chair"], "sitting.announce", live.pk) as c:
            c.sitting.status = "closed"  # what a service may do to the row before it finds it cannot go on
            c.sitting.save(update_fields=["status"])
            raise ServiceError("invalid_state", "no")

    refused = GroupItem(actor=actors["chair"], command_id=11, cmd="sitting.announce", args={"text": "x"},
                        call=changes_the_row_then_refuses)
    outcomes = run_group(live.pk, [refused, item(actors["alice"], live, 12, "floor.request", {"kind": "speech"})])
    assert "running each alone" not in caplog.text
    assert outcomes[0].error["code"] == "invalid_state"
    assert outcomes[1].ok, outcomes[1].error  # the sitting is live: its row and the object both rolled back
    live.refresh_from_db()
    assert live.status == "live"


def test_groups_sweep_outcomes_past_their_time_every_prune_every_outcomes(live, actors, settings, monkeypatch):
    """As a command alone sweeps the old outcomes every PRUNE_EVERY-th outcome, groups do, by the
    outcomes they wrote; each group's rows are completed with its answers."""
    from datetime import timedelta

    from django.utils import timezone

    from realtime import service

    settings.HUB_COMMAND_OUTCOME_DAYS = 2
    run_command(actors["chair"], live.pk, "old", "sitting.announce", {"text": "Giải lao"},
                lambda: meeting.announce(actors["chair"], live.pk, "Giải lao"))
    CommandOutcome.objects.filter(command_id="s:old").update(created_at=timezone.now() - timedelta(days=3))
    monkeypatch.setattr(service, "PRUNE_EVERY", 3)
    monkeypatch.setitem(service._written, "n", 0)
    first = run_group(live.pk, [item(actors["alice"], live, 10, "floor.request", {"kind": "speech"}),
                                item(actors["bob"], live, 10, "floor.request", {"kind": "speech"})])
    assert CommandOutcome.objects.filter(command_id="s:old").exists()  # 2 written: not yet
    second = run_group(live.pk, [item(actors["alice"], live, 11, "floor.request", {"kind": "speech"}),
                                 item(actors["bob"], live, 11, "floor.request", {"kind": "order"})])  # the 3rd, 4th
    assert not CommandOutcome.objects.filter(command_id="s:old").exists()
    answered = [(o.ok, o.data, (o.error or {}).get("code")) for o in first + second]
    assert [a[0] for a in answered] == [True, True, False, True]  # Alice's second speech: already_requested
    stored = {(o.who, o.command_id): (o.ok, o.result, (o.error or {}).get("code"))
              for o in CommandOutcome.objects.filter(command_id__in=["i:10", "i:11"])}
    keys = [(service.sender_key(actors[who]), f"i:{n}") for n in (10, 11) for who in ("alice", "bob")]
    assert [stored[key] for key in keys] == answered
