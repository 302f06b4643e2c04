"""Running the queued jobs.

Production runs `manage.py db_worker` as its own service. The embedded
default (one process) runs the same worker loop in a daemon thread of the
server process (TASK_WORKER_IN_PROCESS); jobs live in the database either
way, so one queued before a restart runs after it.
"""

import logging
import threading

logger = logging.getLogger(__name__)
_started = False
_lock = threading.Lock()


def _worker(*, batch: bool, interval: float = 1.0):
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                  startup_delay=False, max_tasks=None, worker_id=f"in-process-{threading.get_ident()}",
                  excluded_queue_names=[])


def start_in_background() -> bool:
    """Start the in-process worker thread once per process."""
    global _started
    with _lock:
        if _started:
            return False
        _started = True

    def loop():
        while True:
            try:
                _worker(batch=False).run()
            except Exception:  # a crashed loop must not end background work for good
                logger.exception("in-process task worker failed; restarting")

    threading.Thread(target=loop, name="task-worker", daemon=True).start()
    return True


def drain() -> int:
    """Run every job queued now, in this thread, until none is left (tests, commands).

    The same claim-and-run steps as the worker loop, without its connection
    housekeeping (which would close the connection of a test's transaction).
    Returns how many jobs ran.
    """
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    worker = _worker(batch=True, interval=0)
    ran = 0
    while True:
        with transaction.atomic():
            job = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if job is not None:
                job.claim(worker.worker_id)
        if job is None:
            return ran
        worker.run_task(job)
        ran += 1
