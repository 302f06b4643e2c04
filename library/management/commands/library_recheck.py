"""Run today's upload checks again over files already stored.

The checks of library.files grow (classification stamps read on every page,
active content in PDFs); files stored before a check existed never met it.
This lists every stored version that today's checks would refuse or hold,
with the document and the reason, for the office to withdraw or replace it
(through the office pages, audited as usual). It changes nothing itself.

    python manage.py library_recheck              # current versions of documents not withdrawn
    python manage.py library_recheck --all        # every version, withdrawn documents too

Exit status 1 when any file would be refused (for a deploy step or a cron mail).
"""

from django.core.management.base import BaseCommand

from library import files
from library.models import Document, DocumentVersion


class Command(BaseCommand):
    help = "List stored document files that today's upload checks would refuse or hold (changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every version, withdrawn documents too")

    def handle(self, *args, all=False, **options):
        versions = DocumentVersion.objects.select_related("document").order_by("document_id", "number")
        if not all:
            current = Document.objects.exclude(status=Document.Status.WITHDRAWN).values("current_version_id")
            versions = versions.filter(pk__in=current)
        refused = held = 0
        for version in versions.iterator():
            storage = version.file.storage
            try:
                with storage.open(version.file.name, "rb") as handle:
                    checked = files.check_upload(handle, version.original_name)
            except files.FileRefused as refusal:
                refused += 1
                self.stdout.write(f"REFUSE document {version.document_id} v{version.number} ({version.original_name}): "
                                  f"{refusal.code}")
                continue
            except OSError as exc:
                self.stdout.write(f"MISSING document {version.document_id} v{version.number}: {exc}")
                continue
            if checked.unreadable and version.state != DocumentVersion.State.HELD:
                held += 1
                self.stdout.write(f"UNREAD document {version.document_id} v{version.number} ({version.original_name}): "
                                  f"{checked.unreadable}")
        self.stdout.write(f"{refused} would be refused, {held} could not be read whole")
        if refused:
            raise SystemExit(1)
