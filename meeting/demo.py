"""A demo council: a provincial People's Council with 50 delegates in 10
delegate groups, a standing committee, four committees, one regular session
and its first sitting of eight agenda items (two with sub-items).

Deterministic: the same data on every run. Used by `manage.py load_demo`,
the tests' fixtures and the benchmark."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from agenda.models import AgendaItem
from displays.models import Display
from realtime.external import announced

from .models import Body, Member, Membership, Seat, Session, Sitting, Term

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Ma", "Hà", "Nông"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thắng", "Thảo", "Trang", "Trung",
         "Tuấn", "Vân", "Yến"]
# Delegate groups of the merged Tuyên Quang (the former Tuyên Quang and Hà Giang; two levels of local
# government since 1/7/2025), each named after a commune-level unit of 2026 (petitions.localities): the
# groups themselves are invented for the demo.
DELEGATE_GROUPS = ["phường Minh Xuân", "xã Yên Sơn", "xã Sơn Dương", "xã Hàm Yên", "xã Chiêm Hóa", "xã Na Hang",
                   "xã Lâm Bình", "phường Hà Giang 1", "xã Đồng Văn", "xã Bắc Quang"]
COMMITTEES = [("Ban Pháp chế", "BPC"), ("Ban Kinh tế - Ngân sách", "KTNS"), ("Ban Văn hóa - Xã hội", "VHXH"), ("Ban Dân tộc", "BDT")]
AGENDA = [
    ("Khai mạc kỳ họp; thông qua chương trình kỳ họp", "other", "Chủ tịch HĐND tỉnh", 15, []),
    ("Báo cáo tình hình kinh tế - xã hội năm 2026, phương hướng nhiệm vụ năm 2027", "report", "Chủ tịch UBND tỉnh", 30, []),
    ("Báo cáo thẩm tra của các Ban HĐND tỉnh", "report", "Trưởng các Ban", 40, [
        ("Báo cáo thẩm tra của Ban Kinh tế - Ngân sách", "report", "Trưởng Ban Kinh tế - Ngân sách", 15),
        ("Báo cáo thẩm tra của Ban Pháp chế", "report", "Trưởng Ban Pháp chế", 15),
    ]),
    ("Tờ trình về dự toán ngân sách địa phương năm 2027", "submission", "Giám đốc Sở Tài chính", 20, []),
    ("Dự thảo Nghị quyết về kế hoạch đầu tư công năm 2027", "draft_resolution", "Giám đốc Sở Tài chính", 20, [
        ("Thảo luận tại hội trường", "other", "", 45),
        ("Biểu quyết thông qua Nghị quyết", "draft_resolution", "Chủ tọa", 10),
    ]),
    ("Chất vấn và trả lời chất vấn: lĩnh vực giáo dục và đào tạo", "questioning", "Giám đốc Sở Giáo dục và Đào tạo", 60, []),
    ("Bầu bổ sung Ủy viên Ủy ban nhân dân tỉnh", "election", "Ban kiểm phiếu", 30, []),
    ("Bế mạc kỳ họp", "other", "Chủ tịch HĐND tỉnh", 10, []),
]
DELEGATES = 50
SEATS_PER_ROW = 10
DEMO_PASSWORD = "hdnd-demo-2026"


def _name(i: int) -> str:
    return f"{SURNAMES[i % len(SURNAMES)]} {MIDDLE[(i * 7) % len(MIDDLE)]} {GIVEN[(i * 11) % len(GIVEN)]}"


@transaction.atomic
@announced()  # a new council: nobody follows its sittings yet (realtime.external)
def load_demo(council_name: str = "Hội đồng nhân dân tỉnh Tuyên Quang", delegates: int = DELEGATES,
              documents: bool = True, petitions: bool = True, resolutions: bool | None = None) -> Sitting:
    """Create the demo council. Refuses to run twice (returns the existing sitting).

    `documents`: also upload the session's documents (library.demo); their processing is queued.
    `petitions`: also create the demo register of letters and voters' petitions (petitions.demo).
    `resolutions`: also create the demo programme of resolutions (resolutions.demo); by default with
    the petitions (it uses their agencies).
    """
    existing = Sitting.objects.filter(title__startswith="Phiên khai mạc").first()
    if existing:
        return existing
    User = get_user_model()
    today = timezone.localdate()
    term = Term.objects.create(name="2021–2026", start=dt.date(2021, 6, 1), end=dt.date(2026, 12, 31))
    plenary = Body.objects.create(name=council_name, short_name="HĐND tỉnh", kind=Body.Kind.PLENARY, term=term)
    standing = Body.objects.create(name="Thường trực HĐND tỉnh", short_name="Thường trực", kind=Body.Kind.STANDING, term=term)
    committees = [Body.objects.create(name=n, short_name=s, kind=Body.Kind.COMMITTEE, term=term) for n, s in COMMITTEES]
    groups = [Body.objects.create(name=f"Tổ đại biểu {d}", short_name=f"Tổ {i + 1}", kind=Body.Kind.DELEGATE_GROUP, term=term)
              for i, d in enumerate(DELEGATE_GROUPS)]

    # One hash for every demo account: hashing 50 passwords would take half a minute.
    demo_hash = make_password(DEMO_PASSWORD)
    members = []
    for i in range(delegates):
        code = f"DB{i + 1:03d}"
        user = User.objects.create(username=code.lower(), password=demo_hash, first_name=_name(i))
        seat = Seat.objects.create(label=f"{chr(ord('A') + i // SEATS_PER_ROW)}{i % SEATS_PER_ROW + 1}",
                                   row=i // SEATS_PER_ROW + 1, number=i % SEATS_PER_ROW + 1)
        position = "Chủ tịch HĐND tỉnh" if i == 0 else "Phó Chủ tịch HĐND tỉnh" if i in (1, 2) else \
            f"Trưởng {COMMITTEES[i - 3][0]}" if 3 <= i < 7 else "Đại biểu HĐND tỉnh"
        m = Member.objects.create(user=user, code=code, full_name=_name(i), kind=Member.Kind.DELEGATE, position=position,
                                  delegate_group=groups[i % len(groups)], seat=seat)
        Membership.objects.create(body=plenary, member=m, role=Membership.Role.CHAIR if i == 0 else
                                  Membership.Role.VICE_CHAIR if i in (1, 2) else Membership.Role.MEMBER)
        Membership.objects.create(body=groups[i % len(groups)], member=m)
        if i < 7:
            Membership.objects.create(body=standing, member=m, role=Membership.Role.CHAIR if i == 0 else Membership.Role.MEMBER)
        if i >= 3:
            committee = committees[(i - 3) % len(committees)]
            Membership.objects.create(body=committee, member=m,
                                      role=Membership.Role.CHAIR if 3 <= i < 7 else Membership.Role.MEMBER)
        members.append(m)
    guest_user = User.objects.create(username="khachmoi", password=demo_hash, first_name="Trần Quốc Khánh")
    Member.objects.create(user=guest_user, code="KM001", full_name="Trần Quốc Khánh", kind=Member.Kind.GUEST,
                          position="Giám đốc Sở Tài chính")

    chair = members[0].user
    secretary = User.objects.create(username="thuky", password=demo_hash, first_name="Lê Thu Trang")
    secretary.user_permissions.add(Permission.objects.get(codename="operate_sitting"))
    User.objects.create(username="admin", password=demo_hash, first_name="Quản trị", is_staff=True, is_superuser=True)

    session = Session.objects.create(body=plenary, number=12, title="Kỳ họp thứ mười hai, HĐND tỉnh khóa XIX",
                                     kind=Session.Kind.REGULAR, is_public=True,
                                     start_date=today, end_date=today + dt.timedelta(days=2))
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(8, 0)))
    sitting = Sitting.objects.create(body=plenary, session=session, title="Phiên khai mạc, sáng ngày thứ nhất",
                                     starts_at=start, place="Hội trường HĐND tỉnh", is_public=True,
                                     chair=chair, secretary=secretary)
    Sitting.objects.create(body=standing, title="Phiên họp Thường trực HĐND tỉnh tháng 12", is_public=False,
                           starts_at=start + dt.timedelta(days=7), place="Phòng họp Thường trực", chair=chair, secretary=secretary)
    for pos, (title, kind, presenter, minutes, children) in enumerate(AGENDA):
        parent = AgendaItem.objects.create(sitting=sitting, position=pos, title=title, kind=kind, presenter=presenter,
                                           planned_minutes=minutes)
        for cpos, (ctitle, ckind, cpresenter, cminutes) in enumerate(children):
            AgendaItem.objects.create(sitting=sitting, parent=parent, position=cpos, title=ctitle, kind=ckind,
                                      presenter=cpresenter, planned_minutes=cminutes)
    from floor.demo import load_demo_floor

    load_demo_floor(sitting, demo_hash)  # the officials who answer questions, and the issue groups
    Display.objects.create(name="Màn hình chính", sitting=sitting, slide="overview")
    Display.objects.create(name="Màn hình phụ", sitting=sitting, slide="attendance")
    if documents:
        from library.demo import load_demo_documents

        load_demo_documents(session, sitting, secretary)
    if petitions:
        from petitions.demo import load_demo_petitions

        load_demo_petitions(session)
    if petitions if resolutions is None else resolutions:
        from resolutions.demo import load_demo_resolutions

        load_demo_resolutions(session, sitting, documents=documents)
    return sitting
