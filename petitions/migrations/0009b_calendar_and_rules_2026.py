"""The calendar and the rule table as they stand in December 2026 (issue 12, items 1, 3, 5, 6).

Calendar (statuses: petitions.models.CalendarStatus):
- 2025 and 2026 are announced years (CalendarYear.confirmed). 2026's Tết (Monday 16/2 to Friday
  20/2/2026) is the Ministry of Home Affairs' notice of 17/10/2025 on Tết Nguyên đán and Quốc khánh
  2026 (issued on the Prime Minister's direction); its New Year swap came with 0007 (Văn bản
  12729/VPCP-KGVX ngày 25/12/2025). The other days are the Labour Code 2019's (45/2019/QH14)
  art. 112(1) holidays and a day off in lieu when a holiday falls on a weekly rest day (art. 111(3)).
- 2027 is computed, not announced: its rows are "provisional" (counted, and flagged), and the year
  is not confirmed, so the office is warned until the year's notices are entered.
- A National Day 2026 swap (Monday 31/8 off, Saturday 22/8 worked) is reported by issue 12 and was
  proposed by the Ministry of Home Affairs (5 days off for 2/9/2026), but no official text deciding
  it was found: both rows are "unverified" (not counted; a deadline counted over them says so) until
  the office confirms them in the admin (status "official") or deletes them.
- Vietnamese Culture Day (24/11) is data switched off: the Politburo chose 24/11 as Ngày Văn hóa
  Việt Nam, to be a paid holiday, and the Government's Resolution 30/NQ-CP (February 2026) tasks an
  amendment of the Labour Code art. 112(1); no enacted amendment was found. The office switches
  the rows on (status "official") once it is enacted, with its effective date.

Rules:
- Petitions and feedback: 10 working days is law (Luật Tiếp công dân 2013 art. 28(1)), not practice.
- Denunciation acceptance: 10 working days instead of 7 only when the denunciation must be checked
  at several places (Luật Tố cáo 2018 art. 24(1)), no longer for any "complex" case. A complex
  denunciation whose acceptance is open keeps its 10 days, marked with that ground (Case.multi_site).
- New steps: forwarding a denunciation outside the council's competence within 5 working days of
  receipt, and the notice of it to the denouncer (art. 24(2)); the notice to the accused party of
  the denunciation's content after acceptance (art. 29; the clause not confirmed here: unverified).
- Rows valid from 1/3/2026 (Luật 121/2025/QH15 on supervision by the National Assembly and People's
  Councils, replacing Luật 87/2015/QH13) and from 1/7/2026 (Luật 136/2025/QH15 amending the laws on
  citizen reception, complaints and denunciations). The amended articles could not be read here:
  each row restates the limit in force and says "unverified" (verified=False) rather than guessing.

Rows the office already changed are left as they are; going back restores or removes only what
still says what this migration wrote.
"""

import datetime as dt

from django.db import migrations

D = dt.date

LABOUR = "Bộ luật Lao động 2019 (45/2019/QH14), Điều 112 khoản 1"
IN_LIEU = "Bộ luật Lao động 2019 (45/2019/QH14), Điều 111 khoản 3 (nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần)"
MOHA_2026 = ("Thông báo của Bộ Nội vụ ngày 17/10/2025 về lịch nghỉ Tết Nguyên đán và Quốc khánh năm 2026 "
             "(theo ý kiến chỉ đạo của Thủ tướng Chính phủ)")
NOTICE_2025 = f"{LABOUR}; lịch nghỉ năm 2025 đã công bố (số văn bản thông báo chưa kiểm chứng ở đây)"
PROVISIONAL_2027 = f"{LABOUR}: tính theo âm lịch và quy định, chưa có thông báo lịch nghỉ năm 2027"

