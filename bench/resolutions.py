"""Resolutions benchmark: 2,000 resolutions x 20 tasks x 12 progress reports; the office's dashboard of
tasks per agency, the public list, the public search.

    .venv/bin/python bench/resolutions.py               # SQLite in a temporary file
    .venv/bin/python bench/resolutions.py --postgres    # PostgreSQL: a fresh database bench_resolutions_<random>
                                                        # on the server of DATABASE_URL (dropped at the end)

It makes a fresh database (migrate, the demo council without documents and petitions), 30 agencies,
then N (2,000) resolutions over five years (most adopted, in implementation or completed, some
planned, drafting, replaced), each with T (20) tasks for the agencies (due dates before and after
today; open, done on time or late, a few cancelled), each task with an indicator (70 %) or two
milestones (30 %), and R (12) progress reports per task, each giving the indicator's value. Rows go
in with bulk_create; the folded search column is what resolutions.services.search_text makes.

Then it measures, through Django's test Client (the whole view, templates included):
- dashboard: GET resolutions:dashboard as resolution staff (median of 5 after one warm-up);
- public list: GET resolutions:public_list, Q (100) requests: pages 1 to 60, by year, area, status;
- search: GET resolutions:public_list?q=…, Q (100) queries of one to three words, with and without
  diacritics, some with a filter.

The last line is exactly:
    resolutions count=2000 tasks=40000 dashboard_ms=... public_list_p95_ms=... search_p95_ms=...
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

AGENCIES = ["Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Giao thông vận tải", "Sở Y tế", "Sở Giáo dục và Đào tạo",
            "Sở Lao động - Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Xây dựng",
            "Sở Tài nguyên và Môi trường", "Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ",
            "Sở Công Thương", "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ", "Công an tỉnh",
            "Ban Dân tộc tỉnh", "Cục Thuế tỉnh", "Ban Quản lý dự án đầu tư xây dựng tỉnh", "Thanh tra tỉnh"] + [
    f"Ủy ban nhân dân huyện {d}" for d in ("Lâm Bình", "Na Hang", "Chiêm Hóa", "Hàm Yên", "Yên Sơn", "Sơn Dương",
                                            "Vị Xuyên", "Bắc Mê", "Quản Bạ", "Đồng Văn")]
TITLES = {
    "budget": ["Phê chuẩn quyết toán ngân sách địa phương năm {y}", "Dự toán thu, chi ngân sách địa phương năm {y}",
               "Phân bổ dự toán chi ngân sách cấp tỉnh năm {y}", "Quy định định mức phân bổ chi thường xuyên ngân sách"],
    "investment": ["Kế hoạch đầu tư công trung hạn giai đoạn 2026-2030", "Chủ trương đầu tư dự án đường liên huyện {p}",
                   "Điều chỉnh kế hoạch đầu tư công năm {y}", "Chủ trương đầu tư cải tạo bệnh viện đa khoa {p}"],
    "fees": ["Quy định mức thu phí tham quan di tích {p}", "Mức thu lệ phí cấp giấy phép xây dựng trên địa bàn tỉnh",
             "Quy định phí bảo vệ môi trường đối với khai thác khoáng sản", "Mức thu học phí năm học {y}-{z}"],
    "social": ["Chính sách hỗ trợ học sinh bán trú vùng đặc biệt khó khăn", "Hỗ trợ nhà ở cho hộ nghèo giai đoạn {y}-{z}",
               "Chính sách thu hút bác sĩ về công tác tại trạm y tế xã", "Hỗ trợ người cao tuổi và người có công {p}"],
    "economy": ["Phát triển du lịch cộng đồng gắn với bảo tồn văn hóa {p}", "Hỗ trợ phát triển sản xuất nông nghiệp hàng hóa",
                "Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm {y}", "Phát triển kinh tế rừng bền vững"],
    "organisation": ["Giao biên chế công chức trong cơ quan hành chính năm {y}", "Sắp xếp đơn vị hành chính cấp xã {p}"],
    "supervision": ["Kết quả giám sát việc giải quyết kiến nghị cử tri năm {y}", "Chất vấn và trả lời chất vấn tại kỳ họp thứ {n}"],
    "other": ["Đặt tên đường, phố tại {p}", "Kế hoạch tổ chức các kỳ họp thường lệ năm {y}"],
}
PLACES = ["huyện Lâm Bình", "huyện Na Hang", "huyện Chiêm Hóa", "thành phố Tuyên Quang", "huyện Sơn Dương", "Tân Trào",
          "huyện Hàm Yên", "huyện Yên Sơn"]
TASKS = ["Ban hành kế hoạch triển khai", "Bố trí kinh phí thực hiện", "Hướng dẫn các huyện tổ chức thực hiện",
         "Tổng hợp, báo cáo kết quả", "Hoàn thành đầu tư xây dựng", "Hỗ trợ đối tượng thụ hưởng", "Kiểm tra, giám sát việc chi trả",
         "Đào tạo, tập huấn cán bộ cơ sở", "Rà soát, lập danh sách đối tượng", "Tuyên truyền, phổ biến chính sách"]
UNITS = [("hộ", 500, 5000), ("km", 10, 120), ("trường", 5, 60), ("tỷ đồng", 20, 900), ("người", 200, 8000), ("%", 60, 100)]
QUERIES = ["ngân sách", "đầu tư công", "học phí", "hộ nghèo", "nông thôn mới", "biên chế", "bác sĩ", "du lịch cộng đồng",
           "lệ phí", "giấy phép xây dựng", "kiến nghị cử tri", "Na Hang", "bán trú", "khoáng sản", "đặt tên đường",
           "NQ-HĐND", "quyết toán", "kinh tế rừng"]


def pct(xs: list[float], p: float) -> float:
    ordered = sorted(xs)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False  # no query log growing over the bulk load
    call_command("migrate", verbosity=0)


def make_reference():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from meeting.demo import load_demo
    from meeting.models import Term
    from petitions.models import Agency

    load_demo(documents=False, petitions=False, resolutions=False)
    staff = get_user_model().objects.create(username="bench-nghiquyet", first_name="Chuyên viên theo dõi nghị quyết")
    staff.user_permissions.add(Permission.objects.get(codename="manage_resolutions", content_type__app_label="resolutions"))
    agencies = Agency.objects.bulk_create([
        Agency(name=f"{name} (NQ)", kind=Agency.Kind.PEOPLES_COMMITTEE if name.startswith("Ủy ban") else Agency.Kind.DEPARTMENT,
               level="district" if name.startswith("Ủy ban") else "province") for name in AGENCIES])
    return staff, Term.objects.order_by("-start").first(), list(Agency.objects.filter(name__endswith="(NQ)"))


def make_data(rng, n, per, reports, term, agencies, staff) -> float:
    from django.db import transaction
    from django.utils import timezone

    from resolutions.models import Indicator, IndicatorValue, Milestone, ProgressReport, Resolution, Task
    from resolutions.services import search_text

    today = date.today()
    now = timezone.now()
    statuses = ["implementing"] * 55 + ["adopted"] * 10 + ["completed"] * 20 + ["replaced"] * 3 + ["planned"] * 6 + ["drafting"] * 6
    areas = list(TITLES)
    started = time.perf_counter()
    batch = 50
    for offset in range(0, n, batch):
        with transaction.atomic():
            resolutions = []
            for i in range(offset, min(n, offset + batch)):
                area = rng.choice(areas)
                year = today.year - rng.randint(0, 4)
                title = rng.choice(TITLES[area]).format(y=year, z=year + 1, p=rng.choice(PLACES), n=rng.randint(1, 20))
                status = rng.choice(statuses)
                adopted = status not in ("planned", "drafting")
                number = f"{i + 1}/{year}/NQ-HĐND" if adopted else ""
                decided = date(year, rng.randint(1, 12), rng.randint(1, 28)) if adopted else None
                resolutions.append(Resolution(title=title, area=area, term=term, planned_year=year, number=number,
                                              decided_on=decided, status=status, status_changed_at=now,
                                              lead_agency=rng.choice(agencies), folded=search_text(title, number)))
            Resolution.objects.bulk_create(resolutions)
            tasks, specs = [], []
            for r in resolutions:
                for _j in range(per):
                    due = today + timedelta(days=rng.randint(-400, 400))
                    roll = rng.random()
                    status = "done" if (r.status == "completed" or roll < 0.3) else ("cancelled" if roll > 0.97 else "open")
                    done_on = due + timedelta(days=rng.randint(-60, 45)) if status == "done" else None
                    tasks.append(Task(resolution=r, title=f"{rng.choice(TASKS)} {r.title[:80]}", lead_agency=rng.choice(agencies),
                                      due_on=due, weight=rng.choice([1, 1, 1, 2, 3]), status=status, done_on=done_on,
                                      created_by=staff))
            Task.objects.bulk_create(tasks, batch_size=2000)
            indicators, milestones = [], []
            for t in tasks:
                if rng.random() < 0.7:
                    unit, low, high = rng.choice(UNITS)
                    indicators.append(Indicator(task=t, name=f"Số {unit} đạt được", unit=unit, baseline=0,
                                                target=rng.randint(low, high)))
                else:
                    milestones += [Milestone(task=t, title="Ban hành kế hoạch", weight=1),
                                   Milestone(task=t, title="Tổ chức thực hiện", weight=2)]
            Indicator.objects.bulk_create(indicators, batch_size=2000)
            by_task = {i.task_id: i for i in indicators}
            rows = []
            for t in tasks:
                start = now - timedelta(days=rng.randint(200, 900))
                for k in range(reports):
                    rows.append(ProgressReport(task=t, agency=t.lead_agency, text=f"Báo cáo tiến độ lần {k + 1}.",
                                               reported_at=start + timedelta(days=30 * k), reported_by=staff))
            ProgressReport.objects.bulk_create(rows, batch_size=2000)
            values = []
            for k, report in enumerate(rows):
                indicator = by_task.get(report.task_id)
                if indicator is not None:
                    step = (k % reports) + 1
                    values.append(IndicatorValue(report=report, indicator=indicator,
                                                 value=int(indicator.target * step / reports * rng.uniform(0.5, 1.1))))
            IndicatorValue.objects.bulk_create(values, batch_size=5000)
            done_ms = []
            for m_index, m in enumerate(milestones):
                if m_index % 2 == 0 and rng.random() < 0.6:
                    m.done_on = today - timedelta(days=rng.randint(1, 300))
                done_ms.append(m)
            Milestone.objects.bulk_create(done_ms, batch_size=2000)
        if (offset // batch) % 8 == 0:
            log(f"  {offset + len(resolutions)} resolutions, {time.perf_counter() - started:.0f} s")
    return time.perf_counter() - started


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def get_ok(client, url, params=None) -> float:
    holder = {}
    ms = timed(lambda: holder.setdefault("r", client.get(url, params or {})))
    assert holder["r"].status_code == 200, (url, params, holder["r"].status_code)
    return ms


def measure_list(rng, count) -> list[float]:
    from django.test import Client
    from django.urls import reverse

    from resolutions.models import Area

    client, url, year = Client(), reverse("resolutions:public_list"), date.today().year
    times = []
    for i in range(count + 5):
        params = {"page": rng.randint(1, 60)} if rng.random() < 0.5 else {}
        choice = rng.random()
        if choice < 0.2:
            params = {"year": year - rng.randint(0, 4), "page": rng.randint(1, 5)}
        elif choice < 0.35:
            params["area"] = rng.choice(Area.values)
            params["page"] = 1
        elif choice < 0.5:
            params["status"] = rng.choice(["adopted", "implementing", "completed"])
            params["page"] = rng.randint(1, 10)
        ms = get_ok(client, url, params)
        if i >= 5:
            times.append(ms)
    return times


def measure_search(rng, count) -> list[float]:
    from django.test import Client
    from django.urls import reverse

    from library.text import fold

    client, url = Client(), reverse("resolutions:public_list")
    times = []
    for i in range(count + 5):
        words = rng.choice(QUERIES)
        if rng.random() < 0.5:
            words = fold(words)
        params = {"q": words}
        if rng.random() < 0.3:
            params["status"] = "implementing"
        ms = get_ok(client, url, params)
        if i >= 5:
            times.append(ms)
    return times


def measure_dashboard(staff, runs=5) -> float:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(staff)
    url = reverse("resolutions:dashboard")
    get_ok(client, url)
    return statistics.median(get_ok(client, url) for _i in range(runs))


def machine() -> str:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), "?")
    return f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--resolutions", type=int, default=2000)
    parser.add_argument("-t", "--tasks", type=int, default=20, help="tasks per resolution (20)")
    parser.add_argument("-r", "--reports", type=int, default=12, help="progress reports per task (12)")
    parser.add_argument("-q", "--queries", type=int, default=100, help="timed list pages and searches (100 each)")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database on DATABASE_URL's server")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (SQLite file)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="bench-resolutions-"))
    drop = lambda: None  # noqa: E731
    try:
        os.environ.setdefault("SECRET_KEY", "bench-resolutions")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        os.environ.setdefault("STATIC_MANIFEST", "0")  # the pages' {% static %} without a collectstatic run
        os.environ["DOCUMENT_ROOT"] = str(workdir / "documents")
        os.environ["MEDIA_ROOT"] = str(workdir / "media")
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        drop = fresh_database(postgres=args.postgres, workdir=workdir, prefix="bench_resolutions")
        setup_django()
        from django.db import connection

        staff, term, agencies = make_reference()
        log(f"{connection.vendor}: generating {args.resolutions} resolutions x {args.tasks} tasks x {args.reports} reports…")
        seconds = make_data(rng, args.resolutions, args.tasks, args.reports, term, agencies, staff)
        log(f"  generated in {seconds:.1f} s")
        with connection.cursor() as c:  # what autovacuum does soon after a bulk load
            c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

        dashboard = measure_dashboard(staff)
        log(f"dashboard {dashboard:.1f} ms")
        listing = measure_list(rng, args.queries)
        log(f"public list p50 {pct(listing, 50):.1f} ms p95 {pct(listing, 95):.1f} ms")
        search = measure_search(rng, args.queries)
        log(f"search p50 {pct(search, 50):.1f} ms p95 {pct(search, 95):.1f} ms")

        from resolutions.models import Task

        tasks = Task.objects.count()
        print(f"machine: {machine()}; database: {connection.vendor} "
              f"{connection.pg_version if connection.vendor == 'postgresql' else connection.Database.sqlite_version}")
        print(f"generated in {seconds:.1f} s")
        for name, xs in (("public_list", listing), ("search", search)):
            print(f"{name} ms: min={min(xs):.1f} p50={pct(xs, 50):.1f} mean={statistics.fmean(xs):.1f} "
                  f"p95={pct(xs, 95):.1f} max={max(xs):.1f}")
        print(f"dashboard: resolutions:dashboard {dashboard:.1f} ms (median of 5)")
        print(f"resolutions count={args.resolutions} tasks={tasks} dashboard_ms={dashboard:.1f} "
              f"public_list_p95_ms={pct(listing, 95):.1f} search_p95_ms={pct(search, 95):.1f}")
    finally:
        try:
            drop()
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
