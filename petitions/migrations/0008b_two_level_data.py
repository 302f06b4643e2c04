"""Existing records onto the two levels of local government in force since 1/7/2025 (issue 12, item 2).

- A competent level "district" of a voter petition (its label was "Huyện, xã") becomes "commune"; back:
  "commune" becomes "district" again (the old schema had no commune level).
- An agency of the former kind "district" (UBND huyện) becomes a People's Committee; its level stays
  "district", shown read-only as "Cấp huyện (trước 1/7/2025)". Back: such an agency is "district" again.
- A case's or a voter meeting's commune, when its (district, commune) is one this table knows, becomes the
  commune-level unit it is part of since 1/7/2025, its old name kept in `former_commune`; the district stays
  as it was (read-only). Records the table does not know keep their values. Back: `former_commune` returns.

The table is frozen here (petitions.localities.FORMER_TO_NEW may grow later without changing what this
migration did): Nghị quyết 1684/NQ-UBTVQH15 (16/6/2025) on Tuyên Quang's commune-level units as summarised by
ever.vn for phường Minh Xuân; the resolution's own text was not found (chưa kiểm chứng from it).
"""

from django.db import migrations

FORMER_TO_NEW = {
    ("Thành phố Tuyên Quang", "Phường Ỷ La"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Tân Hà"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Phan Thiết"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Minh Xuân"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Phường Tân Quang"): "Phường Minh Xuân",
    ("Thành phố Tuyên Quang", "Xã Kim Phú"): "Phường Minh Xuân",
    ("Huyện Yên Sơn", "Xã Trung Môn"): "Phường Minh Xuân",
    ("Huyện Yên Sơn", "Xã Kim Phú"): "Phường Minh Xuân",
}


def _key(text: str) -> str:
    """Names as people type them: any case, any spacing ("phường  tân hà" is "Phường Tân Hà")."""
    return " ".join((text or "").split()).casefold()


KNOWN = {(_key(district), _key(commune)): new for (district, commune), new in FORMER_TO_NEW.items()}
DISTRICTS = {district for district, _ in KNOWN}


def _move_communes(model):
    for record in model.objects.exclude(district="").exclude(commune="").filter(former_commune="").iterator():
        if _key(record.district) not in DISTRICTS:
            continue
        new = KNOWN.get((_key(record.district), _key(record.commune)))
        if new is not None:
            model.objects.filter(pk=record.pk).update(former_commune=record.commune, commune=new)


def forwards(apps, schema_editor):
    Case = apps.get_model("petitions", "Case")
    Agency = apps.get_model("petitions", "Agency")
    VoterMeeting = apps.get_model("petitions", "VoterMeeting")
    Case.objects.filter(level="district").update(level="commune")
    Agency.objects.filter(kind="district").update(kind="peoples_committee")
    _move_communes(Case)
    _move_communes(VoterMeeting)


def backwards(apps, schema_editor):
    Case = apps.get_model("petitions", "Case")
    Agency = apps.get_model("petitions", "Agency")
    VoterMeeting = apps.get_model("petitions", "VoterMeeting")
    Case.objects.filter(level="commune").update(level="district")
    Agency.objects.filter(kind="peoples_committee", level="district").update(kind="district")
    for model in (Case, VoterMeeting):
        for pk, former in model.objects.exclude(former_commune="").values_list("pk", "former_commune").iterator():
            model.objects.filter(pk=pk).update(commune=former, former_commune="")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0008a_two_level_schema")]
    operations = [migrations.RunPython(forwards, backwards)]