# (date, source) for the seeded days: which text each one rests on.
SOURCES = {
    2025: NOTICE_2025,
    2026: LABOUR,
}
SOURCES_2026 = {D(2026, 2, day): MOHA_2026 for day in range(16, 21)}
SOURCES_2026[D(2026, 4, 27)] = IN_LIEU
VPCP_2026 = "Văn bản 12729/VPCP-KGVX ngày 25/12/2025"
SOURCES_2026[D(2026, 1, 2)] = VPCP_2026

QK_SOURCE = ("Issue 12 và đề xuất của Bộ Nội vụ (nghỉ 5 ngày dịp Quốc khánh 2026): chưa tìm thấy văn bản chính thức "
             "quyết định việc hoán đổi — văn phòng xác nhận rồi chuyển sang “đã công bố”")
CULTURE_SOURCE = ("Bộ Chính trị chọn ngày 24/11 hằng năm là Ngày Văn hóa Việt Nam, ngày nghỉ lễ hưởng nguyên lương; "
                  "Nghị quyết 30/NQ-CP (2026) giao sửa đổi Bộ luật Lao động, Điều 112 khoản 1. Chưa ban hành: bật "
                  "(“đã công bố”) khi luật sửa đổi có hiệu lực")
NEW_HOLIDAYS = [
    (D(2026, 8, 31), "Nghỉ lễ Quốc khánh, hoán đổi với thứ Bảy 22/8/2026", "unverified", QK_SOURCE),
    (D(2026, 11, 24), "Ngày Văn hóa Việt Nam", "off", CULTURE_SOURCE),
    (D(2027, 11, 24), "Ngày Văn hóa Việt Nam", "off", CULTURE_SOURCE),
]
NEW_WORKING_WEEKENDS = [
    (D(2026, 8, 22), "Làm bù thứ Hai 31/8/2026 (hoán đổi dịp Quốc khánh)", "unverified", QK_SOURCE),
]
YEARS = [
    (2025, True, NOTICE_2025, ""),
    (2026, True, f"{MOHA_2026}; Văn bản 12729/VPCP-KGVX ngày 25/12/2025 (Tết Dương lịch); {LABOUR}",
     "Hoán đổi dịp Quốc khánh (31/8 nghỉ, 22/8 làm bù) chưa kiểm chứng: ghi “chưa kiểm chứng”, không tính."),
    (2027, False, PROVISIONAL_2027, "Các ngày nghỉ năm 2027 là dự kiến: cập nhật khi có thông báo chính thức."),
]

COMPLAINTS = "Luật Khiếu nại 2011 (số 02/2011/QH13)"
DENUNCIATIONS = "Luật Tố cáo 2018 (số 25/2018/QH14)"
RECEPTION = "Luật Tiếp công dân 2013 (số 42/2013/QH13)"
SUPERVISION_2025 = "Luật Hoạt động giám sát của Quốc hội và Hội đồng nhân dân (số 121/2025/QH15)"
AMENDMENT_2025 = "Luật sửa đổi, bổ sung một số điều của Luật Tiếp công dân, Luật Khiếu nại, Luật Tố cáo (số 136/2025/QH15)"

OLD_PETITION_LAW = (f"{RECEPTION}, Điều 28 và quy trình xử lý đơn (Thông tư 05/2021/TT-TTCP): xử lý, chuyển đơn "
                    "kiến nghị, phản ánh trong 10 ngày làm việc kể từ ngày nhận (thực tiễn; chỉnh sửa được)")
NEW_PETITION_LAW = (f"{RECEPTION}, Điều 28 khoản 1: kiến nghị, phản ánh được xử lý trong 10 ngày làm việc kể từ "
                    "ngày nhận")
OLD_ACCEPT_LAW = (f"{DENUNCIATIONS}, Điều 24: vào sổ, xử lý ban đầu và quyết định thụ lý trong 07 ngày làm việc "
                  "kể từ ngày nhận tố cáo (phải xác minh nhiều địa điểm: không quá 10 ngày làm việc)")
NEW_ACCEPT_LAW = (f"{DENUNCIATIONS}, Điều 24 khoản 1: vào sổ, xử lý ban đầu và quyết định thụ lý trong 07 ngày "
                  "làm việc kể từ ngày nhận tố cáo; chỉ khi phải kiểm tra, xác minh tại nhiều địa điểm: không quá 10 "
                  "ngày làm việc")

