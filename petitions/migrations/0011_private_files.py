"""Letters' files move to the private storage (issue 17, item 4).

Scans and attachments of citizens' letters (CaseFile.file) and the Fatherland Front's report
(PetitionCompilation.front_file) were stored under MEDIA_ROOT, the folder of public media (member
photos), where a web server serving /media/ would publish them. They now live in the documents
storage (petitions/files.py): each stored file moves there under the same name (or, should that
name be taken, the name the storage gives it, recorded on the row), and leaves MEDIA_ROOT.

Safe to run again after an interruption: a file already in the private storage with the same size
is not copied twice, only removed from MEDIA_ROOT; a row whose file is in neither place is left
as it is (the file was missing before). Backwards, the files go back to MEDIA_ROOT the same way.
"""

import os

from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.db import migrations, models

import petitions.files

FIELDS = (("CaseFile", "file"), ("PetitionCompilation", "front_file"))


def _move(apps, source, target):
    for model_name, field in FIELDS:
        model = apps.get_model("petitions", model_name)
        rows = list(model.objects.exclude(**{field: ""}).values_list("pk", field))
        for pk, name in rows:
            if not source.exists(name):
                continue
            if target.exists(name) and target.size(name) == source.size(name):
                stored = name  # copied by an interrupted run
            else:
                with source.open(name, "rb") as handle:
                    stored = target.save(name, File(handle, name=os.path.basename(name)))
            if stored != name:
                model.objects.filter(pk=pk).update(**{field: stored})
            source.delete(name)
            _remove_empty_folders(source, name)


def _remove_empty_folders(storage, name):
    """petitions/2025/06/ and its parents, once empty (a folder storage only)."""
    if not isinstance(storage, FileSystemStorage):
        return
    folder = os.path.dirname(storage.path(name))
    root = os.path.abspath(storage.location)
    while os.path.abspath(folder).startswith(root + os.sep):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = os.path.dirname(folder)


def forwards(apps, schema_editor):
    _move(apps, storages["default"], storages[petitions.files.STORAGE])


def backwards(apps, schema_editor):
    _move(apps, storages[petitions.files.STORAGE], storages["default"])


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0010_voter_petition_compilation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='casefile',
            name='file',
            field=models.FileField(max_length=300, storage=petitions.files.private_storage, upload_to='petitions/%Y/%m/'),
        ),
        migrations.AlterField(
            model_name='petitioncompilation',
            name='front_file',
            field=models.FileField(blank=True, max_length=300, storage=petitions.files.private_storage, upload_to='petitions/compilations/%Y/', verbose_name='tệp báo cáo của Ủy ban MTTQ'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
