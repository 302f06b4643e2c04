"""Agenda progression and editing (agenda/services.py).

Moving forward leaves the item "done", moving back leaves it "pending"; time
on an item accumulates across its runs in elapsed_before_s; the clock of the
current item runs from started_at.
"""

import pytest

from agenda import services as agenda
from agenda.models import AgendaItem
from realtime.service import ServiceError

from .conftest import fingerprint, items

pytestmark = pytest.mark.usefixtures("clock")


def statuses(sitting_id):
    return [i.status for i in items(sitting_id)]


def numbers(sitting_id):
    return [(i.number, i.title) for i in items(sitting_id)]


def test_next_without_a_current_item_starts_the_first_pending_item(live, actors, clock):
    result = agenda.next_item(actors["chair"], live.pk)
    first = items(live.pk)[0]
    assert result == {"current_item_id": first.pk}
    assert (first.status, first.started_at) == ("current", clock.now)


def test_next_leaves_the_item_done_and_starts_the_following_one(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    agenda.next_item(actors["chair"], live.pk)
    assert statuses(live.pk)[:3] == ["done", "current", "pending"]


def test_next_walks_into_sub_items_in_reading_order(live, actors):
    for _ in range(4):
        agenda.next_item(actors["chair"], live.pk)
    current = AgendaItem.objects.get(sitting=live, status="current")
    assert current.title == "Báo cáo thẩm tra của Ban Kinh tế - Ngân sách"


def test_next_on_the_last_item_is_refused_with_no_such_item(live, actors):
    last = items(live.pk)[-1]
    agenda.jump_to(actors["chair"], live.pk, last.pk)
    with pytest.raises(ServiceError) as e:
        agenda.next_item(actors["chair"], live.pk)
    assert e.value.code == "no_such_item"


def test_previous_leaves_the_item_pending_and_resumes_the_one_before(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    agenda.next_item(actors["chair"], live.pk)
    agenda.previous_item(actors["chair"], live.pk)
    assert statuses(live.pk)[:3] == ["current", "pending", "pending"]


def test_previous_without_a_current_item_is_refused_with_no_such_item(live, actors):
    with pytest.raises(ServiceError) as e:
        agenda.previous_item(actors["chair"], live.pk)
    assert e.value.code == "no_such_item"


def test_jump_forward_leaves_the_current_item_done(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    target = items(live.pk)[5]
    agenda.jump_to(actors["chair"], live.pk, target.pk)
    assert statuses(live.pk)[0] == "done"
    assert AgendaItem.objects.get(pk=target.pk).status == "current"


def test_jump_backward_leaves_the_current_item_pending(live, actors):
    later, earlier = items(live.pk)[5], items(live.pk)[1]
    agenda.jump_to(actors["chair"], live.pk, later.pk)
    agenda.jump_to(actors["chair"], live.pk, earlier.pk)
    assert AgendaItem.objects.get(pk=later.pk).status == "pending"
    assert AgendaItem.objects.get(pk=earlier.pk).status == "current"


def test_jump_to_the_current_item_changes_nothing(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    live.refresh_from_db()
    seq = live.seq
    first = items(live.pk)[0]
    assert agenda.jump_to(actors["chair"], live.pk, first.pk) == {"current_item_id": first.pk}
    live.refresh_from_db()
    assert live.seq == seq


def test_jump_to_an_item_of_another_sitting_is_refused_with_no_such_item(live, actors):
    with pytest.raises(ServiceError) as e:
        agenda.jump_to(actors["chair"], live.pk, 10**6)
    assert e.value.code == "no_such_item"


def test_time_on_an_item_accumulates_across_its_runs(live, actors, clock):
    agenda.next_item(actors["chair"], live.pk)
    clock.advance(90)
    agenda.next_item(actors["chair"], live.pk)
    clock.advance(30)
    agenda.previous_item(actors["chair"], live.pk)
    clock.advance(45)
    agenda.next_item(actors["chair"], live.pk)
    first, second = items(live.pk)[:2]
    assert (first.elapsed_before_s, first.started_at) == (135, None)
    assert (second.elapsed_before_s, second.started_at) == (30, clock.now)


def test_the_current_item_keeps_its_earlier_time_and_a_new_start(live, actors, clock):
    agenda.next_item(actors["chair"], live.pk)
    clock.advance(60)
    agenda.next_item(actors["chair"], live.pk)
    agenda.previous_item(actors["chair"], live.pk)
    first = items(live.pk)[0]
    assert (first.status, first.elapsed_before_s, first.started_at) == ("current", 60, clock.now)


def test_insert_appends_at_the_end_of_the_top_level(live, actors):
    result = agenda.insert_item(actors["chair"], live.pk, title="Mục bổ sung", kind="report", planned_minutes=5)
    last = items(live.pk)[-1]
    assert (last.pk, last.number, last.status) == (result["item_id"], "9", "pending")


def test_insert_after_an_item_renumbers_the_ones_below(live, actors):
    first = items(live.pk)[0]
    agenda.insert_item(actors["chair"], live.pk, title="Mục bổ sung", after_id=first.pk)
    assert numbers(live.pk)[:3] == [("1", first.title), ("2", "Mục bổ sung"), ("3", items(live.pk)[2].title)]


def test_insert_under_a_parent_makes_a_sub_item(live, actors):
    parent = items(live.pk)[2]  # item 3 has two sub-items
    agenda.insert_item(actors["chair"], live.pk, title="Báo cáo thẩm tra của Ban Dân tộc", parent_id=parent.pk)
    sub = [i for i in items(live.pk) if i.parent_id == parent.pk]
    assert [i.number for i in sub] == ["3.1", "3.2", "3.3"]
    assert sub[-1].title == "Báo cáo thẩm tra của Ban Dân tộc"


def test_insert_after_an_item_of_another_level_is_refused_with_no_such_item(live, actors):
    sub_item = items(live.pk)[3]
    with pytest.raises(ServiceError) as e:
        agenda.insert_item(actors["chair"], live.pk, title="x", after_id=sub_item.pk)
    assert e.value.code == "no_such_item"


def test_insert_with_an_empty_title_is_refused_with_invalid_args(live, actors):
    with pytest.raises(ServiceError) as e:
        agenda.insert_item(actors["chair"], live.pk, title="  ")
    assert e.value.code == "invalid_args"


def test_move_puts_an_item_at_the_index_among_its_new_siblings(live, actors):
    fourth = [i for i in items(live.pk) if i.parent_id is None][3]
    agenda.move_item(actors["chair"], live.pk, fourth.pk, parent_id=None, index=0)
    assert numbers(live.pk)[0] == ("1", fourth.title)


def test_move_under_another_item_renumbers_both_levels(live, actors):
    top = [i for i in items(live.pk) if i.parent_id is None]
    agenda.move_item(actors["chair"], live.pk, top[3].pk, parent_id=top[2].pk, index=2)
    moved = AgendaItem.objects.get(pk=top[3].pk)
    assert moved.parent_id == top[2].pk
    assert [i.number for i in items(live.pk) if i.parent_id is None] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [(i.number) for i in items(live.pk) if i.parent_id == top[2].pk] == ["3.1", "3.2", "3.3"]


def test_an_item_cannot_move_under_itself(live, actors):
    parent = items(live.pk)[2]
    child = items(live.pk)[3]
    with pytest.raises(ServiceError) as e:
        agenda.move_item(actors["chair"], live.pk, parent.pk, parent_id=child.pk, index=0)
    assert e.value.code == "invalid_args"


def test_postponed_items_are_skipped_by_next(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    second = items(live.pk)[1]
    agenda.postpone_item(actors["chair"], live.pk, second.pk)
    agenda.next_item(actors["chair"], live.pk)
    assert statuses(live.pk)[:3] == ["done", "postponed", "current"]


def test_postponing_the_current_item_stops_its_clock_and_leaves_no_current_item(live, actors, clock):
    agenda.next_item(actors["chair"], live.pk)
    clock.advance(200)
    first = items(live.pk)[0]
    agenda.postpone_item(actors["chair"], live.pk, first.pk)
    first.refresh_from_db()
    assert (first.status, first.elapsed_before_s, first.started_at) == ("postponed", 200, None)
    assert not AgendaItem.objects.filter(sitting=live, status="current").exists()


def test_a_done_item_cannot_be_postponed(live, actors):
    agenda.next_item(actors["chair"], live.pk)
    agenda.next_item(actors["chair"], live.pk)
    with pytest.raises(ServiceError) as e:
        agenda.postpone_item(actors["chair"], live.pk, items(live.pk)[0].pk)
    assert e.value.code == "invalid_state"


def test_an_item_cannot_be_postponed_twice(live, actors):
    item = items(live.pk)[4]
    agenda.postpone_item(actors["chair"], live.pk, item.pk)
    with pytest.raises(ServiceError) as e:
        agenda.postpone_item(actors["chair"], live.pk, item.pk)
    assert e.value.code == "invalid_state"


def test_restore_brings_a_postponed_item_back_to_pending_with_its_time(live, actors, clock):
    agenda.next_item(actors["chair"], live.pk)
    clock.advance(50)
    first = items(live.pk)[0]
    agenda.postpone_item(actors["chair"], live.pk, first.pk)
    agenda.restore_item(actors["chair"], live.pk, first.pk)
    first.refresh_from_db()
    assert (first.status, first.elapsed_before_s) == ("pending", 50)


def test_only_a_postponed_item_can_be_restored(live, actors):
    with pytest.raises(ServiceError) as e:
        agenda.restore_item(actors["chair"], live.pk, items(live.pk)[0].pk)
    assert e.value.code == "invalid_state"


def test_closing_the_sitting_stops_the_current_items_clock_and_marks_it_done(live, actors, clock):
    from meeting import services as meeting

    agenda.next_item(actors["chair"], live.pk)
    clock.advance(75)
    meeting.close_sitting(actors["chair"], live.pk)
    first = items(live.pk)[0]
    assert (first.status, first.elapsed_before_s, first.started_at) == ("done", 75, None)


# ---- what the client saw: `expect_current` (docs/protocol.md, "stale") ----

def test_next_with_what_the_chair_saw_moves_once_and_a_repeat_is_stale(live, actors):
    first, second = items(live.pk)[:2]
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    assert agenda.next_item(actors["chair"], live.pk, expect_current=first.pk) == {"current_item_id": second.pk}
    before = fingerprint(live.pk)
    with pytest.raises(ServiceError) as e:  # the double-click: the same expectation again
        agenda.next_item(actors["chair"], live.pk, expect_current=first.pk)
    assert e.value.code == "stale"
    assert e.value.data == {"current": {"item_id": second.pk, "seq": before["sitting"][0]["seq"]}}
    assert fingerprint(live.pk) == before


def test_the_chair_and_the_secretary_pressing_next_together_move_one_item(live, actors):
    first, second, third = items(live.pk)[:3]
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    agenda.next_item(actors["secretary"], live.pk, expect_current=first.pk)
    with pytest.raises(ServiceError) as e:
        agenda.next_item(actors["chair"], live.pk, expect_current=first.pk)
    assert e.value.code == "stale"
    assert statuses(live.pk)[:3] == ["done", "current", "pending"]


def test_next_expecting_no_current_item_is_stale_once_an_item_runs(live, actors):
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    with pytest.raises(ServiceError) as e:
        agenda.next_item(actors["chair"], live.pk, expect_current=None)
    assert e.value.code == "stale"
    assert e.value.data["current"]["item_id"] == items(live.pk)[0].pk


def test_previous_with_a_stale_expectation_is_refused_and_changes_nothing(live, actors):
    first, second = items(live.pk)[:2]
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    agenda.next_item(actors["chair"], live.pk, expect_current=first.pk)
    agenda.previous_item(actors["chair"], live.pk, expect_current=second.pk)
    before = fingerprint(live.pk)
    with pytest.raises(ServiceError) as e:
        agenda.previous_item(actors["chair"], live.pk, expect_current=second.pk)
    assert (e.value.code, e.value.data["current"]["item_id"]) == ("stale", first.pk)
    assert fingerprint(live.pk) == before


def test_jump_with_a_stale_expectation_is_refused_and_changes_nothing(live, actors):
    first, second = items(live.pk)[:2]
    election = items(live.pk)[-2]
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    agenda.next_item(actors["secretary"], live.pk, expect_current=first.pk)
    before = fingerprint(live.pk)
    with pytest.raises(ServiceError) as e:  # the chair still saw item 1
        agenda.jump_to(actors["chair"], live.pk, election.pk, expect_current=first.pk)
    assert (e.value.code, e.value.data["current"]["item_id"]) == ("stale", second.pk)
    assert fingerprint(live.pk) == before


def test_jump_to_the_item_already_current_is_done_whatever_was_seen(live, actors):
    # Two consoles jumping to the same item: the second finds it already current; nothing moves, nothing is refused.
    first, second = items(live.pk)[:2]
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    agenda.jump_to(actors["secretary"], live.pk, second.pk, expect_current=first.pk)
    before = fingerprint(live.pk)
    assert agenda.jump_to(actors["chair"], live.pk, second.pk, expect_current=first.pk) == {"current_item_id": second.pk}
    after = fingerprint(live.pk)
    assert [after[k] for k in ("sitting", "agenda", "events")] == [before[k] for k in ("sitting", "agenda", "events")]


def test_an_unrelated_change_does_not_make_next_stale(live, actors):
    from meeting import services as meeting

    first, second = items(live.pk)[:2]
    agenda.next_item(actors["chair"], live.pk, expect_current=None)
    meeting.mark_attendance(actors["secretary"], live.pk, actors["bob"].member_id, "present")  # the seq moves on
    assert agenda.next_item(actors["chair"], live.pk, expect_current=first.pk) == {"current_item_id": second.pk}


# ---- issue 11, item 2: a parent item is in progress while one of its items is -------------------

def shown(sitting_id):
    from agenda.state import agenda_state

    return {row["id"]: row["status"] for row in agenda_state(sitting_id)["items"]}


def test_a_parent_is_in_progress_while_one_of_its_items_is_and_done_when_all_are(live, actors):
    rows = items(live.pk)
    parent = next(i for i in rows if any(c.parent_id == i.pk for c in rows))
    kids = [i for i in rows if i.parent_id == parent.pk]
    agenda.jump_to(actors["chair"], live.pk, parent.pk)
    agenda.next_item(actors["chair"], live.pk, expect_current=parent.pk)  # into its first item
    assert shown(live.pk)[parent.pk] == "current"                         # not "done", not struck through
    for kid in kids[1:]:
        agenda.next_item(actors["chair"], live.pk)
        assert shown(live.pk)[parent.pk] == "current"
    agenda.next_item(actors["chair"], live.pk)                            # past its last item
    assert shown(live.pk)[parent.pk] == "done"
    assert [shown(live.pk)[k.pk] for k in kids] == ["done"] * len(kids)


def test_a_parent_left_before_its_items_were_taken_is_not_done(live, actors):
    rows = items(live.pk)
    parent = next(i for i in rows if any(c.parent_id == i.pk for c in rows))
    after = next(i for i in rows if i.parent_id is None and rows.index(i) > rows.index(parent))
    agenda.jump_to(actors["chair"], live.pk, parent.pk)
    agenda.jump_to(actors["chair"], live.pk, after.pk)
    assert AgendaItem.objects.get(pk=parent.pk).status == "done"  # its own time was taken
    assert shown(live.pk)[parent.pk] == "pending"                  # but its items are still to do


def test_the_move_event_carries_the_parents_shown_status_so_a_client_equals_a_fresh_snapshot(live, actors):
    from agenda.state import agenda_state
    from realtime.models import SittingEvent

    rows = items(live.pk)
    parent = next(i for i in rows if any(c.parent_id == i.pk for c in rows))
    agenda.jump_to(actors["chair"], live.pk, parent.pk)
    state = {row["id"]: row for row in agenda_state(live.pk)["items"]}
    agenda.next_item(actors["chair"], live.pk)
    event = SittingEvent.objects.filter(sitting=live, type="agenda.current").latest("seq")
    for row in event.data["items"]:
        state[row["id"]] = row
    assert state == {row["id"]: row for row in agenda_state(live.pk)["items"]}
    assert state[parent.pk]["status"] == "current"


def test_an_items_time_keeps_the_fractions_of_a_second_of_each_run(live, actors, clock):
    # Four runs of 0.7 s added nothing when each run was cut to whole seconds (issue 11, item 8).
    first = items(live.pk)[0]
    for _ in range(4):
        agenda.jump_to(actors["chair"], live.pk, first.pk)
        clock.advance(0.7)
        agenda.next_item(actors["chair"], live.pk)
    first.refresh_from_db()
    assert first.elapsed_before_s == pytest.approx(2.8, abs=0.0005)
