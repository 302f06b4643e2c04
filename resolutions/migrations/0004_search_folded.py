"""Resolution.folded: number and title folded (library.text.fold) for the search with or without
diacritics (resolutions.pages.matching_ids); the existing rows are filled here, new and changed ones
by resolutions.services."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from library.text import fold

    Resolution = apps.get_model("resolutions", "Resolution")
    rows = list(Resolution.objects.only("pk", "number", "title"))
    for r in rows:
        r.folded = fold(f"{r.number or ''} {r.title or ''}".strip())
    Resolution.objects.bulk_update(rows, ["folded"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("resolutions", "0003_merge_tasks_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="resolution",
            name="folded",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
