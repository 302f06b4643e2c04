"""petitions_daily: the daily deadline job (reminders and escalations).

Schedule it once a day, early morning, local time (Asia/Ho_Chi_Minh); running
it more often is harmless — each deadline is reminded once and escalated once.

- cron on the host:
      30 6 * * *  cd /srv/hdnd && .venv/bin/python manage.py petitions_daily
- with Docker Compose, a one-shot run from the host's cron:
      30 6 * * *  docker compose run --rm web python manage.py petitions_daily
  or a small service looping once a day:
      command: sh -c 'while true; do python manage.py petitions_daily; sleep 86400; done'
- or enqueue the django-tasks task petitions.tasks.daily from any scheduler
  (`petitions.tasks.daily.enqueue()`), run by the db_worker.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from petitions.tasks import run_daily


class Command(BaseCommand):
    help = ("Nhắc hạn trước PETITION_REMIND_DAYS ngày và báo cáo đơn thư quá hạn cho người đứng đầu cơ quan "
            "(mỗi hạn một lần). Lập lịch chạy hằng ngày, ví dụ cron: "
            "'30 6 * * * cd /srv/hdnd && .venv/bin/python manage.py petitions_daily' "
            "hoặc 'docker compose run --rm web python manage.py petitions_daily'. Chạy nhiều lần trong ngày không gửi trùng.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD); for catching up.")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from exc
        counts = run_daily(today=today)
        self.stdout.write(f"reminded={counts['reminded']} escalated={counts['escalated']} resynced={counts['resynced']}")
