"""The petitions migrations that change data, each run on a register that already holds what it changes.

One walk down and up the migrations serves the three tests (the `walk` fixture): going back from the
latest migrations costs Django some 4 to 6 s each time (it renders the project's models anew for every
migration it unapplies), and each test used to go back from the top and forward again on its own.
The walk goes back once, in steps (0010, then 0007, then 0004: every later migration, resolutions'
included, is unapplied on the way, as before), runs each scenario where its test ran it, removes that
scenario's rows before the next one, and ends at the latest migrations; each test then asserts what
it asserted, on what the walk saw.

Migration 0011 (issue 17, item 4) moves letters' files out of MEDIA_ROOT into the private documents
storage, names and all. Hand-worked: two attachments and the Fatherland Front's report lie in
MEDIA_ROOT where earlier versions stored them; a third attachment's name is already taken in the
private storage (by another file), so it moves under the name the storage gives it and its row says so;
a fourth row's file was missing before and stays as it was. Afterwards nothing of them is left under
MEDIA_ROOT (its emptied folders removed, member photos untouched), and each row's file opens from the
private storage with the same bytes. Run again after an upgrade interrupted between a copy and the
removal from MEDIA_ROOT, it copies nothing twice.

Migration 0008 on a register recorded before 1/7/2025: existing records move to the two levels of local
government, and going back restores them exactly (issue 12, item 2). Hand-worked: a voter petition at
level "district" (then labelled "Huyện, xã") becomes "commune"; the UBND of a district keeps its level
"district" (read-only) and becomes a People's Committee; a letter from phường Tân Hà of thành phố Tuyên
Quang, which joined phường Minh Xuân (Nghị quyết 1684/NQ-UBTVQH15 as summarised; see
petitions.localities), now says "Phường Minh Xuân" and keeps "Phường Tân Hà" as its former commune; a
letter from a commune the table does not know keeps its values; the voter meeting at xã Trung Môn
(huyện Yên Sơn), typed in lower case, also joins phường Minh Xuân.

Migration 0005 on a register that already holds cases: every case that is or was a denunciation
becomes protected (the kind, or the audit trail of its intake or classification), the second person
key is filled, and SQLite's full-text triggers survive the table rebuild.
"""

import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

PRIVATE_FILES = ([("petitions", "0010_voter_petition_compilation")], [("petitions", "0011_private_files")])
TWO_LEVELS = ([("petitions", "0007_new_year_2026_swap")], [("petitions", "0008b_two_level_data")])
DENOUNCER = [("petitions", "0004_answers_recent_index")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    MigrationExecutor(connection).migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker, tmp_path_factory):
    """What each scenario saw, as plain values. The database is left at the latest migrations with the
    last scenario's rows, which the first test's flush (a transactional test's) removes, as the
    flush after each of the three tests did."""
    from django.test import override_settings

    seen = {}
    with django_db_blocker.unblock():
        try:
            with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
                seen["private_files"] = _private_files()
            seen["two_levels"] = _two_levels()
            seen["denouncer"] = _denouncer()
        finally:  # at the latest migrations again, whatever failed on the way
            MigrationExecutor(connection).migrate(_latest())
    return seen


# ---- 0011: letters' files move to the private storage ---------------------------------------------------

def _put(root: Path, name: str, data: bytes):
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(data)


NAMES = {"a": "petitions/2025/06/aaaa1111.pdf", "b": "petitions/2025/07/bbbb2222.png",
         "taken": "petitions/2025/07/cccc3333.pdf", "missing": "petitions/2025/07/dddd4444.pdf",
         "front": "petitions/compilations/2025/eeee5555.pdf"}
DATA = {key: f"%PDF-1.4 {key} CCCD 0012345".encode() for key in NAMES}


def _private_files():
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    private = Path(storages["documents"].location)
    names, data = NAMES, DATA
    apps = _migrate(PRIVATE_FILES[0])
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

    apps = _migrate(PRIVATE_FILES[1])
    CaseFile = apps.get_model("petitions", "CaseFile")
    Compilation = apps.get_model("petitions", "PetitionCompilation")
    stored = {key: CaseFile.objects.get(pk=pk).file.name for key, pk in rows.items()}
    stored["front"] = Compilation.objects.get(pk=front).front_file.name
    seen = {
        "stored": dict(stored),
        "bytes": {key: (private / stored[key]).read_bytes() for key in ("a", "b", "taken", "front")},
        "taken_bytes": (private / names["taken"]).read_bytes(),
        "media_petitions_left": (media / "petitions").exists(),
        "photo": (media / "members" / "db001.png").read_bytes(),
        "missing_copied": (private / names["missing"]).exists(),
    }

    # Again, as after an upgrade interrupted between a copy and the removal: the copy is not made twice.
    _put(media, names["a"], data["a"])
    importlib.import_module("petitions.migrations.0011_private_files").forwards(apps, None)
    seen["again"] = {key: CaseFile.objects.get(pk=pk).file.name for key, pk in rows.items()}
    seen["ours"] = sorted(p.relative_to(private).as_posix() for p in (private / "petitions").rglob("*")
                          if p.is_file() and p.name[:4] in ("aaaa", "bbbb", "cccc", "dddd", "eeee"))
    seen["a_left_in_media"] = (media / names["a"]).exists()

    # This scenario's rows go before the next one's.
    Case = apps.get_model("petitions", "Case")
    Case.objects.filter(pk=case.pk).delete()  # and its files' rows
    Compilation.objects.filter(pk=front).delete()
    apps.get_model("meeting", "Session").objects.filter(pk=session.pk).delete()
    apps.get_model("meeting", "Body").objects.filter(pk=body.pk).delete()
    apps.get_model("meeting", "Term").objects.filter(pk=term.pk).delete()
    return seen


