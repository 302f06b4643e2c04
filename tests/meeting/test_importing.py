"""CSV import of members: all rows or none, with a per-row report."""

import pytest
from django.core.management import CommandError, call_command
from django.core.files.uploadedfile import SimpleUploadedFile

from meeting import importing
from meeting.importing import import_members
from meeting.models import Member, Membership, Seat

HEADER = "code,full_name,kind,position,delegate_group,seat,email,phone,bodies,username\n"
GOOD = HEADER + (
    "DB101,Nguyễn Thị Mới,delegate,Đại biểu HĐND tỉnh,Tổ 1,K1,moi@example.org,0912 345 678,HĐND tỉnh;Ban Pháp chế,db101\n"
    "DB102,Trần Văn Hai,đại biểu mời,Giám đốc Sở Y tế,,K2,,,,\n"
    "DB103,Lê Thị Ba,guest,,Tổ đại biểu xã Yên Sơn,,,,,\n"
)


def test_a_good_file_imports_every_row(sitting):
    report = import_members(GOOD.encode())
    assert report.ok and report.imported
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    assert Member.objects.filter(code__in=["DB101", "DB102", "DB103"]).count() == 3


def test_imported_fields_are_stored(sitting):
    import_members(GOOD.encode())
    m = Member.objects.select_related("delegate_group", "seat", "user").get(code="DB101")
    assert (m.full_name, m.kind, m.position, m.email, m.phone) == (
        "Nguyễn Thị Mới", "delegate", "Đại biểu HĐND tỉnh", "moi@example.org", "0912 345 678")
    assert m.delegate_group.short_name == "Tổ 1"
    assert Member.objects.get(code="DB102").kind == "invited"


def test_bodies_become_memberships_with_the_delegate_group(sitting):
    import_members(GOOD.encode())
    bodies = set(Membership.objects.filter(member__code="DB101").values_list("body__short_name", flat=True))
    assert bodies == {"HĐND tỉnh", "BPC", "Tổ 1"}


def test_a_new_seat_label_creates_the_seat_at_its_row_and_number(sitting):
    import_members((HEADER + "DB101,Nguyễn Thị Mới,,,,B17,,,,\n").encode())
    seat = Seat.objects.get(label="B17")
    assert (seat.row, seat.number, seat.member.code) == (2, 17, "DB101")


def test_explicit_seat_row_and_number_are_used(sitting):
    import_members("code,full_name,seat,seat_row,seat_number\nDB101,Nguyễn Thị Mới,Khách 1,20,1\n".encode())
    assert (Seat.objects.get(label="Khách 1").row, Seat.objects.get(label="Khách 1").number) == (20, 1)


def test_a_username_creates_an_account_without_a_password(sitting):
    import_members(GOOD.encode())
    user = Member.objects.get(code="DB101").user
    assert user.username == "db101" and not user.has_usable_password()


def test_an_existing_code_updates_that_member(sitting):
    report = import_members("code,full_name,position\nDB010,Tên Mới,Phó Trưởng Ban\n".encode())
    assert (report.created, report.updated) == (0, 1)
    m = Member.objects.get(code="DB010")
    assert (m.full_name, m.position) == ("Tên Mới", "Phó Trưởng Ban")


def test_a_column_left_out_leaves_the_field_alone(sitting):
    before = Member.objects.get(code="DB010")
    import_members("code,full_name\nDB010,Tên Mới\n".encode())
    after = Member.objects.get(code="DB010")
    assert (after.seat_id, after.delegate_group_id, after.position) == (before.seat_id, before.delegate_group_id, before.position)


def test_two_members_can_swap_seats_in_one_file(sitting):
    assert [Member.objects.get(code=c).seat.label for c in ("DB011", "DB012")] == ["B1", "B2"]
    report = import_members("code,full_name,seat\nDB011,Đại biểu Mười Một,B2\nDB012,Đại biểu Mười Hai,B1\n".encode())
    assert report.ok, report.errors
    assert Member.objects.get(code="DB011").seat.label == "B2"
    assert Member.objects.get(code="DB012").seat.label == "B1"


def test_one_bad_row_imports_nothing_and_reports_that_row(sitting):
    bad = GOOD + "DB104,Phạm Văn Bốn,delegate,,Tổ không có,,,,,\n"
    report = import_members(bad.encode())
    assert not report.imported
    assert [(e.row, e.column) for e in report.errors] == [(5, "delegate_group")]
    assert "Tổ không có" in report.errors[0].message
    assert not Member.objects.filter(code__in=["DB101", "DB102", "DB103", "DB104"]).exists()
    assert not Seat.objects.filter(label__in=["K1", "K2"]).exists()


