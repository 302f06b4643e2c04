"""Library search benchmark: 10,000 documents, search latency, upload-to-searchable time.

    .venv/bin/python bench/library_search.py                 # SQLite (FTS5) in a temporary file
    .venv/bin/python bench/library_search.py --postgres      # PostgreSQL: a fresh database bench_search_<random>
                                                             # on the server of DATABASE_URL (default
                                                             # postgres://postgres@127.0.0.1:5432/postgres)

It makes a fresh database (migrate, the demo council), then adds more terms,
bodies and sessions, and N documents (10,000) of generated council text: every
kind, many issuers, bodies, sessions and dates over ten years, 1–20 KB of text
each built from real council phrasing (tờ trình, nghị quyết, báo cáo thẩm
tra…), 70 % public, 25 % delegates, 5 % drafts. Each gets a processed version
and is indexed by library.search.index_document, as the background job would.

Search: Q (300) varied queries as delegate Alice (so access filtering is
part of every query): one to four words with and without diacritics, phrases,
a partial last word, document numbers, rare and common words, filters (kind,
body, session, dates, issuer) with and without words, and a few pages past the
first. Latency = one call of library.search.search (the query, the page of
documents and the snippets), after 20 warm-up queries.

Upload to searchable: U (100) generated PDFs (fpdf2, the Vietnamese font,
1–3 pages) go through the real path, services.upload then the background job
(library.worker.drain: extract, page images, index); the clock runs from the
first upload until every one of them is found by a word only its file holds.

The last line is exactly:
    library-search docs=10000 search_p50_ms=... search_p95_ms=... index_s_per_100=...
p50 is the median, p95 the nearest-rank 95th percentile. index_s_per_100 is
the upload-to-searchable time scaled to 100 documents.
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

# ---- realistic council text ---------------------------------------------------------------

OPENINGS = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
    "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương",
    "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015",
    "Căn cứ Luật Đầu tư công ngày 13 tháng 6 năm 2019",
    "Căn cứ Luật Ban hành văn bản quy phạm pháp luật",
    "Căn cứ Luật Đất đai năm 2024",
    "Căn cứ Nghị định số 163/2016/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của Luật Ngân sách nhà nước",
    "Xét Tờ trình của Ủy ban nhân dân tỉnh",
    "Xét Báo cáo thẩm tra của Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh",
    "Thực hiện Nghị quyết của Tỉnh ủy về phát triển kinh tế - xã hội",
]
SUBJECTS = [
    "kế hoạch phát triển kinh tế - xã hội năm", "dự toán ngân sách địa phương", "phân bổ vốn đầu tư công trung hạn",
    "chương trình mục tiêu quốc gia xây dựng nông thôn mới", "giảm nghèo bền vững", "phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số",
    "quy hoạch tỉnh thời kỳ 2021–2030, tầm nhìn đến năm 2050", "chính sách hỗ trợ phát triển sản xuất nông nghiệp hàng hóa",
    "giá đất và bảng giá đất", "phí và lệ phí trên địa bàn tỉnh", "học phí đối với cơ sở giáo dục công lập",
    "chế độ dinh dưỡng đối với vận động viên", "mức chi cho công tác phổ biến, giáo dục pháp luật", "biên chế công chức",
    "sáp nhập đơn vị hành chính cấp xã", "đặt tên đường, phố", "phát triển du lịch cộng đồng", "chuyển đổi số",
    "bảo vệ môi trường và xử lý rác thải sinh hoạt", "cấp nước sạch nông thôn", "phòng, chống thiên tai",
    "chuyển mục đích sử dụng đất trồng lúa, đất rừng phòng hộ", "hỗ trợ nhà ở cho người có công với cách mạng",
    "xây dựng trường học đạt chuẩn quốc gia", "nâng cấp bệnh viện đa khoa tỉnh", "giải quyết kiến nghị của cử tri",
    "kết quả giám sát chuyên đề", "chất vấn và trả lời chất vấn", "thu hút đầu tư vào khu công nghiệp",
    "đường giao thông liên xã", "kiên cố hóa kênh mương nội đồng", "bảo tồn và phát huy giá trị di sản văn hóa",
]
SENTENCES = [
    "Ủy ban nhân dân tỉnh trình Hội đồng nhân dân tỉnh xem xét, quyết định {s}.",
    "Hội đồng nhân dân tỉnh thống nhất thông qua {s} với các nội dung chủ yếu sau đây.",
    "Ban Kinh tế - Ngân sách cơ bản tán thành với nội dung tờ trình về {s}, đồng thời đề nghị làm rõ thêm một số vấn đề.",
    "Ban Văn hóa - Xã hội đề nghị Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành rà soát lại {s}.",
    "Ban Pháp chế nhận thấy việc ban hành nghị quyết về {s} là cần thiết, đúng thẩm quyền.",
    "Ban Dân tộc đề nghị ưu tiên bố trí nguồn lực cho {s} tại các xã đặc biệt khó khăn.",
    "Trong năm, tổng thu ngân sách nhà nước trên địa bàn đạt {n} tỷ đồng, bằng {p}% dự toán Trung ương giao.",
    "Tổng vốn đầu tư công giai đoạn 2026–2030 dự kiến là {n} tỷ đồng, trong đó vốn ngân sách địa phương {m} tỷ đồng.",
    "Tốc độ tăng trưởng kinh tế (GRDP) ước đạt {p}%, thu nhập bình quân đầu người đạt {m} triệu đồng.",
    "Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều giảm còn {p}%, vượt chỉ tiêu nghị quyết đề ra.",
    "Cử tri huyện {d} kiến nghị sớm đầu tư {s}; Ủy ban nhân dân tỉnh đã tiếp thu và giao sở, ngành nghiên cứu.",
    "Đại biểu đề nghị làm rõ trách nhiệm của người đứng đầu trong việc chậm triển khai {s}.",
    "Giao Thường trực Hội đồng nhân dân tỉnh, các Ban, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết này.",
    "Nghị quyết này có hiệu lực thi hành kể từ ngày {dd} tháng {mm} năm {yy}.",
    "Kinh phí thực hiện từ nguồn ngân sách tỉnh và các nguồn vốn hợp pháp khác theo quy định của pháp luật.",
    "Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư tham mưu phân bổ chi tiết cho các huyện, thành phố.",
    "Qua giám sát, Đoàn giám sát nhận thấy còn một số tồn tại, hạn chế trong công tác {s}.",
    "Tiếp tục đẩy mạnh cải cách hành chính, nâng cao chỉ số năng lực cạnh tranh cấp tỉnh (PCI).",
    "Đến nay đã có {n} xã đạt chuẩn nông thôn mới, {m} xã đạt chuẩn nông thôn mới nâng cao.",
    "Hội đồng nhân dân tỉnh khóa {k}, kỳ họp thứ {nn} thông qua ngày {dd} tháng {mm} năm {yy}.",
]
DISTRICTS = ["Na Hang", "Lâm Bình", "Chiêm Hóa", "Hàm Yên", "Yên Sơn", "Sơn Dương", "thành phố Tuyên Quang", "Đồng Văn",
             "Mèo Vạc", "Bắc Mê", "Vị Xuyên", "Quản Bạ"]
ISSUERS = ["Hội đồng nhân dân tỉnh", "Thường trực Hội đồng nhân dân tỉnh", "Ủy ban nhân dân tỉnh", "Ban Kinh tế - Ngân sách",
           "Ban Văn hóa - Xã hội", "Ban Pháp chế", "Ban Dân tộc", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
           "Sở Tài nguyên và Môi trường", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
           "Tòa án nhân dân tỉnh", "Viện kiểm sát nhân dân tỉnh", "Cục Thuế tỉnh"]
SIGNERS = ["Nguyễn Văn Sơn", "Lê Thị Kim Dung", "Phạm Thị Minh Xuân", "Hoàng Văn Nhu", "Nguyễn Thế Giang", "Đỗ Minh Hưng",
           "Trần Ngọc Thực", "Ma Thế Hồng", "Vũ Đình Hưng", "Âu Thị Mai"]
KIND_WORDS = {"submission": ("Tờ trình", "TTr-UBND"), "report": ("Báo cáo", "BC-UBND"),
              "review_report": ("Báo cáo thẩm tra", "BC-KTNS"), "proposal": ("Đề án", "ĐA-UBND"),
              "draft_resolution": ("Dự thảo nghị quyết", "NQ-HĐND"), "resolution": ("Nghị quyết", "NQ-HĐND"),
              "invitation": ("Giấy triệu tập", "GTT-HĐND"), "minutes": ("Biên bản", "BB-HĐND"), "other": ("Thông báo", "TB-HĐND")}
COURSES = ["XVIII", "XIX", "XX"]


def paragraph(rng: random.Random, subject: str) -> str:
    out = []
    for _ in range(rng.randint(3, 7)):
        s = rng.choice(SENTENCES).format(
            s=rng.choice([subject] * 3 + SUBJECTS), n=f"{rng.randint(100, 20000):,}".replace(",", "."),
            m=rng.randint(10, 900), p=f"{rng.uniform(1, 120):.1f}".replace(".", ","), d=rng.choice(DISTRICTS),
            dd=rng.randint(1, 28), mm=rng.randint(1, 12), yy=rng.randint(2016, 2026), k=rng.choice(COURSES),
            nn=rng.randint(1, 30))
        out.append(s)
    return " ".join(out)


def document_text(rng: random.Random, subject: str, size: int) -> str:
    parts = [rng.choice(OPENINGS) + ";", rng.choice(OPENINGS) + ";"]
    article = 1
    while sum(len(p) for p in parts) < size:
        parts.append(f"Điều {article}. " + paragraph(rng, subject))
        article += 1
    return "\n".join(parts)[:size]


# ---- setting up a fresh database ---------------------------------------------------------

def prepare_database(args, workdir: Path):
    """Point Django at a fresh database; return a function that drops it."""
    os.environ["DOCUMENT_ROOT"] = str(workdir / "documents")
    os.environ.setdefault("SECRET_KEY", "bench-library-search")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return fresh_database(postgres=args.postgres, workdir=workdir, prefix="bench_search")


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # no query log growing over 10,000 documents


def make_council(rng: random.Random):
    """The demo council plus two earlier terms' bodies and sessions (search crosses terms)."""
    from meeting.demo import load_demo
    from meeting.models import Body, Session, Term

    sitting = load_demo()
    sessions = list(Session.objects.all())
    bodies = list(Body.objects.filter(kind__in=[Body.Kind.PLENARY, Body.Kind.STANDING, Body.Kind.COMMITTEE]))
    for course, (start, end) in zip(COURSES[:2], [(2011, 2016), (2016, 2021)]):
        term = Term.objects.create(name=f"{start}–{end}", start=date(start, 7, 1), end=date(end, 6, 30))
        plenary = Body.objects.create(name=f"Hội đồng nhân dân tỉnh khóa {course}", short_name="HĐND tỉnh",
                                      kind=Body.Kind.PLENARY, term=term)
        bodies.append(plenary)
        for i in range(1, 13):
            day = date(start, 7, 1) + timedelta(days=150 * i)
            sessions.append(Session.objects.create(body=plenary, number=i, title=f"Kỳ họp thứ {i}, HĐND tỉnh khóa {course}",
                                                   start_date=day, end_date=day + timedelta(days=2)))
    plenary_now = sitting.session.body
    for i in range(1, 12):
        day = date(2021, 7, 1) + timedelta(days=140 * i)
        sessions.append(Session.objects.create(body=plenary_now, number=i, title=f"Kỳ họp thứ {i}, HĐND tỉnh khóa XIX",
                                               start_date=day, end_date=day + timedelta(days=2)))
    return sitting, bodies, sessions


