"""The 2026 New Year swap the seeded calendar missed (issue 12, item 1).

Văn bản số 12729/VPCP-KGVX ngày 25/12/2025 of the Government Office: the Deputy Prime Minister
agreed to the Ministry of Home Affairs' plan — civil servants and public employees are off four
days, Thursday 1/1/2026 to Sunday 4/1/2026, the working Friday 2/1/2026 swapped with the weekly
rest day Saturday 10/1/2026. Without it a denunciation received on Thursday 8/1/2026 was due
for acceptance on 19/1 (seven working days) instead of 16/1.

Rows that are already there (entered in the admin) are left as they are; going back removes
only rows that still say what this migration wrote.
"""

import datetime as dt

from django.db import migrations

SOURCE = "Văn bản 12729/VPCP-KGVX ngày 25/12/2025"
HOLIDAYS = [(dt.date(2026, 1, 2), f"Nghỉ Tết Dương lịch, hoán đổi với thứ Bảy 10/01/2026 ({SOURCE})")]
WORKING_WEEKENDS = [(dt.date(2026, 1, 10), f"Làm bù thứ Sáu 02/01/2026 ({SOURCE})")]


def forwards(apps, schema_editor):
    Holiday = apps.get_model("petitions", "Holiday")
    WorkingWeekend = apps.get_model("petitions", "WorkingWeekend")
    for day, name in HOLIDAYS:
        Holiday.objects.get_or_create(date=day, defaults={"name": name})
    for day, name in WORKING_WEEKENDS:
        WorkingWeekend.objects.get_or_create(date=day, defaults={"name": name})


def backwards(apps, schema_editor):
    Holiday = apps.get_model("petitions", "Holiday")
    WorkingWeekend = apps.get_model("petitions", "WorkingWeekend")
    for day, name in HOLIDAYS:
        Holiday.objects.filter(date=day, name=name).delete()
    for day, name in WORKING_WEEKENDS:
        WorkingWeekend.objects.filter(date=day, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0006_milestone_params_field_name_en")]

    operations = [migrations.RunPython(forwards, backwards)]
