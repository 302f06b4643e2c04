"""Seed the statutory deadline rules and Vietnam's public holidays 2025–2027.

Both are data: editable in the admin (petitions.admin), and a new law adds
DeadlineRule rows with a later `valid_from` instead of editing old ones.

Holidays: Labour Code 2019 (45/2019/QH14) art. 112 — Tết Dương lịch 1 day,
Tết Âm lịch 5 days, Giỗ Tổ Hùng Vương (10/3 âm lịch) 1 day, 30/4 and 1/5,
Quốc khánh 2/9 plus one adjacent day; a holiday falling on a weekly rest day
gives a compensatory day off on the next working day (art. 111(3)). Dates
below are those announced for civil servants (Ministry of Home Affairs /
Labour notices) for 2025 and 2026; 2027 is computed from the lunar calendar
and the usual pattern and must be checked against the year's notice.
"""

import datetime as dt

from django.db import migrations

D = dt.date

COMPLAINTS = "Luật Khiếu nại 2011 (số 02/2011/QH13)"
DENUNCIATIONS = "Luật Tố cáo 2018 (số 25/2018/QH14)"
RECEPTION = "Luật Tiếp công dân 2013 (số 42/2013/QH13)"
SUPERVISION = "Luật Hoạt động giám sát của Quốc hội và Hội đồng nhân dân 2015 (số 87/2015/QH13)"

RULES = [
    # step, unit, days, complex, remote, remote_complex, extension_days, max_extensions, law, valid_from
    ("complaint.accept", "days", 10, None, None, None, None, 0,
     f"{COMPLAINTS}, Điều 27: thụ lý trong 10 ngày kể từ ngày nhận được khiếu nại", D(2012, 7, 1)),
    ("complaint.first_instance", "days", 30, 45, 45, 60, None, 0,
     f"{COMPLAINTS}, Điều 28: giải quyết lần đầu không quá 30 ngày kể từ ngày thụ lý (phức tạp 45); "
     "vùng sâu, vùng xa 45 (phức tạp 60)", D(2012, 7, 1)),
    ("complaint.second_instance", "days", 45, 60, 60, 70, None, 0,
     f"{COMPLAINTS}, Điều 37: giải quyết lần hai không quá 45 ngày kể từ ngày thụ lý (phức tạp 60); "
     "vùng sâu, vùng xa 60 (phức tạp 70)", D(2012, 7, 1)),
    ("denunciation.accept", "working_days", 7, 10, None, None, None, 0,
     f"{DENUNCIATIONS}, Điều 24: vào sổ, xử lý ban đầu và quyết định thụ lý trong 07 ngày làm việc "
     "kể từ ngày nhận tố cáo (phải xác minh nhiều địa điểm: không quá 10 ngày làm việc)", D(2019, 1, 1)),
    ("denunciation.notify", "working_days", 5, None, None, None, None, 0,
     f"{DENUNCIATIONS}, Điều 29: thông báo việc thụ lý cho người tố cáo trong 05 ngày làm việc "
     "kể từ ngày ra quyết định thụ lý", D(2019, 1, 1)),
    ("denunciation.resolve", "days", 30, None, None, None, 30, 2,
     f"{DENUNCIATIONS}, Điều 30: giải quyết không quá 30 ngày kể từ ngày thụ lý; phức tạp gia hạn "
     "một lần, đặc biệt phức tạp gia hạn hai lần, mỗi lần không quá 30 ngày", D(2019, 1, 1)),
    # No statute fixes one time limit for handling a petition or feedback letter; this is the
    # practice of letter handling (10 working days from receipt to process it and forward it to
    # the competent body), editable here.
    ("petition.answer", "working_days", 10, None, None, None, None, 0,
     f"{RECEPTION}, Điều 28 và quy trình xử lý đơn (Thông tư 05/2021/TT-TTCP): xử lý, chuyển đơn "
     "kiến nghị, phản ánh trong 10 ngày làm việc kể từ ngày nhận (thực tiễn; chỉnh sửa được)", D(2014, 7, 1)),
    # Due the day before the council's next plenary session opens; `days` (180: the council meets
    # in regular session at least twice a year) only applies while no next session is scheduled.
    ("voter_petition.answer", "before_next_session", 180, None, None, None, None, 0,
     f"{SUPERVISION}: kiến nghị của cử tri được trả lời, báo cáo trước kỳ họp Hội đồng nhân dân tiếp theo "
     "(khi chưa có lịch kỳ họp: 180 ngày)",
     D(2016, 7, 1)),
]

