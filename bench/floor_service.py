"""The floor's request service alone: CPU per request as the queue grows (no hub, no connections).

    .venv/bin/python bench/floor_service.py              # 500 delegates, a temporary SQLite file
    .venv/bin/python bench/floor_service.py --lean       # placing a request by a lean read of the queue
    .venv/bin/python bench/floor_service.py --postgres   # a fresh PostgreSQL database (dropped at the end)
    .venv/bin/python bench/floor_service.py --group 50   # through run_group, 50 at a time, as a burst

A fresh database (bench/freshdb.py), `migrate`, the demo council with N+1 delegates, the sitting
opened and every delegate marked present; then `floor.services.request_floor` for each delegate in
turn, as bench/floor_burst.py's burst asks it through the hub. Prints the wall and CPU time
(time.process_time) per block of 100 requests: what one request costs the command thread, and how
that grows with the queue.

--lean replaces, for this run only, the queue `_enqueue` reads to place a request (floor.state.queue:
every waiting request with its member, seat and group) by a read of what the rule needs
(`.only("id", "kind", "member_id", "issue_id", "position", "number")`): what the change would save.

Last line:  floor-service requests=500 cpu_ms_first100=... cpu_ms_last100=... cpu_s=...
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--requests", type=int, default=500, help="delegates requesting, one each (default 500)")
    p.add_argument("--lean", action="store_true", help="place each request by a lean read of the queue")
    p.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    p.add_argument("--group", type=int, default=0, metavar="N",
                   help="send the requests through realtime.service.run_group, N at a time, as the hub runs a "
                        "burst's commands (decision 0011), with their outcome rows, audit records and events")
    a = p.parse_args()
    if not 1 <= a.requests <= 5000:
        p.error("--requests must be 1-5000")
    if not 0 <= a.group <= 1000:
        p.error("--group must be 0-1000")

    from freshdb import fresh_database, log

    workdir = Path(tempfile.mkdtemp(prefix="floor-service-"))
    drop = fresh_database(postgres=a.postgres, workdir=workdir, prefix="bench_floor")
    os.environ.setdefault("SECRET_KEY", "floor-service-bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", "--noinput", "-v", "0")
        from accounts.permissions import actor_for
        from floor import services as floor
        from floor.models import SPEAKER_LIST, Request
        from meeting import services as meeting
        from meeting.demo import load_demo
        from meeting.models import Member

        if a.lean:
            def lean_queue(sitting_id):
                return list(Request.objects.filter(sitting_id=sitting_id, status=Request.Status.WAITING,
                                                   kind__in=SPEAKER_LIST)
                            .only("id", "kind", "member_id", "issue_id", "position", "number")
                            .order_by("position", "number"))
            floor.queue = lean_queue

        sitting = load_demo(delegates=a.requests + 1, documents=False, petitions=False)
        chair = actor_for(sitting, user=sitting.chair)
        meeting.open_sitting(chair, sitting.pk)
        members = list(Member.objects.filter(kind=Member.Kind.DELEGATE).exclude(user=sitting.chair).order_by("code")
                       [:a.requests])
        for k in range(0, len(members), meeting.MAX_SELECTED):
            meeting.mark_selected(chair, sitting.pk, [m.pk for m in members[k:k + meeting.MAX_SELECTED]], "present")
        actors = [actor_for(sitting, user=m.user) for m in members]
        log(f"{len(actors)} delegates present; requesting ({'lean' if a.lean else 'as committed'}"
            f"{f', in groups of {a.group}' if a.group else ', one by one'})")

        from realtime.commands import COMMANDS
        from realtime.service import GroupItem, run_group

        schema, call = COMMANDS["floor.request"]
        waiting: list = []

        def ask(i, actor):
            if not a.group:
                floor.request_floor(actor, sitting.pk, "speech")
                return
            args = {"kind": "speech"}
            model = schema.model_validate(args)
            waiting.append(GroupItem(actor=actor, command_id=f"bench-{i}", cmd="floor.request", args=args,
                                     call=lambda actor=actor, model=model: call(actor, sitting.pk, model)))
            if len(waiting) == a.group or i == len(actors):
                outcomes = run_group(sitting.pk, waiting)
                if not all(o.ok for o in outcomes):
                    raise SystemExit(f"refused: {[o.error for o in outcomes if not o.ok][:3]}")
                waiting.clear()

        blocks, wall, cpu0 = [], time.perf_counter(), time.process_time()
        t, c = wall, cpu0
        for i, actor in enumerate(actors, 1):
            ask(i, actor)
            if i % 100 == 0 or i == len(actors):
                n = (i - 1) % 100 + 1
                blocks.append((time.process_time() - c) * 1000 / n)
                print(f"requests {i - n + 1}-{i}: wall {(time.perf_counter() - t) * 1000 / n:.1f} ms, "
                      f"cpu {blocks[-1]:.1f} ms a request", flush=True)
                t, c = time.perf_counter(), time.process_time()
        cpu = time.process_time() - cpu0
        print(f"floor-service requests={len(actors)} cpu_ms_first100={blocks[0]:.1f} cpu_ms_last100={blocks[-1]:.1f} "
              f"cpu_s={cpu:.1f}")
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
