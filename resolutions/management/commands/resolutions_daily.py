"""resolutions_daily: the daily job of the resolutions' tasks (reminders before due dates, escalation
of overdue tasks; resolutions/tasks.py). Scheduled with the other daily jobs: compose.yaml's `daily`
service and deploy/systemd/hdnd-daily.service. Running it more often is harmless: each task is
reminded once and escalated once. The django-tasks task resolutions.tasks.daily does the same."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from resolutions.tasks import run_daily


class Command(BaseCommand):
    help = ("Nhắc các cơ quan trước RESOLUTION_TASK_REMIND_DAYS ngày khi nhiệm vụ thực hiện nghị quyết sắp đến hạn, "
            "báo cáo nhiệm vụ quá hạn cho người đứng đầu cơ quan chủ trì và Văn phòng (mỗi nhiệm vụ một lần). "
            "Chạy nhiều lần trong ngày không gửi trùng.")

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
        self.stdout.write(f"reminded={counts['reminded']} escalated={counts['escalated']}")
