"""prune_command_outcomes: forget hub command outcomes older than HUB_COMMAND_OUTCOME_DAYS days.

The hub sweeps them by itself every 1000th command; run this from a daily job too
(e.g. beside petitions_daily) if the hub is quiet for long.
"""

from django.core.management.base import BaseCommand

from realtime.service import prune_command_outcomes


class Command(BaseCommand):
    help = ("Xóa kết quả lệnh của hub cũ hơn HUB_COMMAND_OUTCOME_DAYS ngày "
            "(sau thời hạn đó, gửi lại cùng mã lệnh không còn được trả lời bằng kết quả cũ).")

    def handle(self, *args, **options):
        self.stdout.write(f"pruned={prune_command_outcomes()}")
