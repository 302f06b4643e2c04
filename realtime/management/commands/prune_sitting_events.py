"""prune_sitting_events: archive, then delete, the events of sittings closed more than
HUB_EVENT_RETENTION_DAYS days ago (realtime/retention.py), and delete their per-member events
(realtime.private: not archived, they are no part of the minutes). Run it from the daily job."""

from django.core.management.base import BaseCommand

from realtime.private import prune_member_events
from realtime.retention import prune_sitting_events


class Command(BaseCommand):
    help = ("Lưu trữ rồi xóa nhật ký sự kiện của các phiên họp đã bế mạc quá HUB_EVENT_RETENTION_DAYS ngày "
            "(tệp nén trong HUB_EVENT_ARCHIVE_DIR).")

    def handle(self, *args, **options):
        sittings, events = prune_sitting_events()
        member_events = prune_member_events()
        self.stdout.write(f"sittings={sittings} events={events} member_events={member_events}")