@pytest.mark.parametrize("row, column", [
    ("DB101,,,,,,,,,", "full_name"),
    (",Không Mã,,,,,,,,", "code"),
    ("DB101,Tên,chủ tịch,,,,,,,", "kind"),
    ("DB101,Tên,,,,,không-phải-email,,,", "email"),
    ("DB101,Tên,,,,,,abc,,", "phone"),
    ("DB101,Tên,,,,,,,Ban Không Có,", "bodies"),
    ("DB101,Tên,,,,A2,,,,", "seat"),  # A2 belongs to DB002, who is not in the file
    ("DB101,Tên,,,,Ghế lạ,,,,", "seat"),  # a new label with no row/number
    ("DB101,Tên,,,,,,,,thuky", "username"),  # an account of someone else
    ("DB101,Tên,,,,,,,,tên có dấu cách", "username"),
])
def test_each_kind_of_bad_cell_is_reported_with_its_column(sitting, row, column):
    report = import_members((HEADER + row + "\n").encode())
    assert [(e.row, e.column) for e in report.errors] == [(2, column)]


def test_a_code_twice_in_the_file_is_reported_on_the_second_row(sitting):
    report = import_members("code,full_name\nDB101,Một\nDB101,Hai\n".encode())
    assert [(e.row, e.column) for e in report.errors] == [(3, "code")]


def test_an_unknown_column_is_reported(sitting):
    report = import_members("code,full_name,positon\nDB101,Tên,x\n".encode())
    assert [(e.row, e.column) for e in report.errors] == [(1, "positon")]


def test_a_missing_required_column_is_reported(sitting):
    report = import_members("code,position\nDB101,x\n".encode())
    assert [(e.row, e.column) for e in report.errors] == [(1, "full_name")]


def test_a_byte_order_mark_is_accepted(sitting):
    report = import_members(b"\xef\xbb\xbf" + GOOD.encode())
    assert report.ok and report.created == 3


def test_semicolon_delimited_files_are_accepted(sitting):
    data = "code;full_name;bodies\nDB101;Nguyễn Thị Mới;\"HĐND tỉnh;Ban Dân tộc\"\n"
    report = import_members(data.encode())
    assert report.ok, report.errors
    assert Membership.objects.filter(member__code="DB101").count() == 2


def test_vietnamese_column_names_are_accepted(sitting):
    report = import_members("Mã,Họ và tên,Chức vụ\nDB101,Nguyễn Thị Mới,Đại biểu\n".encode())
    assert report.ok and Member.objects.get(code="DB101").position == "Đại biểu"


def test_a_file_that_is_not_utf8_is_refused(sitting):
    report = import_members("code,full_name\nDB101,Lê Hà\n".encode("cp1258"))
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "UTF-8" in report.errors[0].message


def test_an_oversized_file_is_refused(sitting):
    report = import_members(b"code,full_name\n" + b"x" * importing.MAX_BYTES)
    assert not report.ok and "MB" in report.errors[0].message


def test_dry_run_checks_and_imports_nothing(sitting):
    report = import_members(GOOD.encode(), dry_run=True)
    assert report.ok and not report.imported and report.created == 3
    assert not Member.objects.filter(code="DB101").exists()


def test_an_import_is_audited(sitting, users):
    from audit.models import AuditRecord

    import_members(GOOD.encode(), user=users["secretary"])
    record = AuditRecord.objects.get(action="members.import")
    assert (record.user, record.detail["created"]) == (users["secretary"], 3)


# ---- the page and the command ----

def upload(client, data: bytes, **extra):
    return client.post("/members/import/", {"file": SimpleUploadedFile("members.csv", data, "text/csv"), **extra})


def test_import_page_imports_a_good_file(client, users):
    client.force_login(users["secretary"])
    response = upload(client, GOOD.encode())
    assert response.status_code == 200
    assert response.context["report"].imported
    assert Member.objects.filter(code="DB101").exists()


def test_import_page_shows_the_report_as_a_table(client, users):
    client.force_login(users["secretary"])
    response = upload(client, (HEADER + "DB101,,,,,,,,,\n").encode())
    text = response.content.decode()
    assert response.status_code == 400
    assert "<td class=\"row\">2</td><td>full_name</td>" in text


def test_import_page_refuses_an_oversized_file(client, users):
    client.force_login(users["secretary"])
    response = upload(client, b"x" * (importing.MAX_BYTES + 1))
    assert response.status_code == 400
    assert "2 MB" in response.content.decode()


def test_import_template_is_a_csv_the_import_accepts(client, users):
    client.force_login(users["secretary"])
    response = client.get("/members/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert import_members(response.content, dry_run=True).ok


def test_command_imports_a_file_and_prints_the_report(sitting, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_bytes(GOOD.encode())
    call_command("import_members", str(path))
    assert "3 thành viên mới" in capsys.readouterr().out
    assert Member.objects.filter(code="DB103").exists()


def test_command_reports_bad_rows_and_fails(sitting, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_bytes((GOOD + "DB104,,,,,,,,,\n").encode())
    with pytest.raises(CommandError):
        call_command("import_members", str(path))
    assert "Dòng 5, full_name" in capsys.readouterr().err
    assert not Member.objects.filter(code="DB101").exists()
