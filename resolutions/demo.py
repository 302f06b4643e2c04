"""The demo council's resolutions: a programme in every state, so `python3 run.py demo` shows real
pages — planned, drafting (with the library's draft as its draft), put to the vote at the demo
sitting's voting item, one adopted last year and in implementation with tasks for the agencies
(indicators, milestones, a report with figures), the one it replaced, one amending it, one
withdrawn. An office user "nghiquyet" follows them (resolutions.manage_resolutions).

Every status change goes through resolutions.services (audited, with its Transition); the dates of
the steps are then moved to when they happened (`_dated`), as petitions.demo backdates its cases.
The education department's desk ("sogiaoduc", or the agency's existing desk user) reports through
the desk's service (services_tasks.report_progress). Called by meeting.demo.load_demo."""

import datetime as dt
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from agenda.models import AgendaItem
from library.models import Document
from meeting.models import Body
from petitions.models import Agency, AgencyMember

from . import services
from .models import Milestone, ProgressReport, Resolution, Status, Transition
from .services_public import publish_report
from .services_tasks import report_progress

OFFICE_USER = "nghiquyet"


def _agency(name: str, short: str) -> Agency:
    agency = Agency.objects.filter(name=name).first()
    return agency or Agency.objects.create(name=name, short_name=short, kind=Agency.Kind.DEPARTMENT)


def _desk(agency: Agency, username: str, name: str, password_hash: str):
    """The agency's desk user (the petitions demo's, or a new one)."""
    member = AgencyMember.objects.filter(agency=agency).select_related("user").first()
    if member is not None:
        return member.user
    user = get_user_model().objects.create(username=username, password=password_hash, first_name=name)
    AgencyMember.objects.create(agency=agency, user=user)
    return user


def _dated(resolution: Resolution, days: list[dt.date]):
    """Move its steps, in order, to those days (9:00 local)."""
    for transition, day in zip(resolution.transitions.order_by("at", "id"), days):
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        Transition.objects.filter(pk=transition.pk).update(at=at)
    last = resolution.transitions.order_by("at", "id").last()
    if last:
        Resolution.objects.filter(pk=resolution.pk).update(status_changed_at=last.at)


def _adopt(user, resolution, number, decided_on, **fields):
    for status in (Status.DRAFTING, Status.REVIEWED, Status.SUBMITTED):
        resolution = services.transition(user, resolution, status)
    return services.transition(user, resolution, Status.ADOPTED, number=number, decided_on=decided_on, **fields)


def _signed_pdf(number: str, day: dt.date, subtitle: str) -> bytes:
    from library.demo import _pdf

    return _pdf(issuer="HỘI ĐỒNG NHÂN DÂN\nTỈNH TUYÊN QUANG", parent="", number=number, day=day,
                title="NGHỊ QUYẾT", subtitle=subtitle, to="",
                sections=[("QUYẾT NGHỊ:", []),
                          ("Điều 1.", ["Hỗ trợ học phí cho học sinh trung học phổ thông ở xã vùng khó khăn trên địa bàn tỉnh."]),
                          ("Điều 2. Tổ chức thực hiện", ["Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết."])],
                signer_role="CHỦ TỊCH", signer="", recipients=["UBND tỉnh", "Các sở, ngành"])


