"""A timed round closes at its time without the chair (issue 14, item 3): a job queued for its
`closes_at` when it opens or resumes closes it as the chair would, once, and every client sees it."""

import asyncio
import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditRecord
from audit.operations import ServiceError
from library.worker import drain
from voting import services
from voting.models import Round

from .records import as_member, delegates, ready
from .test_voting_hub import make_poll, sitting_with_quorum  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def jobs(round_id):
    return DBTaskResult.objects.filter(task_path="voting.tasks.close_when_due", args_kwargs__args=[round_id])


def time_passes(round_id):
    """As if the round's time had run out: its closes_at, and the run_after of its jobs, a second ago."""
    past = timezone.now() - dt.timedelta(seconds=1)
    Round.objects.filter(pk=round_id).update(closes_at=past)
    DBTaskResult.objects.filter(task_path="voting.tasks.close_when_due").update(run_after=past)
    return past


def test_a_timed_round_closes_at_its_time_once(sitting, actors):
    ready(sitting, actors)
    people = delegates()
    poll = services.create_poll(actors["chair"], sitting.pk, title="Thông qua Nghị quyết", duration_s=60)["poll_id"]
    round_id = services.open_round(actors["chair"], sitting.pk, poll)["round_id"]
    r = Round.objects.get(pk=round_id)
    assert [j.run_after for j in jobs(round_id)] == [r.closes_at]
    assert drain() == 0 and Round.objects.get(pk=round_id).status == "open"  # not due yet
    services.cast(as_member(sitting, people[3]), sitting.pk, round_id, {"option": "yes"})
    closes_at = time_passes(round_id)
    with pytest.raises(ServiceError) as e:  # refused from its time on, before the job has run
        services.cast(as_member(sitting, people[4]), sitting.pk, round_id, {"option": "no"})
    assert e.value.code == "poll_not_open"
    assert drain() == 1
    r = Round.objects.get(pk=round_id)
    assert (r.status, r.closed_at, r.result["counts"]) == ("closed", closes_at, {"yes": 1, "no": 0, "abstain": 0})
    assert AuditRecord.objects.filter(action="vote.autoclose").count() == 1
    # a second job for it, or the chair's close, changes nothing
    from voting.tasks import close_when_due

    close_when_due.enqueue(round_id)
    assert drain() == 1 and Round.objects.get(pk=round_id).result == r.result
    assert AuditRecord.objects.filter(action="vote.autoclose").count() == 1
    with pytest.raises(ServiceError):
        services.close_round(actors["chair"], sitting.pk, round_id)


def test_a_held_round_is_not_closed_and_its_resume_queues_its_new_time(sitting, actors):
    ready(sitting, actors)
    poll = services.create_poll(actors["chair"], sitting.pk, title="Thông qua Nghị quyết", duration_s=60)["poll_id"]
    round_id = services.open_round(actors["chair"], sitting.pk, poll)["round_id"]
    services.hold(actors["chair"], sitting.pk, round_id)
    DBTaskResult.objects.update(run_after=timezone.now() - dt.timedelta(seconds=1))
    assert drain() == 1 and Round.objects.get(pk=round_id).status == "held"
    services.resume(actors["chair"], sitting.pk, round_id)
    r = Round.objects.get(pk=round_id)
    assert r.status == "open" and jobs(round_id).filter(status="READY").get().run_after == r.closes_at
    # the chair closes it first: the job finds nothing to do
    services.close_round(actors["chair"], sitting.pk, round_id)
    time_passes(round_id)
    closed = Round.objects.get(pk=round_id)
    assert drain() == 1 and Round.objects.get(pk=round_id).closed_at == closed.closed_at


async def test_every_client_sees_the_round_closed_at_its_time(sitting_with_quorum):
    c = sitting_with_quorum
    chair, alice = c["chair"], c["alice"]
    poll = await make_poll(chair, duration_s=1)
    round_id = (await chair.ok("vote.open", {"poll_id": poll}))["round_id"]
    await alice.ok("vote.cast", {"round_id": round_id, "choice": {"option": "yes"}})
    closes_at = await database_sync_to_async(lambda: Round.objects.get(pk=round_id).closes_at)()
    while timezone.now() < closes_at:  # the round's own time, as the worker would wait for it
        await asyncio.sleep(0.1)
    assert await database_sync_to_async(drain)() == 1  # the worker's poll: the job is due now
    for client in c.values():
        await client.settle()
        r = client.state["voting"]["polls"][0]["rounds"][0]
        assert r["status"] == "closed" and r["closed_at"] == closes_at.isoformat()
    assert chair.state["voting"]["polls"][0]["rounds"][0]["result"]["counts"]["yes"] == 1
    assert alice.state["voting"]["polls"][0]["rounds"][0]["result"] is None  # until published
    assert await chair.error("vote.close", {"round_id": round_id}) == "invalid_state"