def test_letters_files_move_from_media_to_the_private_storage(walk):
    seen, names, data = walk["private_files"], NAMES, DATA
    stored = seen["stored"]
    assert {k: v for k, v in stored.items() if k != "taken"} == {k: v for k, v in names.items() if k != "taken"}
    assert stored["taken"] != names["taken"] and stored["taken"].startswith("petitions/2025/07/cccc3333")
    for key in ("a", "b", "taken", "front"):
        assert seen["bytes"][key] == data[key], key
    assert seen["taken_bytes"] == b"another file that took the name"
    assert not seen["media_petitions_left"]  # every file gone, and the emptied folders
    assert seen["photo"] == b"photo"
    assert not seen["missing_copied"]

    # Again, as after an upgrade interrupted between a copy and the removal: the copy is not made twice.
    assert seen["again"] == {k: v for k, v in stored.items() if k != "front"}
    assert seen["ours"] == sorted({stored[k] for k in ("a", "b", "taken", "front")} | {names["taken"]})  # no copies
    assert not seen["a_left_in_media"]


# ---- 0008: two levels of local government, both ways ----------------------------------------------------

def _old_register(apps):
    Case, Agency = apps.get_model("petitions", "Case"), apps.get_model("petitions", "Agency")
    VoterMeeting = apps.get_model("petitions", "VoterMeeting")
    Term, Body, Session = (apps.get_model("meeting", name) for name in ("Term", "Body", "Session"))
    term = Term.objects.create(name="2021–2026", start=dt.date(2021, 6, 1), end=dt.date(2026, 6, 30))
    council = Body.objects.create(name="HĐND tỉnh", kind="plenary", term=term)
    group = Body.objects.create(name="Tổ đại biểu huyện Yên Sơn", kind="group", term=term)
    session = Session.objects.create(body=council, number=20, title="Kỳ họp thứ 20", start_date=dt.date(2025, 4, 10),
                                     end_date=dt.date(2025, 4, 12))
    meeting = VoterMeeting.objects.create(held_on=dt.date(2025, 3, 20), place="Nhà văn hóa thôn 2",
                                          district="Huyện Yên Sơn", commune="xã  trung môn", delegate_group=group,
                                          session=session, when="before")
    now = timezone.now()

    def case(code, **kw):
        return Case.objects.create(tracking_code=code, kind=kw.pop("kind", "petition"), source="web", subject=code,
                                   content=code * 3, folded=code.lower(), received_at=now, **kw)

    case("AAAA-AAAA-AAAA", kind="voter_petition", level="district", meeting=meeting, district="Huyện Yên Sơn",
         commune="xã  trung môn")
    case("BBBB-BBBB-BBBB", district="Thành phố Tuyên Quang", commune="Phường Tân Hà")
    case("CCCC-CCCC-CCCC", district="Huyện Lâm Bình", commune="Xã Lăng Can")
    case("DDDD-DDDD-DDDD", kind="voter_petition", level="province", meeting=meeting)
    Agency.objects.create(name="Ủy ban nhân dân huyện Yên Sơn", kind="district", level="district")
    Agency.objects.create(name="Sở Y tế", kind="department", level="province")
    return {"term": term.pk}


def _state(apps):
    Case, Agency = apps.get_model("petitions", "Case"), apps.get_model("petitions", "Agency")
    VoterMeeting = apps.get_model("petitions", "VoterMeeting")
    fields = ["district", "commune"] + (["former_commune"] if any(f.name == "former_commune" for f in Case._meta.fields)
                                        else [])
    return {
        "cases": {row[0]: row[1:] for row in Case.objects.order_by("tracking_code")
                  .values_list("tracking_code", "level", *fields)},
        "agencies": set(Agency.objects.values_list("name", "kind", "level")),
        "meetings": list(VoterMeeting.objects.values_list(*fields)),
    }