# step, unit, days, complex, remote, remote_complex, multi_site, extension_days, max_extensions, law, verified, valid_from
NEW_RULES = [
    ("denunciation.forward", "working_days", 5, None, None, None, None, None, 0,
     f"{DENUNCIATIONS}, Điều 24 khoản 2: tố cáo không thuộc thẩm quyền được chuyển đến cơ quan có thẩm quyền "
     "trong 05 ngày làm việc kể từ ngày nhận", True, D(2019, 1, 1)),
    ("denunciation.forward_notice", "working_days", 5, None, None, None, None, None, 0,
     f"{DENUNCIATIONS}, Điều 24 khoản 2: thông báo cho người tố cáo việc chuyển tố cáo, trong 05 ngày làm việc "
     "kể từ ngày nhận", True, D(2019, 1, 1)),
    ("denunciation.notify_accused", "working_days", 5, None, None, None, None, None, 0,
     f"{DENUNCIATIONS}, Điều 29: thông báo cho người bị tố cáo về nội dung tố cáo trong 05 ngày làm việc kể từ "
     "ngày ra quyết định thụ lý (khoản cụ thể chưa kiểm chứng ở đây)", False, D(2019, 1, 1)),
    ("voter_petition.answer", "before_next_session", 180, None, None, None, None, None, 0,
     f"{SUPERVISION_2025}, hiệu lực 01/3/2026, thay Luật 87/2015/QH13: kiến nghị của cử tri được trả lời, báo cáo "
     "tại kỳ họp Hội đồng nhân dân — điều, khoản và thời hạn chưa kiểm chứng ở đây", False, D(2026, 3, 1)),
]
# Steps restated from 1/7/2026 under Luật 136/2025/QH15 (the same limit, marked unverified).
AMENDED_STEPS = ["complaint.accept", "complaint.first_instance", "complaint.second_instance", "denunciation.accept",
                 "denunciation.notify", "denunciation.resolve", "denunciation.forward", "denunciation.forward_notice",
                 "denunciation.notify_accused", "petition.answer"]
AMENDED_FROM = D(2026, 7, 1)


def amended_law(law):
    return (f"{law} — {AMENDMENT_2025}, hiệu lực 01/7/2026, sửa đổi luật này: chưa kiểm chứng điều, khoản sửa đổi "
            "có thay đổi thời hạn, sự kiện bắt đầu hay bước này hay không (thời hạn giữ như cũ)")


RULE_FIELDS = ("unit", "days", "days_complex", "days_remote", "days_remote_complex", "days_multi_site",
               "extension_days", "max_extensions")