def load_demo_resolutions(session, sitting, *, documents: bool = True) -> None:
    """Create the demo programme for `session`'s council. Does nothing if it is there."""
    User = get_user_model()
    if User.objects.filter(username=OFFICE_USER).exists():
        return
    secretary = User.objects.get(username="thuky")
    office = User.objects.create(username=OFFICE_USER, password=secretary.password, first_name="Vũ Minh Châu")
    office.user_permissions.add(Permission.objects.get(content_type__app_label="resolutions",
                                                       codename="manage_resolutions"))
    office = User.objects.get(pk=office.pk)
    term = session.body.term
    committees = {b.short_name: b for b in Body.objects.filter(kind=Body.Kind.COMMITTEE, term=term)}
    finance = _agency("Sở Tài chính", "Sở Tài chính")
    education = _agency("Sở Giáo dục và Đào tạo", "Sở GD&ĐT")
    construction = _agency("Sở Xây dựng", "Sở Xây dựng")
    today = timezone.localdate()
    year = today.year

    def new(title, area, planned_year, lead, committee):
        return services.create_resolution(office, title=title, term=term, planned_year=planned_year, area=area,
                                          lead_agency=lead, reviewing_committee=committees.get(committee),
                                          planned_session=session if planned_year == year else None)

    # The one the adopted resolution replaced (two years ago).
    old = new("Quy định mức hỗ trợ học phí cho học sinh trung học phổ thông giai đoạn 2022–2024", "social",
              year - 4, education, "VHXH")
    old = _adopt(office, old, f"08/{year - 4}/NQ-HĐND", dt.date(year - 4, 7, 15), effective_on=dt.date(year - 4, 8, 1))
    _dated(old, [dt.date(year - 4, 3, 1), dt.date(year - 4, 6, 10), dt.date(year - 4, 7, 1), dt.date(year - 4, 7, 15)])

    # Adopted last year, in implementation, with tasks.
    signed = None
    if documents:
        from library import services as library

        number = f"15/{year - 1}/NQ-HĐND"
        signed = library.upload(secretary, io.BytesIO(_signed_pdf(number, dt.date(year - 1, 7, 10),
                                                                  "Quy định mức hỗ trợ học phí cho học sinh vùng khó khăn")),
                                name=f"{number.replace('/', '-')}.pdf", kind=Document.Kind.RESOLUTION, number=number,
                                issued_on=dt.date(year - 1, 7, 10), issuer="HĐND tỉnh Tuyên Quang",
                                summary="Nghị quyết quy định mức hỗ trợ học phí cho học sinh vùng khó khăn",
                                access=Document.Access.PUBLIC)
        library.publish(secretary, [signed])
    fees = new("Quy định mức hỗ trợ học phí cho học sinh trung học phổ thông ở xã vùng khó khăn giai đoạn 2025–2030",
               "social", year - 1, education, "VHXH")
    services.link(office, fees, old, "replaces")
    fees = _adopt(office, fees, f"15/{year - 1}/NQ-HĐND", dt.date(year - 1, 7, 10), signed_document=signed,
                  effective_on=dt.date(year - 1, 8, 1))
    if signed is not None:
        services.attach_document(office, fees, signed, "signed")
    fees = services.transition(office, fees, Status.IMPLEMENTING, note="UBND tỉnh ban hành kế hoạch thực hiện")
    _dated(fees, [dt.date(year - 1, 3, 1), dt.date(year - 1, 6, 5), dt.date(year - 1, 6, 28), dt.date(year - 1, 7, 10),
                  dt.date(year - 1, 8, 15)])
    Transition.objects.filter(resolution=old, to_status=Status.REPLACED).update(
        at=timezone.make_aware(dt.datetime.combine(dt.date(year - 1, 7, 10), dt.time(9))))
    pay = services.create_task(office, resolution=fees, title="Chi trả hỗ trợ học phí cho học sinh đủ điều kiện",
                               lead_agency=education, co_agencies=[finance], due_on=dt.date(year, 12, 31), weight=3,
                               indicators=[{"name": "Học sinh được hỗ trợ", "unit": "học sinh", "target": Decimal(12000)},
                                           {"name": "Kinh phí đã chi trả", "unit": "triệu đồng", "target": Decimal(36000)}])
    guide = services.create_task(office, resolution=fees, title="Ban hành hướng dẫn hồ sơ, thủ tục hỗ trợ",
                                 lead_agency=education, due_on=dt.date(year - 1, 10, 31),
                                 milestones=[{"title": "Dự thảo hướng dẫn lấy ý kiến các xã"},
                                             {"title": "Ban hành hướng dẫn", "weight": 2}])
    services.create_task(office, resolution=fees, title="Bố trí kinh phí trong dự toán ngân sách",
                         lead_agency=finance, due_on=today - dt.timedelta(days=20),
                         milestones=[{"title": "Trình UBND tỉnh phương án bố trí kinh phí"}])
    # The education department's desk reports, as on its desk (services_tasks.report_progress).
    desk = _desk(education, "sogiaoduc", "Lương Thị Mai", secretary.password)
    report_progress(desk, guide, text="Sở đã ban hành hướng dẫn hồ sơ, thủ tục hỗ trợ học phí.",
                    milestones=list(guide.milestones.values_list("pk", flat=True)))
    report_progress(desk, pay, text="Đã chi trả hỗ trợ học phí học kỳ I cho 7.850 học sinh tại 62 xã vùng khó khăn.",
                    values=dict(zip(pay.indicators.values_list("pk", flat=True), ("7850", "23550"))))
    ProgressReport.objects.filter(task=guide).update(reported_at=timezone.make_aware(
        dt.datetime.combine(dt.date(year - 1, 10, 20), dt.time(15))))
    Milestone.objects.filter(task=guide).update(done_on=dt.date(year - 1, 10, 20))
    # The office publishes both reports: the public page shows them, with the payment's figures.
    for report in ProgressReport.objects.filter(task__in=[guide, pay]):
        publish_report(office, report)

    # Amends it (adopted this year).
    amend = new("Sửa đổi, bổ sung một số điều của Nghị quyết về hỗ trợ học phí cho học sinh vùng khó khăn",
                "social", year, education, "VHXH")
    services.link(office, amend, fees, "amends")

    # This year's programme: put to the vote at the demo sitting, drafting, planned, withdrawn.
    item = AgendaItem.objects.filter(sitting=sitting, title__startswith="Biểu quyết thông qua Nghị quyết").first()
    investment = new("Kế hoạch đầu tư công năm " + str(year + 1), "investment", year, finance, "KTNS")
    for status in (Status.DRAFTING, Status.REVIEWED):
        investment = services.transition(office, investment, status)
    investment = services.transition(office, investment, Status.SUBMITTED, agenda_item=item)
    draft = Document.objects.filter(kind=Document.Kind.DRAFT_RESOLUTION, session=session).first()
    if draft is not None:
        services.attach_document(office, investment, draft, "draft")
    tourism = new("Chính sách hỗ trợ phát triển du lịch cộng đồng giai đoạn " + f"{year + 1}–{year + 5}", "economy", year,
                  _agency("Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL"), "KTNS")
    services.transition(office, tourism, Status.DRAFTING)
    new("Quy định mức thu phí tham quan các di tích, danh lam thắng cảnh trên địa bàn tỉnh", "fees", year + 1,
        finance, "KTNS")
    new("Quy định số lượng, mức phụ cấp người hoạt động không chuyên trách ở thôn, tổ dân phố", "organisation",
        year + 1, _agency("Sở Nội vụ", "Sở Nội vụ"), "BPC")
    roads = new("Đặt tên đường, phố tại phường Minh Xuân", "other", year, construction, "VHXH")
    services.transition(office, roads, Status.WITHDRAWN, note="UBND tỉnh đề nghị lùi sang năm sau để lấy thêm ý kiến")
