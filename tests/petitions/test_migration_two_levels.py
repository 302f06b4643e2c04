"""Migration 0008 on a register recorded before 1/7/2025: existing records move to the two levels of local
government, and going back restores them exactly (issue 12, item 2).

Hand-worked: a voter petition at level "district" (then labelled "Huyện, xã") becomes "commune"; the UBND of a
district keeps its level "district" (read-only) and becomes a People's Committee; a letter from phường Tân Hà
of thành phố Tuyên Quang, which joined phường Minh Xuân (Nghị quyết 1684/NQ-UBTVQH15 as summarised; see
petitions.localities), now says "Phường Minh Xuân" and keeps "Phường Tân Hà" as its former commune; a letter from a
commune the table does not know keeps its values; the voter meeting at xã Trung Môn (huyện Yên Sơn), typed in
lower case, also joins phường Minh Xuân."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("petitions", "0007_new_year_2026_swap")]
AFTER = [("petitions", "0008b_two_level_data")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


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


def test_records_move_to_two_levels_and_back():
    try:
        _old_register(_migrate(BEFORE))
        old = _state(_migrate(BEFORE))

        new = _state(_migrate(AFTER))
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
        from petitions.models import Case
        from petitions.search import matching
        Case.objects.filter(tracking_code="CCCC-CCCC-CCCC").update(folded="kien nghi lam cau treo thon nam")
        assert list(matching(Case.objects.all(), "cau treo").values_list("tracking_code", flat=True)) == ["CCCC-CCCC-CCCC"]

        assert _state(_migrate(BEFORE)) == old  # back: exactly what was there
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'petitions_case_fts%'")
                assert len(cursor.fetchall()) == 3
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