T = "Tết Nguyên đán"
HOLIDAYS = [
    # 2025 (Ất Tỵ: mùng 1 Tết = 29/1)
    (D(2025, 1, 1), "Tết Dương lịch"),
    (D(2025, 1, 27), T), (D(2025, 1, 28), T), (D(2025, 1, 29), T), (D(2025, 1, 30), T), (D(2025, 1, 31), T),
    (D(2025, 4, 7), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (D(2025, 4, 30), "Ngày Chiến thắng 30/4"),
    (D(2025, 5, 1), "Ngày Quốc tế Lao động 1/5"),
    (D(2025, 5, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)"),
    (D(2025, 9, 1), "Quốc khánh (ngày liền kề)"),
    (D(2025, 9, 2), "Quốc khánh 2/9"),
    # 2026 (Bính Ngọ: mùng 1 Tết = 17/2)
    (D(2026, 1, 1), "Tết Dương lịch"),
    (D(2026, 2, 16), T), (D(2026, 2, 17), T), (D(2026, 2, 18), T), (D(2026, 2, 19), T), (D(2026, 2, 20), T),
    (D(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật 26/4)"),
    (D(2026, 4, 30), "Ngày Chiến thắng 30/4"),
    (D(2026, 5, 1), "Ngày Quốc tế Lao động 1/5"),
    (D(2026, 9, 1), "Quốc khánh (ngày liền kề)"),
    (D(2026, 9, 2), "Quốc khánh 2/9"),
    # 2027 (Đinh Mùi: mùng 1 Tết = Thứ Bảy 6/2) — computed; check against the year's notice.
    (D(2027, 1, 1), "Tết Dương lịch"),
    (D(2027, 2, 5), T), (D(2027, 2, 8), T), (D(2027, 2, 9), T),
    (D(2027, 2, 10), "Tết Nguyên đán (nghỉ bù)"), (D(2027, 2, 11), "Tết Nguyên đán (nghỉ bù)"),
    (D(2027, 4, 16), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (D(2027, 4, 30), "Ngày Chiến thắng 30/4"),
    (D(2027, 5, 3), "Nghỉ bù Ngày Quốc tế Lao động (Thứ Bảy 1/5)"),
    (D(2027, 9, 2), "Quốc khánh 2/9"),
    (D(2027, 9, 3), "Quốc khánh (ngày liền kề)"),
]

WORKING_WEEKENDS = [
    (D(2025, 4, 26), "Làm bù cho ngày nghỉ hoán đổi thứ Sáu 2/5/2025"),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    Holiday = apps.get_model("petitions", "Holiday")
    WorkingWeekend = apps.get_model("petitions", "WorkingWeekend")
    for step, unit, days, cx, remote, remote_cx, ext, max_ext, law, valid_from in RULES:
        DeadlineRule.objects.get_or_create(
            step=step, valid_from=valid_from,
            defaults=dict(unit=unit, days=days, days_complex=cx, days_remote=remote, days_remote_complex=remote_cx,
                          extension_days=ext, max_extensions=max_ext, law=law))
    for date, name in HOLIDAYS:
        Holiday.objects.get_or_create(date=date, defaults={"name": name})
    for date, name in WORKING_WEEKENDS:
        WorkingWeekend.objects.get_or_create(date=date, defaults={"name": name})


def unseed(apps, schema_editor):
    apps.get_model("petitions", "WorkingWeekend").objects.filter(date__in=[d for d, _ in WORKING_WEEKENDS]).delete()
    apps.get_model("petitions", "Holiday").objects.filter(date__in=[d for d, _ in HOLIDAYS]).delete()
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    for step, *_rest, valid_from in RULES:
        DeadlineRule.objects.filter(step=step, valid_from=valid_from).delete()


class Migration(migrations.Migration):

    dependencies = [("petitions", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
