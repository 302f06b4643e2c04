"""prune_sitting_events: archive, then delete, the events of sittings closed more than
HUB_EVENT_RETENTION_DAYS days ago (realtime/retention.py). Run it from the daily job."""

from django.core.management.base import BaseCommand

from realtime.retention import prune_sitting_events


class Command(BaseCommand):
    help = ("Lưu trữ rồi xóa nhật ký sự kiện của các phiên họp đã bế mạc quá HUB_EVENT_RETENTION_DAYS ngày "
            "(tệp nén trong HUB_EVENT_ARCHIVE_DIR).")

    def handle(self, *args, **options):
        sittings, events = prune_sitting_events()
        self.stdout.write(f"sittings={sittings} events={events}")
