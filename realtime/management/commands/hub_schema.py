"""Write the JSON Schema of every hub message, one file each, for other clients to validate against."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from realtime.messages import json_schemas


class Command(BaseCommand):
    help = "Write the JSON Schemas of the hub's messages (docs/protocol.md) as <name>.json files."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/hub-schema", help="directory to write into (created if missing; default: var/hub-schema)")

    def handle(self, *args, out, **options):
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        schemas = json_schemas()
        for name, schema in schemas.items():
            (directory / f"{name}.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"wrote {len(schemas)} schemas to {directory}")