def forwards(apps, schema_editor):
    Holiday = apps.get_model("petitions", "Holiday")
    WorkingWeekend = apps.get_model("petitions", "WorkingWeekend")
    CalendarYear = apps.get_model("petitions", "CalendarYear")
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")

    for row in Holiday.objects.filter(source="", date__year__in=(2025, 2026)):
        row.source = SOURCES_2026.get(row.date) or SOURCES[row.date.year]
        row.save(update_fields=["source"])
    Holiday.objects.filter(date__year=2027, status="official", source="").update(status="provisional",
                                                                               source=PROVISIONAL_2027)
    WorkingWeekend.objects.filter(date__year=2025, source="").update(source=NOTICE_2025)
    WorkingWeekend.objects.filter(date=D(2026, 1, 10), source="").update(source=VPCP_2026)
    WorkingWeekend.objects.filter(date__year=2027, status="official", source="").update(status="provisional",
                                                                                      source=PROVISIONAL_2027)
    for day, name, status, source in NEW_HOLIDAYS:
        Holiday.objects.get_or_create(date=day, defaults={"name": name, "status": status, "source": source})
    for day, name, status, source in NEW_WORKING_WEEKENDS:
        WorkingWeekend.objects.get_or_create(date=day, defaults={"name": name, "status": status, "source": source})
    for year, confirmed, source, note in YEARS:
        CalendarYear.objects.get_or_create(year=year, defaults={"confirmed": confirmed, "source": source, "note": note})

    DeadlineRule.objects.filter(step="petition.answer", law=OLD_PETITION_LAW).update(law=NEW_PETITION_LAW)
    DeadlineRule.objects.filter(step="denunciation.accept", law=OLD_ACCEPT_LAW, days_complex=10).update(
        law=NEW_ACCEPT_LAW, days_complex=None, days_multi_site=10)
    for step, unit, days, cx, remote, remote_cx, multi, ext, max_ext, law, verified, valid_from in NEW_RULES:
        DeadlineRule.objects.get_or_create(step=step, valid_from=valid_from, defaults=dict(
            unit=unit, days=days, days_complex=cx, days_remote=remote, days_remote_complex=remote_cx,
            days_multi_site=multi, extension_days=ext, max_extensions=max_ext, law=law, verified=verified))
    # An open acceptance that got 10 working days because the case was marked complex (the only way
    # before) keeps them: the office chose "complex" for the longer period art. 24(1) allows; it is now
    # said as its ground (Case.multi_site), which the office can untick.
    Case = apps.get_model("petitions", "Case")
    Case.objects.filter(kind="denunciation", complexity__in=("complex", "very_complex"),
                        deadlines__step="denunciation.accept", deadlines__met_at__isnull=True).update(multi_site=True)
    for step in AMENDED_STEPS:
        base = (DeadlineRule.objects.filter(step=step, valid_from__lt=AMENDED_FROM)
                .order_by("-valid_from", "-id").first())
        if base is None or DeadlineRule.objects.filter(step=step, valid_from=AMENDED_FROM).exists():
            continue
        DeadlineRule.objects.create(step=step, valid_from=AMENDED_FROM, law=amended_law(base.law), verified=False,
                                    **{name: getattr(base, name) for name in RULE_FIELDS})


def backwards(apps, schema_editor):
    Holiday = apps.get_model("petitions", "Holiday")
    WorkingWeekend = apps.get_model("petitions", "WorkingWeekend")
    CalendarYear = apps.get_model("petitions", "CalendarYear")
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")

    for step in AMENDED_STEPS:
        DeadlineRule.objects.filter(step=step, valid_from=AMENDED_FROM, verified=False,
                                    law__contains=AMENDMENT_2025).delete()
    for step, *_rest, law, verified, valid_from in NEW_RULES:
        DeadlineRule.objects.filter(step=step, valid_from=valid_from, law=law).delete()
    DeadlineRule.objects.filter(step="denunciation.accept", law=NEW_ACCEPT_LAW, days_multi_site=10).update(
        law=OLD_ACCEPT_LAW, days_complex=10, days_multi_site=None)
    DeadlineRule.objects.filter(step="petition.answer", law=NEW_PETITION_LAW).update(law=OLD_PETITION_LAW)

    for year, confirmed, source, note in YEARS:
        CalendarYear.objects.filter(year=year, source=source).delete()
    for day, name, status, source in NEW_WORKING_WEEKENDS:
        WorkingWeekend.objects.filter(date=day, name=name, source=source).delete()
    for day, name, status, source in NEW_HOLIDAYS:
        Holiday.objects.filter(date=day, name=name, source=source).delete()
    WorkingWeekend.objects.filter(date__year=2027, source=PROVISIONAL_2027).update(status="official", source="")
    Holiday.objects.filter(date__year=2027, source=PROVISIONAL_2027).update(status="official", source="")
    WorkingWeekend.objects.filter(source__in=[NOTICE_2025, VPCP_2026]).update(source="")
    Holiday.objects.filter(source__in=[NOTICE_2025, LABOUR, MOHA_2026, IN_LIEU, VPCP_2026]).update(source="")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0009a_calendar_status_rule_source")]

    operations = [migrations.RunPython(forwards, backwards)]
