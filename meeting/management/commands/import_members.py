from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meeting.importing import import_members


class Command(BaseCommand):
    help = ("Import members from a CSV file (UTF-8, ',' or ';'). Every row is checked first; "
            "if any row is wrong nothing is imported and the errors are listed per row. See meeting/importing.py.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file, import nothing")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as e:
            raise CommandError(f"{file}: {e.strerror}") from None
        report = import_members(data, dry_run=dry_run)
        lines = report.lines()
        if not report.ok:
            for line in lines[1:]:
                self.stderr.write(line)
            raise CommandError(lines[0])
        self.stdout.write(self.style.SUCCESS(lines[0]))
