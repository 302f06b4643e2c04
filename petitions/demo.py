"""The demo register: agencies and their desks, a petition officer, a dozen letters in
every state, and one voter-contact meeting with its four petitions.

The map is Tuyên Quang as it is since 1 July 2025 (the former Tuyên Quang and Hà Giang, two levels of
local government: petitions.localities): every letter names a commune-level unit of 2026, no district;
the agencies are the provincial departments as merged in 2025 (Nghị định 45/2025/NĐ-CP, 28/2/2025: Sở Nông
nghiệp và Môi trường in place of Sở Tài nguyên và Môi trường and Sở Nông nghiệp và PTNT, Sở Xây dựng taking
in Sở Giao thông vận tải, Sở Tài chính taking in Sở Kế hoạch và Đầu tư) and commune People's Committees.
People, villages and events are invented.

Everything goes through petitions.services (the one write path), so the demo
has its milestones, deadlines, transfers and audit rows like real cases. A few
cases are then moved back in time (`_backdate`) so the lists show cases near
and past their due dates. Called by meeting.demo.load_demo (`petitions=True`).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import F

from meeting.models import Body, Member

from . import deadlines, services
from .models import Agency, AgencyMember, Case, Deadline, Field, Level, Milestone, Transfer

# code, name, name on the English pages
FIELDS = [("dat-dai", "Đất đai", "Land"), ("moi-truong", "Môi trường", "Environment"), ("y-te", "Y tế", "Health"),
          ("giao-thong", "Giao thông", "Transport"), ("chinh-sach", "Chính sách xã hội", "Social policy"),
          ("can-bo", "Cán bộ, công chức", "Officials and civil servants")]
PC, DEPT = Agency.Kind.PEOPLES_COMMITTEE, Agency.Kind.DEPARTMENT
AGENCIES = [
    # key, name, short name, kind, level, fields, desk user, desk user's name
    ("ubndtinh", "Ủy ban nhân dân tỉnh Tuyên Quang", "UBND tỉnh", PC, Level.PROVINCE,
     ["dat-dai", "can-bo", "chinh-sach"], "ubndtinh", "Văn phòng UBND tỉnh"),
    ("nnmt", "Sở Nông nghiệp và Môi trường", "Sở NN&MT", DEPT, Level.PROVINCE,
     ["dat-dai", "moi-truong"], "sonnmt", "Nguyễn Văn Đạt"),
    ("yte", "Sở Y tế", "Sở Y tế", DEPT, Level.PROVINCE, ["y-te"], "soyte", "Phạm Thị Hạnh"),
    ("xaydung", "Sở Xây dựng", "Sở Xây dựng", DEPT, Level.PROVINCE, ["giao-thong"], "soxaydung", "Lý Văn Cường"),
    ("taichinh", "Sở Tài chính", "Sở Tài chính", DEPT, Level.PROVINCE, ["chinh-sach"], "sotaichinh", "Đặng Thu Trang"),
    ("yenson", "Ủy ban nhân dân xã Yên Sơn", "UBND xã Yên Sơn", PC, Level.COMMUNE,
     ["dat-dai", "giao-thong", "moi-truong"], "ubndxayenson", "Hà Thị Lan"),
    ("minhxuan", "Ủy ban nhân dân phường Minh Xuân", "UBND phường Minh Xuân", PC, Level.COMMUNE,
     ["dat-dai", "moi-truong", "chinh-sach"], "ubndminhxuan", "Nông Văn Hải"),
    ("btcd", "Ban Tiếp công dân tỉnh", "Ban TCD", Agency.Kind.CITIZEN_RECEPTION, Level.PROVINCE, [], "bantcd",
     "Ma Văn Thành"),
]
# The delegate group whose voter-contact meeting the demo records (meeting.demo.DELEGATE_GROUPS).
MEETING_GROUP = "Tổ đại biểu xã Yên Sơn"


def _backdate(case, days):
    """Move a case `days` back in time (its receipt, timeline, steps and transfers)."""
    delta = dt.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(received_at=F("received_at") - delta)
    Milestone.objects.filter(case=case).update(at=F("at") - delta)
    Transfer.objects.filter(case=case).update(sent_at=F("sent_at") - delta, due_on=F("due_on") - delta)
    Deadline.objects.filter(case=case).update(starts_on=F("starts_on") - delta, due_on=F("due_on") - delta)
    deadlines.refresh_case_due(case)


def load_demo_petitions(session):
    """Create the demo register for `session`'s council. Does nothing if it exists."""
    if Agency.objects.filter(name=AGENCIES[0][1]).exists():
        return
    User = get_user_model()
    # The demo accounts share one password (meeting.demo.DEMO_PASSWORD): reuse its hash, hashing is slow.
    demo_hash = User.objects.get(username="thuky").password
    fields = {code: Field.objects.create(code=code, name=name, name_en=name_en) for code, name, name_en in FIELDS}
    agencies = {}
    for key, name, short, kind, level, codes, username, person in AGENCIES:
        desk = User.objects.create(username=username, password=demo_hash, first_name=person)
        agency = Agency.objects.create(name=name, short_name=short, kind=kind, level=level, contact_person=person,
                                       email=f"{username}@tuyenquang.gov.vn", head=desk)
        agency.fields.set([fields[c] for c in codes])
        AgencyMember.objects.create(agency=agency, user=desk)
        agencies[key] = agency
    staff = User.objects.create(username="donthu", password=demo_hash, first_name="Nguyễn Thị Thu Hà")
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="petitions",
                                                          codename__in=["handle_cases", "view_denouncer_identity"]))
    staff = User.objects.get(pk=staff.pk)
    desks = {key: agencies[key].members.get().user for key in agencies}

    def submit(source="web", user=None, **kw):
        return services.submit(staff if source in ("reception", "post", "email", "delegate") else user, source=source, **kw)

    def forward(case, agency, note="Đề nghị xem xét, giải quyết và trả lời theo quy định."):
        return services.decide(staff, case, decision="forward", agency=agencies[agency], note=note)

    def answered(case, agency, text, *, approve=True, publish=False):
        transfer = case.transfers.get()
        services.acknowledge(desks[agency], transfer)
        reply = services.answer(desks[agency], transfer, text)
        if approve:
            services.review_answer(staff, reply, approve=True)
        if publish:
            services.publish_answer(staff, case)

    # 1. A petition from the web: forwarded, answered, published.
    road = submit(kind="petition", subject="Đề nghị sửa chữa đường liên thôn từ thôn 3 đi thôn 5, xã Yên Sơn",
                  content="Đoạn đường liên thôn dài khoảng 2 km bị sạt lở, xuống cấp nghiêm trọng sau mưa lũ tháng 9, "
                          "học sinh đi lại rất nguy hiểm. Đề nghị các cấp có thẩm quyền sớm sửa chữa.",
                  identity={"full_name": "Hoàng Văn Thái", "phone": "0915 224 681", "address": "Thôn 3, xã Yên Sơn"},
                  field=fields["giao-thong"], commune="Xã Yên Sơn")
    forward(road, "yenson")
    answered(road, "yenson", "UBND xã đã bố trí 1,2 tỷ đồng từ nguồn dự phòng ngân sách để sửa chữa tuyến đường, "
                             "dự kiến hoàn thành trước ngày 30/6.", publish=True)
    _backdate(road, 25)
    # 2. A complaint entered at the reception desk: accepted, forwarded, its answer waiting for review.
    land = submit(source="reception", kind="complaint", subject="Khiếu nại về mức bồi thường khi thu hồi đất dự án đường tránh",
                  content="Gia đình tôi bị thu hồi 320 m² đất vườn để làm đường tránh thành phố nhưng chỉ được bồi thường "
                          "theo giá đất nông nghiệp. Đề nghị xem xét lại đơn giá bồi thường.",
                  identity={"full_name": "Nguyễn Thị Hằng", "phone": "0988 102 345", "id_number": "008185001234",
                            "address": "Tổ 7, phường Minh Xuân"},
                  field=fields["dat-dai"], commune="Phường Minh Xuân")
    services.decide(staff, land, decision="accept")
    forward(land, "nnmt")
    answered(land, "nnmt", "Sở đã kiểm tra hồ sơ: diện tích 120 m² là đất ở, được bồi thường bổ sung theo giá đất ở; "
                           "phần còn lại là đất vườn, bồi thường đúng quy định.", approve=False)
    _backdate(land, 12)
    # 3. A complaint by post from the former Hà Giang, just received and close to its acceptance deadline.
    fresh = submit(source="post", kind="complaint", subject="Khiếu nại việc không được hưởng chế độ hộ cận nghèo",
                   content="Gia đình tôi đủ điều kiện hộ cận nghèo năm 2026 nhưng bị loại khỏi danh sách bình xét mà "
                           "không được giải thích lý do.",
                   identity={"full_name": "Giàng Mí Sinh", "address": "Thôn 5, xã Mèo Vạc"},
                   field=fields["chinh-sach"], commune="Xã Mèo Vạc", remote_area=True)
    _backdate(fresh, 8)
    # 4. A denunciation with its denouncer's identity (confidential): accepted, forwarded without it.
    bribe = submit(kind="denunciation", subject="Tố cáo cán bộ địa chính xã nhận tiền để làm nhanh giấy chứng nhận",
                   content="Tôi là Trần Minh Đức, thôn 4 xã Thái Bình, điện thoại 0977.556.120. Cán bộ địa chính xã Thái "
                           "Bình yêu cầu người dân nộp 5 triệu đồng ngoài quy định để được cấp giấy chứng nhận quyền sử "
                           "dụng đất nhanh. Tôi có ghi âm cuộc nói chuyện.",
                   identity={"full_name": "Trần Minh Đức", "phone": "0977 556 120", "email": "tmduc.tq@gmail.com",
                             "address": "Thôn 4, xã Thái Bình"},
                   field=fields["can-bo"], commune="Xã Thái Bình")
    services.decide(staff, bribe, decision="accept")
    # The agency reads only the office's redacted copy; the letter as written stays with the office.
    services.prepare_redacted_copy(staff, bribe, subject=bribe.subject,
                                   content="Người tố cáo cho biết: cán bộ địa chính xã Thái Bình yêu cầu người dân nộp "
                                           "5 triệu đồng ngoài quy định để được cấp giấy chứng nhận quyền sử dụng đất "
                                           "nhanh. Người tố cáo có ghi âm cuộc nói chuyện (Văn phòng lưu giữ).")
    forward(bribe, "ubndtinh", note="Đề nghị xác minh nội dung tố cáo; giữ bí mật thông tin người tố cáo theo luật.")
    services.acknowledge(desks["ubndtinh"], bribe.transfers.get())
    _backdate(bribe, 20)
    # 5. An anonymous denunciation naming the violator with evidence: routed for verification.
    quarry = submit(kind="denunciation", anonymous=True, identity={},
                    subject="Tố cáo doanh nghiệp khai thác cát trái phép trên sông Lô",
                    content="Công ty TNHH Phú Lâm khai thác cát ngoài phạm vi giấy phép tại bãi Km 5 sông Lô, ban đêm. "
                            "Gửi kèm ảnh chụp tàu hút cát và tọa độ vị trí.",
                    field=fields["moi-truong"], commune="Phường An Tường")
    services.classify(staff, quarry, complexity="complex")
    services.prepare_redacted_copy(staff, quarry, subject=quarry.subject, content=quarry.content)
    forward(quarry, "nnmt", note="Đơn nặc danh nêu rõ doanh nghiệp vi phạm, vị trí và có ảnh chụp: đề nghị kiểm tra.")
    # 6. Anonymous feedback from the web, not yet classified.
    submit(kind="feedback", anonymous=True, identity={}, subject="Phản ánh rác thải tồn đọng ở chợ Tam Cờ",
           content="Rác thải ở khu vực chợ Tam Cờ không được thu gom nhiều ngày, bốc mùi hôi thối.",
           commune="Phường Minh Xuân", field=fields["moi-truong"])
    # 7. Feedback by email: the citizen is guided to the right body.
    guided = submit(source="email", kind="feedback", subject="Phản ánh về giờ làm việc của bộ phận một cửa",
                    content="Bộ phận một cửa UBND phường Minh Xuân thường mở cửa muộn, người dân phải chờ lâu.",
                    identity={"full_name": "Lê Thu Phương", "email": "phuongle@example.vn"}, commune="Phường Minh Xuân")
    services.decide(staff, guided, decision="guide",
                    note="Hướng dẫn công dân phản ánh trực tiếp với Chủ tịch UBND phường Minh Xuân (đường dây nóng).")
    # 8. A petition forwarded by a delegate: at the Department of Health, acknowledged.
    delegate = Member.objects.filter(code="DB012").first()
    clinic = services.submit(delegate.user if delegate else staff, source="delegate", kind="petition",
                             subject="Đề nghị bổ sung bác sĩ cho trạm y tế xã Kim Bình",
                             content="Trạm y tế xã Kim Bình chỉ có một y sĩ, không có bác sĩ; người dân phải đi 30 km "
                                     "để khám bệnh. Đề nghị tăng cường bác sĩ luân phiên.",
                             identity={"full_name": "Ma Thị Nguyệt", "phone": "0362 118 907"},
                             field=fields["y-te"], commune="Xã Kim Bình", remote_area=True)
    forward(clinic, "yte")
    services.acknowledge(desks["yte"], clinic.transfers.get())
    _backdate(clinic, 16)  # past its 10 working days: overdue
    # 9. Not eligible, with its coded reason.
    unreadable = submit(source="post", kind="petition", subject="Đơn không rõ nội dung (chữ viết không đọc được)",
                        content="Đơn viết tay bị nhòe nước, chỉ đọc được địa chỉ người gửi và ngày tháng.",
                        identity={"full_name": "Không rõ", "address": "Xã Hùng Lợi"}, commune="Xã Hùng Lợi")
    services.decide(staff, unreadable, decision="not_eligible", reason=Case.Reason.ILLEGIBLE,
                    note="Đã gửi thư đề nghị công dân viết lại đơn.")
    # 10. The road petition again from a neighbour: a confirmed duplicate.
    again = submit(kind="petition", subject="Đề nghị sửa đường liên thôn thôn 3 đi thôn 5 xã Yên Sơn bị sạt lở",
                   content="Đường liên thôn từ thôn 3 đi thôn 5 bị sạt lở sau mưa lũ, đề nghị sửa chữa sớm cho dân đi lại.",
                   identity={"full_name": "Nông Văn Pha", "phone": "0983 440 172"},
                   field=fields["giao-thong"], commune="Xã Yên Sơn")
    services.mark_duplicate(staff, again, road, note="Cùng nội dung với đơn của hộ ông Thái.")
    # 11. A complaint withdrawn in writing.
    withdrawn = submit(source="reception", kind="complaint", subject="Khiếu nại quyết định xử phạt vi phạm hành chính",
                       content="Tôi khiếu nại quyết định xử phạt 7,5 triệu đồng về xây dựng công trình phụ không phép.",
                       identity={"full_name": "Đỗ Văn Hùng", "phone": "0912 778 001"}, commune="Xã Sơn Dương")
    services.decide(staff, withdrawn, decision="accept")
    services.withdraw(staff, withdrawn, "Đơn xin rút khiếu nại ngày hôm nay, nộp trực tiếp tại Ban Tiếp công dân.")
    # 12. A petition answered and approved, ready to publish.
    water = submit(kind="petition", subject="Đề nghị kiểm tra chất lượng nước sinh hoạt khu dân cư Tân Hà",
                   content="Nước máy khu dân cư Tân Hà có mùi lạ và cặn vàng từ đầu tháng, người dân lo lắng về sức khỏe.",
                   identity={"full_name": "Vũ Thị Mai", "email": "vtmai@example.vn"}, field=fields["y-te"],
                   commune="Phường Minh Xuân")
    forward(water, "yte")
    answered(water, "yte", "Trung tâm Kiểm soát bệnh tật tỉnh đã lấy mẫu: các chỉ tiêu đạt quy chuẩn; cặn vàng do đường "
                           "ống cũ, công ty cấp nước đã súc xả và thay 300 m ống.")
    _backdate(water, 9)

    # A voter-contact meeting before the session, with four petitions.
    group = Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP, name=MEETING_GROUP).first()
    if group is None:
        return
    meeting = services.record_voter_meeting(
        staff, held_on=session.start_date - dt.timedelta(days=20), place="Nhà văn hóa thôn 5, xã Yên Sơn",
        commune="Xã Yên Sơn", delegate_group=group, session=session, when="before", voters=146,
        delegates=list(Member.objects.filter(delegate_group=group)[:3]),
        petitions=[
            {"subject": "Đề nghị đầu tư cầu treo qua suối thôn 5", "field": fields["giao-thong"], "level": "province",
             "content": "Mùa mưa lũ học sinh phải lội suối đến trường; đề nghị tỉnh đầu tư cầu treo dân sinh."},
            {"subject": "Chế độ phụ cấp cho nhân viên y tế thôn bản", "field": fields["y-te"], "level": "central",
             "content": "Phụ cấp nhân viên y tế thôn bản quá thấp so với khối lượng công việc; đề nghị Trung ương điều chỉnh."},
            {"subject": "Cấp giấy chứng nhận quyền sử dụng đất còn chậm", "field": fields["dat-dai"], "level": "commune",
             "content": "Nhiều hộ nộp hồ sơ từ năm 2024 nhưng chưa được cấp giấy chứng nhận."},
            {"subject": "Lịch thu gom rác thải tại các thôn", "field": fields["moi-truong"], "level": "commune",
             "answered_on_spot": True, "content": "Cử tri hỏi lịch thu gom rác thải ở các thôn xa trung tâm xã.",
             "answer_text": "Chủ tịch UBND xã trả lời: từ tháng sau xe thu gom vào các thôn hai lần mỗi tuần."},
        ])
    forward(meeting.petitions.get(level="province"), "ubndtinh")
