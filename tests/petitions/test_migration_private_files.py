"""Migration 0011 moves letters' files out of MEDIA_ROOT into the private documents storage,
names and all (issue 17, item 4).

Hand-worked: two attachments and the Fatherland Front's report lie in MEDIA_ROOT where earlier
versions stored them; a third attachment's name is already taken in the private storage (by another
file), so it moves under the name the storage gives it and its row says so; a fourth row's file was
missing before and stays as it was. Afterwards nothing of them is left under MEDIA_ROOT (its emptied
folders removed, member photos untouched), and each row's file opens from the private storage with
the same bytes. Run again after an upgrade interrupted between a copy and the removal from MEDIA_ROOT,
it copies nothing twice.
"""

import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("petitions", "0010_voter_petition_compilation")]
AFTER = [("petitions", "0011_private_files")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    MigrationExecutor(connection).migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def _put(root: Path, name: str, data: bytes):
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(data)


def test_letters_files_move_from_media_to_the_private_storage(settings, tmp_path):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    private = Path(storages["documents"].location)
    names = {"a": "petitions/2025/06/aaaa1111.pdf", "b": "petitions/2025/07/bbbb2222.png",
             "taken": "petitions/2025/07/cccc3333.pdf", "missing": "petitions/2025/07/dddd4444.pdf",
             "front": "petitions/compilations/2025/eeee5555.pdf"}
    data = {key: f"%PDF-1.4 {key} CCCD 0012345".encode() for key in names}
    try:
        apps = _migrate(BEFORE)
        CaseFile, Case = apps.get_model("petitions", "CaseFile"), apps.get_model("petitions", "Case")
        Compilation = apps.get_model("petitions", "PetitionCompilation")
        Term, Body, Session = (apps.get_model("meeting", n) for n in ("Term", "Body", "Session"))
        now = timezone.now()
        case = Case.objects.create(tracking_code="AAAA-BBBB-CCCC", kind="petition", source="web", subject="s",
                                   content="c", folded="c", received_at=now)
        rows = {}
        for key in ("a", "b", "taken", "missing"):
            rows[key] = CaseFile.objects.create(case=case, file=names[key], original_name=f"{key}.pdf",
                                                content_type="application/pdf", size=len(data[key])).pk
            if key != "missing":
                _put(media, names[key], data[key])
        term = Term.objects.create(name="2021–2026", start=dt.date(2021, 6, 1), end=dt.date(2026, 6, 30))
        body = Body.objects.create(name="HĐND tỉnh", kind="plenary", term=term)
        session = Session.objects.create(body=body, number=20, title="Kỳ họp thứ 20", start_date=dt.date(2025, 7, 10),
                                         end_date=dt.date(2025, 7, 12))
        front = Compilation.objects.create(session=session, front_file=names["front"], front_file_name="mttq.pdf",
                                           compiled_at=now).pk
        _put(media, names["front"], data["front"])
        _put(media, "members/db001.png", b"photo")
        _put(private, names["taken"], b"another file that took the name")

        apps = _migrate(AFTER)
        CaseFile = apps.get_model("petitions", "CaseFile")
        Compilation = apps.get_model("petitions", "PetitionCompilation")
        stored = {key: CaseFile.objects.get(pk=pk).file.name for key, pk in rows.items()}
        stored["front"] = Compilation.objects.get(pk=front).front_file.name
        assert {k: v for k, v in stored.items() if k != "taken"} == {k: v for k, v in names.items() if k != "taken"}
        assert stored["taken"] != names["taken"] and stored["taken"].startswith("petitions/2025/07/cccc3333")
        for key in ("a", "b", "taken", "front"):
            assert (private / stored[key]).read_bytes() == data[key], key
        assert (private / names["taken"]).read_bytes() == b"another file that took the name"
        assert not (media / "petitions").exists()  # every file gone, and the emptied folders
        assert (media / "members" / "db001.png").read_bytes() == b"photo"
        assert not (private / names["missing"]).exists()

        # Again, as after an upgrade interrupted between a copy and the removal: the copy is not made twice.
        _put(media, names["a"], data["a"])
        importlib.import_module("petitions.migrations.0011_private_files").forwards(apps, None)
        assert {key: CaseFile.objects.get(pk=pk).file.name for key, pk in rows.items()} == \
            {k: v for k, v in stored.items() if k != "front"}
        ours = sorted(p.relative_to(private).as_posix() for p in (private / "petitions").rglob("*")
                      if p.is_file() and p.name[:4] in ("aaaa", "bbbb", "cccc", "dddd", "eeee"))
        assert ours == sorted({stored[k] for k in ("a", "b", "taken", "front")} | {names["taken"]})  # no copies
        assert not (media / names["a"]).exists()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