def make_documents(rng: random.Random, n: int, secretary, bodies, sessions) -> dict:
    from django.db import transaction

    from library import search
    from library.models import Document, DocumentVersion

    kinds = list(KIND_WORDS)
    numbers = []
    t0 = time.monotonic()
    made = 0
    while made < n:
        with transaction.atomic():
            for _ in range(min(200, n - made)):
                kind = rng.choice(kinds)
                label, code = KIND_WORDS[kind]
                subject = rng.choice(SUBJECTS)
                session = rng.choice(sessions) if rng.random() < 0.8 else None
                issued = (session.start_date - timedelta(days=rng.randint(0, 30))) if session else \
                    date(2012, 1, 1) + timedelta(days=rng.randint(0, 5000))
                number = f"{rng.randint(1, 400)}/{issued.year}/{code}"
                status = Document.Status.DRAFT if rng.random() < 0.05 else Document.Status.PUBLISHED
                access = Document.Access.PUBLIC if rng.random() < 0.72 else Document.Access.DELEGATES
                doc = Document.objects.create(
                    kind=kind, number=number, issued_on=issued, issuer=rng.choice(ISSUERS),
                    summary=f"{label} về {subject}" + (f" năm {issued.year}" if rng.random() < 0.5 else ""),
                    signer=rng.choice(SIGNERS), access=access, session=session,
                    body=session.body if session else rng.choice(bodies), status=status, created_by=secretary)
                size = rng.randint(1024, 20 * 1024)
                version = DocumentVersion.objects.create(
                    document=doc, number=1, file=f"files/bench/{doc.pk}.pdf", original_name=f"{doc.pk}.pdf",
                    file_kind="pdf", size=size, sha256="0" * 64, state=DocumentVersion.State.READY,
                    text=document_text(rng, subject, size), page_count=max(1, size // 3000), pages_ready=0)
                Document.objects.filter(pk=doc.pk).update(current_version=version)
                search.index_document(doc.pk)
                numbers.append(number)
                made += 1
        if made % 2000 == 0:
            log(f"  {made} documents ({time.monotonic() - t0:.0f} s)")
    return {"numbers": numbers, "seconds": time.monotonic() - t0}


# ---- the queries ------------------------------------------------------------------------

def strip_marks(text: str) -> str:
    from library.text import fold

    return fold(text)


def make_queries(rng: random.Random, count: int, numbers, bodies, sessions) -> list[tuple[str, dict]]:
    from library.models import Document

    words = " ".join(SUBJECTS + DISTRICTS + ["nghị quyết", "tờ trình", "báo cáo thẩm tra", "ngân sách", "cử tri"]).split()
    phrases = SUBJECTS + ["nghị quyết", "tờ trình", "báo cáo thẩm tra", "nông thôn mới", "đầu tư công", "hộ nghèo",
                          "kiến nghị của cử tri", "Ban Kinh tế - Ngân sách", "Luật Đầu tư công"]
    out = []
    for i in range(count):
        style = i % 10
        filters: dict = {}
        if style in (0, 1):  # two or three words from a subject
            p = rng.choice(phrases).split()
            start = rng.randint(0, max(0, len(p) - 2))
            q = " ".join(p[start:start + rng.randint(2, 3)])
        elif style == 2:  # a single common word
            q = rng.choice(["nghị quyết", "ngân sách", "cử tri", "đầu tư", "huyện", "xã"])
        elif style == 3:  # a quoted phrase
            q = '"' + rng.choice(phrases) + '"'
        elif style == 4:  # typing: a partial last word
            p = rng.choice(phrases)
            q = p[:max(3, int(len(p) * rng.uniform(0.4, 0.9)))]
        elif style == 5:  # a document number
            q = rng.choice(numbers)
        elif style == 6:  # words and a filter
            q = " ".join(rng.sample(words, 2))
            filters = rng.choice([{"kind": rng.choice(Document.Kind.values)}, {"session": rng.choice(sessions).pk},
                                  {"body": rng.choice(bodies).pk}, {"issuer": rng.choice(ISSUERS)}])
        elif style == 7:  # a filter only (lists by date)
            q = ""
            year = rng.randint(2012, 2025)
            filters = rng.choice([{"session": rng.choice(sessions).pk}, {"kind": rng.choice(Document.Kind.values)},
                                  {"date_from": date(year, 1, 1), "date_to": date(year, 12, 31)}])
        elif style == 8:  # words with a date range, a later page
            q = rng.choice(phrases).split()[0]
            year = rng.randint(2012, 2025)
            filters = {"date_from": date(year, 1, 1), "date_to": date(year + 2, 12, 31), "page": rng.randint(1, 3)}
        else:  # rare: a district and a subject word
            q = f"{rng.choice(DISTRICTS)} {rng.choice(words)}"
        if rng.random() < 0.5:
            q = strip_marks(q)  # half the people type without diacritics
        out.append((q, filters))
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if p == 50:
        return statistics.median(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]


def run_queries(user, queries) -> tuple[list[float], list[int]]:
    from library import search

    for q, f in queries[:20]:  # warm-up: caches, prepared plans
        search.search(user, q, **f)
    times, totals = [], []
    for q, f in queries:
        t = time.perf_counter()
        results = search.search(user, q, **f)
        times.append((time.perf_counter() - t) * 1000)
        totals.append(results.total)
    return times, totals


# ---- upload to searchable, through the real path ---------------------------------------

def make_pdf(text: str) -> bytes:
    from fpdf import FPDF

    from library import fonts

    pdf = FPDF()
    pdf.add_font("Sans", fname=fonts.regular())
    pdf.set_font("Sans", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 7, text)
    return bytes(pdf.output())


def upload_to_searchable(rng: random.Random, count: int, secretary, sessions) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from library import search, services, worker
    from library.models import Document

    # A word no other document has, per upload: found only once its file is indexed.
    pdfs = []
    for i in range(count):
        marker = f"madinhdanh{i:04d}x"
        subject = rng.choice(SUBJECTS)
        text = document_text(rng, subject, rng.randint(2000, 6000)) + f"\nMã định danh hồ sơ: {marker}."
        pdfs.append((marker, subject, make_pdf(text)))
    t0 = time.monotonic()
    for i, (marker, subject, data) in enumerate(pdfs):
        services.upload(secretary, SimpleUploadedFile(f"tai-lieu-{i}.pdf", data, content_type="application/pdf"),
                        summary=f"Tờ trình về {subject}", kind=Document.Kind.SUBMISSION, session=rng.choice(sessions),
                        access=Document.Access.PUBLIC)
    worker.drain()
    missing = [m for m, _s, _d in pdfs if search.search(secretary, m).total != 1]
    elapsed = time.monotonic() - t0
    if missing:
        raise SystemExit(f"{len(missing)} uploads not searchable after the job, e.g. {missing[:3]}")
    return elapsed


# ---- main ---------------------------------------------------------------------------------

def machine() -> str:
    model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal:")), 0)
    return f"{os.cpu_count()} CPUs ({model}), {mem / 1024 / 1024:.1f} GiB RAM, Python {sys.version.split()[0]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--docs", type=int, default=10_000, help="documents in the library (10000)")
    parser.add_argument("-q", "--queries", type=int, default=300, help="timed queries (300)")
    parser.add_argument("-u", "--uploads", type=int, default=100, help="PDFs through the real upload path (100)")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database on DATABASE_URL's server")
    parser.add_argument("--seed", type=int, default=20251127)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (SQLite file, documents)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="bench-library-search-"))
    drop = lambda: None  # noqa: E731
    try:
        drop = prepare_database(args, workdir)
        setup_django()
        from django.contrib.auth import get_user_model
        from django.db import connection

        from meeting.models import Member

        sitting, bodies, sessions = make_council(rng)
        from library import worker

        worker.drain()  # jobs the demo council queued (its own documents), so they are not timed below
        secretary = get_user_model().objects.get(username="thuky")
        alice = Member.objects.get(code="DB010").user  # a delegate: published public + delegates' documents
        log(f"{connection.vendor}: generating {args.docs} documents…")
        made = make_documents(rng, args.docs, secretary, bodies, sessions)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:  # what autovacuum does soon after a bulk load
                c.execute("VACUUM ANALYZE")
        log(f"  indexed in {made['seconds']:.1f} s ({made['seconds'] / args.docs * 1000:.1f} ms per document)")

        queries = make_queries(rng, args.queries, made["numbers"], bodies, sessions)
        times, totals = run_queries(alice, queries)
        slow = sorted(zip(times, queries, totals), key=lambda x: x[0], reverse=True)[:5]
        log(f"queries: {len(times)}, median results {statistics.median(totals):.0f}, max {max(totals)}, "
            f"none found {sum(1 for t in totals if t == 0)}")
        log("slowest: " + "; ".join(f"{t:.1f} ms {q!r} {f} ({n})" for t, (q, f), n in slow))
        p50, p95 = pct(times, 50), pct(times, 95)

        log(f"upload to searchable: {args.uploads} PDFs through services.upload + the background job…")
        index_s = upload_to_searchable(rng, args.uploads, secretary, sessions)
        per_100 = index_s / args.uploads * 100
        print(f"machine: {machine()}; database: {connection.vendor} {connection.Database.__name__} "
              f"{connection.pg_version if connection.vendor == 'postgresql' else connection.Database.sqlite_version}")
        print(f"search ms: min={min(times):.1f} p50={p50:.1f} mean={statistics.fmean(times):.1f} "
              f"p90={pct(times, 90):.1f} p95={p95:.1f} max={max(times):.1f}")
        print(f"upload to searchable: {args.uploads} documents in {index_s:.1f} s")
        print(f"library-search docs={args.docs} search_p50_ms={p50:.1f} search_p95_ms={p95:.1f} index_s_per_100={per_100:.1f}")
    finally:
        try:
            drop()
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