def _two_levels():
    apps = _migrate(TWO_LEVELS[0])
    made = _old_register(apps)
    seen = {"old": _state(apps)}

    seen["new"] = _state(_migrate(TWO_LEVELS[1]))
    # The full-text index still follows every change (SQLite rebuilt the table: its triggers came back).
    from petitions.models import Case
    from petitions.search import matching
    Case.objects.filter(tracking_code="CCCC-CCCC-CCCC").update(folded="kien nghi lam cau treo thon nam")
    seen["found"] = list(matching(Case.objects.all(), "cau treo").values_list("tracking_code", flat=True))

    apps = _migrate(TWO_LEVELS[0])
    seen["back"] = _state(apps)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'petitions_case_fts%'")
            seen["triggers"] = len(cursor.fetchall())

    # This scenario's rows go before the next one's.
    apps.get_model("petitions", "Case").objects.all().delete()
    apps.get_model("petitions", "VoterMeeting").objects.all().delete()
    apps.get_model("petitions", "Agency").objects.filter(name__in=["Ủy ban nhân dân huyện Yên Sơn", "Sở Y tế"]).delete()
    apps.get_model("meeting", "Session").objects.filter(body__term_id=made["term"]).delete()
    apps.get_model("meeting", "Body").objects.filter(term_id=made["term"]).delete()
    apps.get_model("meeting", "Term").objects.filter(pk=made["term"]).delete()
    return seen


def test_records_move_to_two_levels_and_back(walk):
    seen = walk["two_levels"]
    new = seen["new"]
    assert new["cases"] == {
        "AAAA-AAAA-AAAA": ("commune", "Huyện Yên Sơn", "Phường Minh Xuân", "xã  trung môn"),
        "BBBB-BBBB-BBBB": ("", "Thành phố Tuyên Quang", "Phường Minh Xuân", "Phường Tân Hà"),
        "CCCC-CCCC-CCCC": ("", "Huyện Lâm Bình", "Xã Lăng Can", ""),
        "DDDD-DDDD-DDDD": ("province", "", "", ""),
    }
    assert new["agencies"] == {("Ủy ban nhân dân huyện Yên Sơn", "peoples_committee", "district"),
                               ("Sở Y tế", "department", "province")}
    assert new["meetings"] == [("Huyện Yên Sơn", "Phường Minh Xuân", "xã  trung môn")]
    # The full-text index still follows every change (SQLite rebuilt the table: its triggers came back).
    assert seen["found"] == ["CCCC-CCCC-CCCC"]

    assert seen["back"] == seen["old"]  # back: exactly what was there
    if connection.vendor == "sqlite":
        assert seen["triggers"] == 3


# ---- 0005: denouncers' protection -----------------------------------------------------------------------

def _case(Case, code, kind, subject):
    return Case.objects.create(tracking_code=code, kind=kind, source="web", subject=subject, content=subject * 3,
                               folded=subject.lower(), received_at=timezone.now())


def _denouncer():
    executor = MigrationExecutor(connection)
    executor.migrate(DENOUNCER)
    old = executor.loader.project_state(DENOUNCER).apps
    Case, Identity = old.get_model("petitions", "Case"), old.get_model("petitions", "Identity")
    from audit.models import AuditRecord  # unchanged by these migrations
    _case(Case, "AAAA-AAAA-AAAA", "denunciation", "to cao truong thon thu tien")
    former = _case(Case, "BBBB-BBBB-BBBB", "petition", "kien nghi ve nha van hoa")  # received as a denunciation
    plain = _case(Case, "CCCC-CCCC-CCCC", "petition", "kien nghi sua duong lien thon")
    AuditRecord.objects.create(action="petitions.submit", detail={"case": former.pk, "kind": "denunciation"})
    AuditRecord.objects.create(action="petitions.classify", detail={"case": former.pk, "kind": "petition"})
    AuditRecord.objects.create(action="petitions.submit", detail={"case": plain.pk, "kind": "petition"})
    Identity.objects.create(case=plain, full_name="Lê Văn Tám", phone="0912 345 678", email="tam@example.vn",
                            person_key="le van tam|0912345678")

    executor = MigrationExecutor(connection)
    executor.migrate(_latest())

    from petitions.models import Case as NewCase
    from petitions.models import Identity as NewIdentity
    from petitions.search import matching

    seen = {"protected": dict(NewCase.objects.values_list("tracking_code", "identity_protected")),
            "alt": NewIdentity.objects.get(case_id=plain.pk).person_key_alt}
    # The full-text index still follows every change (SQLite: triggers created again after the rebuild).
    NewCase.objects.filter(pk=plain.pk).update(folded="kien nghi lam cau treo khuon he")
    seen["found"] = list(matching(NewCase.objects.all(), "khuon he").values_list("pk", flat=True))
    seen["plain"] = plain.pk
    return seen


def test_existing_denunciations_and_former_ones_become_protected(walk):
    seen = walk["denouncer"]
    assert seen["protected"] == {"AAAA-AAAA-AAAA": True, "BBBB-BBBB-BBBB": True, "CCCC-CCCC-CCCC": False}
    assert seen["alt"] == "le van tam|tam@example.vn"
    # The full-text index still follows every change (SQLite: triggers created again after the rebuild).
    assert seen["found"] == [seen["plain"]]
