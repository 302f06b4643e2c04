"""Petitions register benchmark: 100,000 cases; intake, duplicate check, public search, dashboard.

    .venv/bin/python bench/petitions.py                 # SQLite in a temporary file
    .venv/bin/python bench/petitions.py --postgres      # PostgreSQL: a fresh database bench_petitions_<random>
                                                        # on the server of DATABASE_URL (default
                                                        # postgres://postgres@127.0.0.1:5432/postgres)

It makes a fresh database (migrate — which seeds the deadline rules and holidays
— and the demo council), then generates N (100,000) cases over three years with
bulk_create: every kind (petitions, feedback, voters' petitions from 300
voter-contact meetings, complaints, denunciations), 12 districts and their
communes, 14 fields, 30 agencies, every status, with the rows a real register
has — the sender's identity (for all but the anonymous), the public milestones,
the first step's deadline (met on time, late, or open), transfers and answers
(reviewed, most published). Text is generated from citizens' and council
phrasing (đường liên thôn sạt lở, ô nhiễm, đất đai, chế độ chính sách…).

Then it measures, each timing one call after warm-up:
- intake: S (200) submissions through petitions.services.submit as the public
  web form does (source web, a throttle key per client): validation, the
  tracking code, case + identity + milestone + deadline + audit in one
  transaction; the clock stops when it returns (the receipt can be shown);
- duplicate check: petitions.services.likely_duplicates on S new letters (a
  dict, as the office's intake screen asks before saving), some from repeat senders;
- public search: GET petitions:answers?q=… through Django's test Client, Q (200)
  queries of one to three words, with and without diacritics, some with a district;
- dashboard: GET petitions:dashboard as petition staff (median of 5 after one
  warm-up). Where that page does not exist, the statistics page
  (petitions:statistics) is measured instead and the line says so above it.
Above the last line it also prints the statistics page and the Open311 requests list.

The last line is exactly:
    petitions cases=100000 intake_p95_ms=... dup_check_p95_ms=... search_p95_ms=... dashboard_ms=...
p95 is the nearest-rank 95th percentile.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from freshdb import fresh_database, log

ROOT = Path(__file__).resolve().parent.parent

# ---- realistic text -----------------------------------------------------------------------------

DISTRICTS = {
    "Thành phố Tuyên Quang": ["phường Phan Thiết", "phường Minh Xuân", "phường Tân Quang", "xã An Tường", "xã Tràng Đà"],
    "Huyện Lâm Bình": ["xã Lăng Can", "xã Thượng Lâm", "xã Khuôn Hà", "xã Bình An"],
    "Huyện Na Hang": ["thị trấn Na Hang", "xã Thượng Giáp", "xã Sơn Phú", "xã Năng Khả"],
    "Huyện Chiêm Hóa": ["thị trấn Vĩnh Lộc", "xã Kim Bình", "xã Hòa Phú", "xã Tân Mỹ", "xã Yên Lập"],
    "Huyện Hàm Yên": ["thị trấn Tân Yên", "xã Thái Sơn", "xã Bạch Xa", "xã Yên Thuận"],
    "Huyện Yên Sơn": ["xã Chiêu Yên", "xã Mỹ Bằng", "xã Lực Hành", "xã Kiến Thiết", "xã Hoàng Khai"],
    "Huyện Sơn Dương": ["thị trấn Sơn Dương", "xã Tân Trào", "xã Minh Thanh", "xã Hồng Lạc", "xã Đông Thọ"],
    "Huyện Vị Xuyên": ["thị trấn Vị Xuyên", "xã Thanh Thủy", "xã Tùng Bá"],
    "Huyện Bắc Mê": ["thị trấn Yên Phú", "xã Minh Ngọc", "xã Đường Âm"],
    "Huyện Quản Bạ": ["thị trấn Tam Sơn", "xã Cán Tỷ", "xã Lùng Tám"],
    "Huyện Đồng Văn": ["thị trấn Đồng Văn", "xã Lũng Cú", "xã Sà Phìn"],
    "Huyện Mèo Vạc": ["thị trấn Mèo Vạc", "xã Pả Vi", "xã Xín Cái"],
}
FIELDS = [("dat-dai", "Đất đai"), ("moi-truong", "Môi trường"), ("giao-thong", "Giao thông, hạ tầng"),
          ("y-te", "Y tế"), ("giao-duc", "Giáo dục"), ("chinh-sach", "Chế độ, chính sách"),
          ("nong-nghiep", "Nông nghiệp, thủy lợi"), ("dien-nuoc", "Điện, nước sinh hoạt"),
          ("xay-dung", "Xây dựng, quy hoạch"), ("an-ninh", "An ninh, trật tự"), ("tu-phap", "Tư pháp"),
          ("lao-dong", "Lao động, việc làm"), ("tai-chinh", "Tài chính, thuế"), ("van-hoa", "Văn hóa, du lịch")]
AGENCIES = ["Sở Tài nguyên và Môi trường", "Sở Giao thông vận tải", "Sở Y tế", "Sở Giáo dục và Đào tạo",
            "Sở Lao động - Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Xây dựng",
            "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ",
            "Công an tỉnh", "Thanh tra tỉnh", "Công ty Điện lực Tuyên Quang", "Bảo hiểm xã hội tỉnh", "Cục Thuế tỉnh",
            "Ban Quản lý dự án đầu tư xây dựng tỉnh"] + [f"Ủy ban nhân dân {d[0].lower()}{d[1:]}" for d in DISTRICTS]
TOPICS = {
    "dat-dai": ["cấp giấy chứng nhận quyền sử dụng đất", "bồi thường, hỗ trợ tái định cư dự án đường cao tốc",
                "tranh chấp ranh giới đất giữa hai hộ", "thu hồi đất làm khu công nghiệp", "giá đất bồi thường thấp"],
    "moi-truong": ["ô nhiễm nguồn nước suối do cơ sở chế biến", "rác thải sinh hoạt không được thu gom",
                   "khai thác cát trái phép trên sông Lô", "trại lợn gây mùi hôi", "khói bụi nhà máy xi măng"],
    "giao-thong": ["đường liên thôn bị sạt lở sau mưa lũ", "cầu treo xuống cấp nguy hiểm", "đường vào trường học lầy lội",
                   "thiếu đèn chiếu sáng trên quốc lộ", "xe quá tải làm hỏng đường liên xã"],
    "y-te": ["trạm y tế xã thiếu bác sĩ", "thanh toán bảo hiểm y tế khi khám trái tuyến", "thiếu thuốc ở bệnh viện huyện"],
    "giao-duc": ["phòng học tạm xuống cấp", "thiếu giáo viên tiếng Anh", "chế độ hỗ trợ học sinh bán trú chậm chi trả"],
    "chinh-sach": ["chế độ người có công chưa được giải quyết", "trợ cấp xã hội cho người cao tuổi",
                   "hỗ trợ nhà ở cho hộ nghèo", "rà soát hộ cận nghèo chưa chính xác"],
    "nong-nghiep": ["kênh mương nội đồng bị bồi lấp", "hỗ trợ giống cây trồng sau thiên tai", "dịch tả lợn châu Phi"],
    "dien-nuoc": ["điện sinh hoạt chập chờn", "thôn chưa có nước sạch", "giá điện tăng bất thường"],
    "xay-dung": ["công trình xây dựng không phép", "quy hoạch treo nhiều năm", "chất lượng nhà văn hóa thôn kém"],
    "an-ninh": ["tụ tập gây mất trật tự ban đêm", "cờ bạc trong khu dân cư", "đua xe trái phép"],
    "tu-phap": ["chậm cấp trích lục hộ tịch", "thủ tục chứng thực rườm rà"],
    "lao-dong": ["nợ lương công nhân", "doanh nghiệp không đóng bảo hiểm xã hội", "đào tạo nghề cho lao động nông thôn"],
    "tai-chinh": ["thu phí sai quy định", "thuế đất phi nông nghiệp tính sai"],
    "van-hoa": ["bảo tồn di tích xuống cấp", "karaoke gây ồn quá giờ", "lễ hội tổ chức thiếu an toàn"],
}
OPENERS = ["Cử tri {c}, {d} phản ánh", "Tôi xin kiến nghị về việc", "Kính gửi Thường trực HĐND tỉnh, nhân dân thôn {t} đề nghị xem xét",
           "Cử tri kiến nghị", "Gia đình tôi ở {c} đề nghị giải quyết", "Nhân dân khu phố {t} phản ánh tình trạng"]
SENTENCES = ["Tình trạng này kéo dài đã {n} tháng, ảnh hưởng đến đời sống và sản xuất của {m} hộ dân.",
             "Chúng tôi đã nhiều lần kiến nghị với Ủy ban nhân dân xã nhưng chưa được giải quyết dứt điểm.",
             "Đề nghị các cơ quan có thẩm quyền sớm kiểm tra, xử lý và trả lời cho nhân dân được biết.",
             "Mùa mưa lũ vừa qua tình hình càng nghiêm trọng, học sinh đi học rất khó khăn.",
             "Đề nghị Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành liên quan bố trí kinh phí khắc phục.",
             "Việc chậm trễ gây bức xúc trong nhân dân, làm giảm niềm tin vào chính quyền cơ sở.",
             "Cử tri mong muốn Hội đồng nhân dân tỉnh giám sát việc thực hiện và đôn đốc các cơ quan trả lời đúng hạn.",
             "Kinh phí dự kiến khoảng {n} trăm triệu đồng, đề nghị tỉnh hỗ trợ một phần.",
             "Đoạn đường dài khoảng {m} mét, nhiều vị trí ổ gà, sụt lún, mất an toàn giao thông.",
             "Đề nghị công khai kết quả xử lý để nhân dân giám sát."]
ANSWERS = ["Ủy ban nhân dân tỉnh đã giao {a} kiểm tra thực tế; dự kiến bố trí kinh phí khắc phục trong năm {y}.",
           "{a} đã tiếp thu, chỉ đạo đơn vị liên quan xử lý dứt điểm; kết quả đã thông báo đến cử tri.",
           "Nội dung kiến nghị thuộc thẩm quyền của Ủy ban nhân dân huyện; {a} đã chuyển và đôn đốc giải quyết.",
           "Theo quy định hiện hành, việc hỗ trợ được thực hiện theo Nghị quyết của HĐND tỉnh; {a} sẽ rà soát và chi trả trong quý {q}."]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ma", "Hà", "Nông", "Lý", "Triệu", "Quan"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thị Thu", "Ngọc", "Quang", "Hữu", "Thanh"]
GIVEN = ["Tám", "Hoa", "Sơn", "Lan", "Hùng", "Mai", "Dũng", "Hằng", "Tuấn", "Nga", "Thắng", "Hương", "Bình", "Phương", "Khánh"]
QUERIES = ["đường liên thôn", "sạt lở", "nước sạch", "ô nhiễm", "giấy chứng nhận", "bồi thường", "trạm y tế",
           "học sinh bán trú", "người có công", "điện sinh hoạt", "kênh mương", "rác thải", "hộ nghèo", "đèn chiếu sáng",
           "cầu treo", "khai thác cát", "nợ lương", "di tích", "bảo hiểm y tế", "quy hoạch treo", "phòng học"]


def pct(xs: list[float], p: float) -> float:
    ordered = sorted(xs)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def strip_marks(text: str) -> str:
    from library.text import fold

    return fold(text)


def prepare_database(args, workdir: Path):
    """Point Django at a fresh database; return a function that drops it."""
    os.environ.setdefault("SECRET_KEY", "bench-petitions")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DOCUMENT_ROOT"] = str(workdir / "documents")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    return fresh_database(postgres=args.postgres, workdir=workdir, prefix="bench_petitions")


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


# ---- the register -------------------------------------------------------------------------------

def person(rng):
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def letter_text(rng, field_code, district, commune):
    topic = rng.choice(TOPICS[field_code])
    opener = rng.choice(OPENERS).format(c=commune, d=district, t=rng.randint(1, 12))
    body = [f"{opener} {topic} tại {commune}, {district}."]
    body += [rng.choice(SENTENCES).format(n=rng.randint(2, 30), m=rng.randint(10, 900)) for _ in range(rng.randint(2, 5))]
    subject = f"{topic[0].upper()}{topic[1:]} tại {commune}"
    return subject, " ".join(body)


def make_reference(rng):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from meeting.demo import load_demo
    from meeting.models import Body, Session
    from petitions.models import Agency, Field, VoterMeeting

    load_demo(documents=False)
    User = get_user_model()
    staff = User.objects.create(username="bench-donthu", first_name="Cán bộ tiếp dân")
    staff.user_permissions.add(Permission.objects.get(codename="handle_cases", content_type__app_label="petitions"))
    staff = User.objects.get(pk=staff.pk)
    fields = {code: Field.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in FIELDS}
    agencies = [Agency.objects.create(name=name, kind=Agency.Kind.DISTRICT if name.startswith("Ủy ban") else Agency.Kind.DEPARTMENT,
                                      level="district" if name.startswith("Ủy ban") else "province") for name in AGENCIES]
    sessions = list(Session.objects.all())
    group = Body.objects.filter(kind="group").first() or Body.objects.first()
    meetings = []
    for i in range(300):
        district = rng.choice(list(DISTRICTS))
        meetings.append(VoterMeeting(held_on=date.today() - timedelta(days=rng.randint(0, 3 * 365)),
                                     place=f"Nhà văn hóa {rng.choice(DISTRICTS[district])}", district=district,
                                     commune=rng.choice(DISTRICTS[district]), delegate_group=group,
                                     session=rng.choice(sessions), when=rng.choice(["before", "after"]),
                                     voters=rng.randint(40, 250)))
    meetings = VoterMeeting.objects.bulk_create(meetings)
    return staff, fields, agencies, meetings


def make_cases(rng, n, fields, agencies, meetings) -> float:
    from django.db import transaction
    from django.utils import timezone

    from library.text import fold
    from petitions import codes
    from petitions.deadlines import FIRST_STEP
    from petitions.models import Answer, Case, Deadline, DeadlineRule, Identity, Milestone, Transfer
    from petitions.services import person_keys

    rules = {step: DeadlineRule.objects.filter(step=step).order_by("-valid_from").first() for step in set(FIRST_STEP.values())}
    kinds = ["petition"] * 30 + ["feedback"] * 25 + ["voter_petition"] * 25 + ["complaint"] * 12 + ["denunciation"] * 8
    statuses = (["received"] * 6 + ["classified"] * 4 + ["accepted"] * 5 + ["forwarded"] * 25 + ["answered"] * 10
                + ["published"] * 35 + ["guided"] * 5 + ["not_eligible"] * 4 + ["duplicate"] * 2 + ["withdrawn"] * 1
                + ["closed"] * 3)
    field_codes = list(fields)
    now = timezone.now()
    seen = set()
    started = time.perf_counter()
    batch = 2000
    for offset in range(0, n, batch):
        cases, people, extras = [], [], []
        for _i in range(min(batch, n - offset)):
            kind = rng.choice(kinds)
            field_code = rng.choice(field_codes)
            meeting = rng.choice(meetings) if kind == "voter_petition" else None
            district = meeting.district if meeting else rng.choice(list(DISTRICTS))
            commune = meeting.commune if meeting else rng.choice(DISTRICTS[district])
            subject, content = letter_text(rng, field_code, district, commune)
            received = now - timedelta(days=rng.random() * 3 * 365, seconds=rng.randint(0, 86400))
            status = rng.choice(statuses)
            forwarded = status in ("forwarded", "answered", "published", "closed")
            code = codes.new_code()
            while code in seen:
                code = codes.new_code()
            seen.add(code)
            due = (received + timedelta(days=rng.choice([10, 15, 30, 45]))).date()
            anonymous = kind in ("denunciation", "feedback") and rng.random() < 0.15
            on_spot = kind == "voter_petition" and rng.random() < 0.15
            cases.append(Case(
                tracking_code=code, kind=kind, source="voter_meeting" if meeting else rng.choice(["web", "web", "reception", "post", "api"]),
                subject=subject, content=content, folded=fold(f"{subject}\n{content}"), field=fields[field_code],
                district=district, commune=commune, remote_area=rng.random() < 0.2, meeting=meeting,
                level=rng.choice(["central", "province", "province", "district"]) if meeting else "",
                answered_on_spot=on_spot, status=status, decision="forward" if forwarded else "",
                agency=rng.choice(agencies) if forwarded else None, received_at=received,
                due_on=None if status in ("published", "guided", "not_eligible", "duplicate", "withdrawn", "closed") else due,
                is_public=kind not in ("complaint", "denunciation"), anonymous=anonymous,
                unsatisfactory=status == "published" and rng.random() < 0.03,
                questioning_candidate=status == "published" and rng.random() < 0.01,
            ))
            people.append(None if anonymous or meeting else {"full_name": person(rng), "phone": f"09{rng.randint(10**7, 10**8 - 1)}",
                                                             "email": "", "address": f"thôn {rng.randint(1, 12)}, {commune}"})
            extras.append((status, forwarded, received, due))
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            if any(c.pk is None for c in cases):  # a backend without RETURNING
                ids = dict(Case.objects.filter(tracking_code__in=[c.tracking_code for c in cases]).values_list("tracking_code", "pk"))
                for c in cases:
                    c.pk = c.id = ids[c.tracking_code]
            Case.objects.filter(pk__in=[c.pk for c in cases]).update(updated_at=now)  # auto_now: leave as the load time
            identities, stones, deadlines, transfers = [], [], [], []
            for case, who, (status, forwarded, received, due) in zip(cases, people, extras):
                if who:
                    keys = person_keys(who)
                    identities.append(Identity(case=case, person_key=keys[0] if keys else "", **who))
                stones.append(Milestone(case=case, kind="received", at=received, text="Đã tiếp nhận đơn."))
                met = None
                if status not in ("received", "classified", "accepted", "forwarded"):
                    met = received + timedelta(days=rng.choice([3, 7, 12, 20, 28, 40, 60]))
                deadlines.append(Deadline(case=case, rule=rules[FIRST_STEP[case.kind]], step=FIRST_STEP[case.kind],
                                          starts_on=received.date(), due_on=due, met_at=met))
                if forwarded:
                    stones.append(Milestone(case=case, kind="forwarded", at=received + timedelta(days=2),
                                            text=f"Đã chuyển đến {case.agency.name} để xem xét, giải quyết."))
                    transfers.append(Transfer(case=case, agency=case.agency, sent_at=received + timedelta(days=2), due_on=due,
                                              status="accepted" if status in ("published", "closed") else
                                              "answered" if status == "answered" else "sent"))
            Identity.objects.bulk_create(identities)
            Deadline.objects.bulk_create(deadlines)
            Transfer.objects.bulk_create(transfers)
            answers = []
            for transfer in transfers:
                if transfer.status == "sent":
                    continue
                case = transfer.case
                at = transfer.sent_at + timedelta(days=rng.randint(5, 40))
                published = transfer.status == "accepted"
                answers.append(Answer(case=case, transfer=transfer, answered_at=at,
                                      text=rng.choice(ANSWERS).format(a=case.agency.name, y=at.year + 1, q=rng.randint(1, 4)),
                                      review="approved" if published else "pending", reviewed_at=at if published else None,
                                      published_at=at + timedelta(days=1) if published else None))
                if published:
                    stones.append(Milestone(case=case, kind="published", at=at + timedelta(days=1),
                                            text="Đã công khai kết quả trả lời."))
            Answer.objects.bulk_create(answers)
            Milestone.objects.bulk_create(stones)
        if (offset // batch) % 10 == 0:
            log(f"  {offset + len(cases)} cases, {time.perf_counter() - started:.0f} s")
    return time.perf_counter() - started


# ---- measurements ---------------------------------------------------------------------------------

def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def measure_intake(rng, count, fields) -> list[float]:
    from petitions import services

    field_list = list(fields.values())
    times = []
    for i in range(count + 10):
        district = rng.choice(list(DISTRICTS))
        commune = rng.choice(DISTRICTS[district])
        field = rng.choice(field_list)
        subject, content = letter_text(rng, field.code, district, commune)
        who = {"full_name": person(rng), "phone": f"09{rng.randint(10**7, 10**8 - 1)}", "email": "",
               "address": f"thôn {rng.randint(1, 12)}, {commune}"}
        kind = rng.choice(["petition", "feedback", "complaint", "denunciation"])
        ms = timed(lambda: services.submit(None, kind=kind, source="web", subject=subject, content=content, identity=who,
                                           field=field, district=district, commune=commune,
                                           client=services.client_key(f"198.51.100.{i}")))
        if i >= 10:
            times.append(ms)
    return times


def measure_duplicates(rng, count, fields) -> list[float]:
    from petitions import services
    from petitions.models import Identity

    repeaters = list(Identity.objects.order_by("-pk").values("full_name", "phone", "email")[: count // 2])
    field_list = list(fields.values())
    times = []
    for i in range(count + 10):
        district = rng.choice(list(DISTRICTS))
        commune = rng.choice(DISTRICTS[district])
        field = rng.choice(field_list)
        subject, content = letter_text(rng, field.code, district, commune)
        who = repeaters[i % len(repeaters)] if i % 2 and repeaters else {"full_name": person(rng), "phone": "0912000111"}
        data = {"subject": subject, "content": content, "district": district, "field": field, "identity": who}
        ms = timed(lambda: services.likely_duplicates(data))
        if i >= 10:
            times.append(ms)
    return times


def measure_search(rng, count) -> list[float]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    url = reverse("petitions:answers")
    times = []
    for i in range(count + 10):
        words = rng.choice(QUERIES)
        if rng.random() < 0.3:
            words = words.split()[0]
        if rng.random() < 0.5:
            words = strip_marks(words)
        params = {"q": words}
        if rng.random() < 0.3:
            params["district"] = rng.choice(list(DISTRICTS))
        if rng.random() < 0.1:
            params["page"] = 2
        holder = {}
        ms = timed(lambda: holder.setdefault("r", client.get(url, params)))
        assert holder["r"].status_code == 200, holder["r"].status_code
        if i >= 10:
            times.append(ms)
    return times


def measure_page(client, url, runs=5) -> float:
    client.get(url)
    times = []
    for _i in range(runs):
        holder = {}
        times.append(timed(lambda: holder.setdefault("r", client.get(url))))
        assert holder["r"].status_code == 200, (url, holder["r"].status_code)
    return statistics.median(times)


def machine() -> str:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal:")), 0)
    return f"{os.cpu_count()} CPUs ({model}), {mem / 1024 / 1024:.1f} GiB RAM, Python {sys.version.split()[0]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--cases", type=int, default=100_000, help="cases in the register (100000)")
    parser.add_argument("-s", "--submissions", type=int, default=200, help="timed submissions and duplicate checks (200)")
    parser.add_argument("-q", "--queries", type=int, default=200, help="timed public searches (200)")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database on DATABASE_URL's server")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (SQLite file)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="bench-petitions-"))
    drop = lambda: None  # noqa: E731
    try:
        drop = prepare_database(args, workdir)
        setup_django()
        from django.db import connection
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        staff, fields, agencies, meetings = make_reference(rng)
        log(f"{connection.vendor}: generating {args.cases} cases…")
        seconds = make_cases(rng, args.cases, fields, agencies, meetings)
        log(f"  generated in {seconds:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as c:  # what autovacuum does soon after a bulk load
                c.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as c:
                c.execute("ANALYZE")

        intake = measure_intake(rng, args.submissions, fields)
        log(f"intake p50 {pct(intake, 50):.1f} ms p95 {pct(intake, 95):.1f} ms")
        dups = measure_duplicates(rng, args.submissions, fields)
        log(f"duplicate check p50 {pct(dups, 50):.1f} ms p95 {pct(dups, 95):.1f} ms")
        search = measure_search(rng, args.queries)
        log(f"search p50 {pct(search, 50):.1f} ms p95 {pct(search, 95):.1f} ms")

        client = Client()
        client.force_login(staff)
        try:
            dashboard_url, dashboard_what = reverse("petitions:dashboard"), "petitions:dashboard"
        except NoReverseMatch:
            dashboard_url, dashboard_what = reverse("petitions:statistics"), "petitions:statistics (no dashboard page yet)"
        dashboard = measure_page(client, dashboard_url)
        stats_ms = measure_page(client, reverse("petitions:statistics"))
        open311_ms = measure_page(Client(), reverse("petitions:open311_requests", args=["json"]))

        print(f"machine: {machine()}; database: {connection.vendor} "
              f"{connection.pg_version if connection.vendor == 'postgresql' else connection.Database.sqlite_version}")
        print(f"generated {args.cases} cases in {seconds:.1f} s")
        for name, xs in (("intake", intake), ("dup_check", dups), ("search", search)):
            print(f"{name} ms: min={min(xs):.1f} p50={pct(xs, 50):.1f} mean={statistics.fmean(xs):.1f} "
                  f"p95={pct(xs, 95):.1f} max={max(xs):.1f}")
        print(f"dashboard: {dashboard_what} {dashboard:.1f} ms (median of 5)")
        print(f"statistics page {stats_ms:.1f} ms; "
              f"open311 requests.json (last 90 days, ≤1000) {open311_ms:.1f} ms")
        print(f"petitions cases={args.cases} intake_p95_ms={pct(intake, 95):.1f} dup_check_p95_ms={pct(dups, 95):.1f} "
              f"search_p95_ms={pct(search, 95):.1f} dashboard_ms={dashboard:.1f}")
    finally:
        try:
            drop()
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
