from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import pairing
from displays.models import Display
from meeting.demo import DEMO_PASSWORD, load_demo
from meeting.models import Member


class Command(BaseCommand):
    help = "Load the demo council (idempotent) and print sign-in links."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--delegates", type=int, default=50)
        parser.add_argument("--no-links", action="store_true")
        parser.add_argument("--no-documents", action="store_true",
                            help="leave out the session's documents (the library's demo files)")
        parser.add_argument("--no-petitions", action="store_true",
                            help="leave out the demo letters, agencies and voter-contact meeting (petitions.demo)")

    def handle(self, *args, base_url, delegates, no_links, no_documents, no_petitions, **options):
        sitting = load_demo(delegates=delegates, documents=not no_documents, petitions=not no_petitions)
        if no_links:
            return
        base = base_url.rstrip("/")
        line = self.stdout.write
        line("")
        line(self.style.SUCCESS(f"Demo: {sitting.body.name} — {sitting.title}"))
        line(f"  {base}/")
        line("")
        line("Sign-in links (one use each, valid 12 h) / Liên kết đăng nhập (dùng một lần, hiệu lực 12 giờ):")
        ttl = 12 * 3600
        chair = sitting.chair
        links = [
            ("Chủ tọa / chair console", pairing.issue("console", user=chair, ttl=ttl)),
            ("Thư ký / secretary console", pairing.issue("console", user=sitting.secretary, ttl=ttl)),
        ]
        for m in Member.objects.filter(code__in=["DB010", "DB011", "DB012"]).select_related("user"):
            links.append((f"Đại biểu {m.full_name} / delegate terminal", pairing.issue("terminal", user=m.user, ttl=ttl)))
        for d in Display.objects.filter(sitting=sitting):
            links.append((f"Màn hình / hall display: {d.name}", pairing.issue("display", display=d, ttl=ttl)))
        remote = Member.objects.filter(code="DB020").select_related("user").first()
        if remote is not None and settings.VIDEO_BACKEND != "off":
            links.append((f"Đại biểu {remote.full_name} dự họp trực tuyến / remote delegate (video)",
                          pairing.issue("remote", user=remote.user, ttl=ttl)))
        for label, token in links:
            line(f"  {label}:\n    {base}/pair/{token}/")
        line("")
        line(f"Public observer / công khai: {base}/public/sitting/{sitting.pk}/")
        if settings.VIDEO_BACKEND != "off":
            line(f"Hall camera / camera hội trường (secretary, once the sitting is open): {base}/video/{sitting.pk}/hall/")
        line(f"Documents / thư viện tài liệu: {base}/library/ (secretary), {base}/library/search/, {base}/public/documents/")
        line(f"Letters and petitions / đơn thư, kiến nghị: {base}/public/letters/new/ (citizens), "
             f"{base}/petitions/ (officer: donthu), {base}/agency/ (agency desks: sotnmt, soyte, …)")
        line(f"Password sign-in / đăng nhập bằng mật khẩu: {base}/accounts/login/  "
             f"(chair: {chair.username}, secretary: thuky, delegates: db001…db050, admin: admin; password {DEMO_PASSWORD})")
        line("")
