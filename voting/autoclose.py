"""The automatic close of a timed round (issue 14, item 3): every client sees the round closed at
its time, without the chair.

A round with `closes_at` (its poll's `duration_s`) refuses ballots from that moment on
(voting.services.cast). Its close is a background job (django-tasks, the project's database
backend) queued, when the round opens or resumes, to run at `closes_at`: the job takes the
sitting's lock, and if the round is still open and due, closes it as the chair's close would —
the result computed once from the stored ballots, `closed_at` its `closes_at` (the last moment a
ballot could be taken), `vote.poll` to every client. A round held, closed by the chair or voided
meanwhile is left as it is (a resume queues a new job for the new time); two jobs for one round
close it once. The job is queued after the commit (post_save + on_commit: no job for a change
rolled back; voting.services needs no line for it).

The jobs run in `manage.py db_worker` (compose.yaml), in the server's own thread in the embedded
default (TASK_WORKER_IN_PROCESS), within the worker's poll interval (1 s) of `closes_at`.
Audited as the system (action `vote.autoclose`, role system only).
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from accounts import permissions
from accounts.permissions import system_actor
from audit.operations import ServiceError
from realtime.service import change

from .models import Round

ACTION = "vote.autoclose"


def close_due(round_id: int) -> str:
    """Close the round if it is open and its time has come; say what was done."""
    due = Round.objects.filter(pk=round_id, status=Round.Status.OPEN, closes_at__lte=timezone.now())
    sitting_id = due.values_list("poll__sitting_id", flat=True).first()
    if sitting_id is None:
        return "not due"
    from . import services

    try:
        with change(system_actor(), ACTION, sitting_id, live=False, detail={"op": "autoclose", "round_id": round_id}) as c:
            r = Round.objects.select_related("poll").get(pk=round_id)
            if r.status != Round.Status.OPEN or r.closes_at is None or r.closes_at > timezone.now():
                raise ServiceError("invalid_state", "not due")  # held, closed or resumed meanwhile: nothing changes
            r.status, r.closed_at = Round.Status.CLOSED, r.closes_at
            r.result = services.result_of(r)
            r.save(update_fields=["status", "closed_at", "result"])
            services._emit_poll(c, r.poll)
    except ServiceError:
        return "not due"
    return "closed"


def _queue(sender, instance: Round, raw=False, **kwargs):
    if raw or instance.status != Round.Status.OPEN or instance.closes_at is None:
        return
    from .tasks import close_when_due

    round_id, at = instance.pk, instance.closes_at
    transaction.on_commit(lambda: close_when_due.using(run_after=at).enqueue(round_id))


def register():
    """Called from voting.hub.register() (VotingConfig.ready)."""
    permissions.register_action(ACTION, (permissions.SYSTEM,))
    post_save.connect(_queue, sender=Round, dispatch_uid="voting.autoclose")
