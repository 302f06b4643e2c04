"""A denouncer's protection follows the identity (issue 8): Case.identity_protected, set for
every case that is or ever was a denunciation and never cleared; the redacted copy an agency
reads (RedactedCopy) and redacted scans (CaseFile.redacted).

Adding a NOT NULL column makes SQLite rebuild petitions_case, which drops the full-text
triggers of 0003: they are created again here (tests/petitions/test_case_search.py checks).
Existing cases: every denunciation, and every case whose audit trail shows it was received or
classified as one, is marked protected. Identity.person_key_alt (folded name + email, beside
person_key's name + phone) is filled for senders who gave both.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SEARCH = importlib.import_module("petitions.migrations.0003_case_search")
TRIGGERS = [sql for sql in SEARCH.SQLITE_FORWARD if sql.lstrip().startswith("CREATE TRIGGER")]


def recreate_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in TRIGGERS:
        schema_editor.execute(sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))


def mark_denunciations(apps, schema_editor):
    Case = apps.get_model("petitions", "Case")
    AuditRecord = apps.get_model("audit", "AuditRecord")
    ever = set()
    for detail in (AuditRecord.objects.filter(action__in=("petitions.submit", "petitions.classify"))
                   .values_list("detail", flat=True).iterator()):
        if isinstance(detail, dict) and detail.get("kind") == "denunciation" and isinstance(detail.get("case"), int):
            ever.add(detail["case"])
    Case.objects.filter(kind="denunciation").update(identity_protected=True)
    ids = sorted(ever)
    for start in range(0, len(ids), 500):
        Case.objects.filter(pk__in=ids[start:start + 500]).update(identity_protected=True)


def fill_alt_keys(apps, schema_editor):
    from petitions.identity import person_keys

    Identity = apps.get_model("petitions", "Identity")
    for row in (Identity.objects.exclude(phone="").exclude(email="")
                .values("case_id", "full_name", "phone", "email").iterator()):
        keys = person_keys(row)
        if len(keys) > 1:
            Identity.objects.filter(case_id=row["case_id"]).update(person_key_alt=keys[1])


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0004_answers_recent_index'),
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='identity_protected',
            field=models.BooleanField(default=False, editable=False, verbose_name='bảo vệ thông tin người tố cáo'),
        ),
        migrations.AddField(
            model_name='identity',
            name='person_key_alt',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='casefile',
            name='redacted',
            field=models.BooleanField(default=False, editable=False, verbose_name='bản đã che thông tin nhận diện'),
        ),
        migrations.CreateModel(
            name='RedactedCopy',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='redacted_copy', serialize=False, to='petitions.case')),
                ('subject', models.CharField(max_length=500, verbose_name='tóm tắt nội dung (bản đã che)')),
                ('content', models.TextField(verbose_name='nội dung (bản đã che)')),
                ('prepared_at', models.DateTimeField()),
                ('prepared_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'bản sao đã che thông tin người tố cáo',
                'verbose_name_plural': 'bản sao đã che thông tin người tố cáo',
            },
        ),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop),
        migrations.RunPython(mark_denunciations, migrations.RunPython.noop),
        migrations.RunPython(fill_alt_keys, migrations.RunPython.noop),
    ]
