"""Import members from a CSV file, all or nothing.

Columns (header row, any order; English names or their Vietnamese aliases):

    code           required, unique; an existing member with this code is updated
    full_name      required
    kind           delegate | invited | guest | official (or the Vietnamese label); empty: delegate
    position       free text
    delegate_group a delegate group (Tổ đại biểu), by name or short name
    seat           seat label, e.g. "B7"; a new label creates the seat, at row/number
                   read from the label (letter = row, B -> 2; digits = number) or
                   from the seat_row and seat_number columns
    seat_row, seat_number
    email, phone
    bodies         body short names or names, separated by ";" (membership is added,
                   never removed; the delegate group is added too)
    username       optional; creates a sign-in account with no password (people
                   sign in by QR code, or staff set a password)

A column that is present is the truth for that member (an empty cell clears
the field); a column that is absent leaves the field alone.

UTF-8 with or without BOM; "," or ";" as delimiter. Every row is checked
first; if any row is wrong nothing is imported and the report says which row,
which column and what is wrong. Otherwise everything is written in one
transaction.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Body, Member, Membership, Seat

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

COLUMNS = ("code", "full_name", "kind", "position", "delegate_group", "seat", "seat_row", "seat_number",
           "email", "phone", "bodies", "username")
REQUIRED = ("code", "full_name")
ALIASES = {
    "mã": "code", "mã đại biểu": "code", "họ và tên": "full_name", "họ tên": "full_name", "loại": "kind",
    "chức vụ": "position", "tổ đại biểu": "delegate_group", "tổ": "delegate_group", "ghế": "seat", "số ghế": "seat",
    "hàng": "seat_row", "hàng ghế": "seat_row", "vị trí": "seat_number", "vị trí trong hàng": "seat_number",
    "điện thoại": "phone", "số điện thoại": "phone", "cơ quan": "bodies", "tên đăng nhập": "username",
}
MAX_LEN = {"code": 30, "full_name": 200, "position": 300, "seat": 20, "phone": 30, "email": 254, "username": 150}
SEAT_LABEL = re.compile(r"^([A-Za-z])\s*(\d{1,4})$")
PHONE = re.compile(r"^[0-9 +().\-]*$")
SMALLINT_MAX = 32767


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1; 0 for the file as a whole
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    seats_created: int = 0
    accounts_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The report as plain text lines (the management command prints these)."""
        if self.errors:
            out = [_("Không nhập dòng nào: %(n)d lỗi.") % {"n": len(self.errors)}]
            for e in self.errors:
                where = _("Dòng %(row)d") % {"row": e.row} if e.row else _("Tệp")
                out.append(f"{where}" + (f", {e.column}" if e.column else "") + f": {e.message}")
            return out
        verb = _("Đã nhập") if self.imported else _("Hợp lệ, chưa nhập (chạy thử)")
        return [_("%(verb)s %(rows)d dòng: %(created)d thành viên mới, %(updated)d cập nhật, %(seats)d ghế mới, "
                  "%(accounts)d tài khoản mới.") % {"verb": verb, "rows": self.rows, "created": self.created,
                                                    "updated": self.updated, "seats": self.seats_created,
                                                    "accounts": self.accounts_created}]


KINDS = {v: v for v in Member.Kind.values}
KINDS.update({
    "đại biểu": Member.Kind.DELEGATE, "đại biểu hđnd": Member.Kind.DELEGATE, "đại biểu mời": Member.Kind.INVITED,
    "khách mời": Member.Kind.GUEST, "khách": Member.Kind.GUEST, "cán bộ, công chức": Member.Kind.OFFICIAL,
    "cán bộ": Member.Kind.OFFICIAL, "công chức": Member.Kind.OFFICIAL,
})


def _fold(s: str) -> str:
    return " ".join(s.split()).casefold()


def _decode(data: bytes, report: ImportReport) -> str | None:
    if len(data) > MAX_BYTES:
        report.errors.append(RowError(0, "", _("Tệp lớn quá %(mb)d MB. Hãy chia thành nhiều tệp nhỏ hơn.")
                                      % {"mb": MAX_BYTES // (1024 * 1024)}))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(RowError(0, "", _("Tệp không phải mã UTF-8. Trong Excel hãy lưu dưới dạng "
                                               "\"CSV UTF-8 (phân tách bằng dấu phẩy)\".")))
        return None
    if "\x00" in text:
        report.errors.append(RowError(0, "", _("Tệp không phải tệp CSV văn bản.")))
        return None
    return text


def _read(text: str, report: ImportReport) -> tuple[list[str], list[tuple[int, dict]]] | None:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as e:
        report.errors.append(RowError(reader.line_num, "", _("Không đọc được tệp CSV: %(err)s") % {"err": e}))
        return None
    if not records or not any(c.strip() for c in records[0]):
        report.errors.append(RowError(0, "", _("Tệp trống: dòng đầu tiên phải là tên các cột (code, full_name, …).")))
        return None
    header = []
    for i, raw in enumerate(records[0]):
        name = _fold(raw)
        name = ALIASES.get(name, name)
        if name not in COLUMNS:
            report.errors.append(RowError(1, raw, _("Cột không xác định. Các cột dùng được: %(cols)s.")
                                          % {"cols": ", ".join(COLUMNS)}))
        elif name in header:
            report.errors.append(RowError(1, raw, _("Cột bị lặp lại.")))
        header.append(name)
    for name in REQUIRED:
        if name not in header:
            report.errors.append(RowError(1, name, _("Thiếu cột bắt buộc.")))
    if report.errors:
        return None
    rows = []
    for index, values in enumerate(records[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            report.errors.append(RowError(index, "", _("Dòng có nhiều ô hơn số cột của dòng tiêu đề.")))
            continue
        values = values + [""] * (len(header) - len(values))
        rows.append((index, {name: values[i].strip() for i, name in enumerate(header)}))
    if not rows and not report.errors:
        report.errors.append(RowError(0, "", _("Tệp không có dòng dữ liệu nào.")))
    if len(rows) > MAX_ROWS:
        report.errors.append(RowError(0, "", _("Tệp có quá %(n)d dòng.") % {"n": MAX_ROWS}))
    return (header, rows) if not report.errors else None


def _bodies_by_name(qs) -> dict[str, Body]:
    """name and short name (case-insensitive) -> body; the latest term wins a tie."""
    out = {}
    for body in qs.select_related("term").order_by("term__start", "pk"):
        for name in (body.name, body.short_name):
            if name:
                out[_fold(name)] = body
    return out


@dataclass
class _Plan:
    row: int
    values: dict
    member: Member | None
    kind: str | None = None
    group: Body | None = None
    seat: Seat | None = None
    new_seat: tuple[str, int, int] | None = None
    bodies: list[Body] = field(default_factory=list)
    username: str = ""


class _Checker:
    def __init__(self, header: list[str], rows: list[tuple[int, dict]], report: ImportReport):
        self.header, self.rows, self.report = header, rows, report
        codes = [v.get("code", "") for _r, v in rows]
        self.members = {m.code: m for m in Member.objects.select_related("user", "seat").filter(code__in=codes)}
        self.groups = _bodies_by_name(Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP))
        self.bodies = _bodies_by_name(Body.objects.all())
        self.seats = {s.label: s for s in Seat.objects.select_related("member")}
        self.places = {(s.row, s.number): s.label for s in self.seats.values()}
        self.seen_codes: dict[str, int] = {}
        self.seen_seats: dict[str, int] = {}
        self.seen_places: dict[tuple[int, int], int] = {}
        self.seen_usernames: dict[str, int] = {}
        self.file_codes = set(codes)

    def error(self, row: int, column: str, message: str) -> None:
        self.report.errors.append(RowError(row, column, message))

    def check(self) -> list[_Plan]:
        return [self.check_row(row, values) for row, values in self.rows]

    def check_row(self, row: int, v: dict) -> _Plan:
        for name, limit in MAX_LEN.items():
            if len(v.get(name, "")) > limit:
                self.error(row, name, _("Dài quá %(n)d ký tự.") % {"n": limit})
        code = v.get("code", "")
        if not code:
            self.error(row, "code", _("Thiếu mã thành viên."))
        elif code in self.seen_codes:
            self.error(row, "code", _("Mã %(code)s trùng với dòng %(other)d.") % {"code": code, "other": self.seen_codes[code]})
        else:
            self.seen_codes[code] = row
        if not v.get("full_name"):
            self.error(row, "full_name", _("Thiếu họ và tên."))
        plan = _Plan(row=row, values=v, member=self.members.get(code))
        if "kind" in self.header:
            plan.kind = KINDS.get(_fold(v["kind"])) if v["kind"] else Member.Kind.DELEGATE
            if plan.kind is None:
                self.error(row, "kind", _("Loại \"%(value)s\" không hợp lệ; dùng: đại biểu, đại biểu mời, khách mời, "
                                          "cán bộ, công chức (hoặc delegate, invited, guest, official).") % {"value": v["kind"]})
        if v.get("delegate_group"):
            plan.group = self.groups.get(_fold(v["delegate_group"]))
            if plan.group is None:
                self.error(row, "delegate_group", _("Không có tổ đại biểu \"%(value)s\".") % {"value": v["delegate_group"]})
        if "seat" in self.header or "seat_row" in self.header or "seat_number" in self.header:
            self.check_seat(row, v, plan)
        if v.get("email"):
            try:
                validate_email(v["email"])
            except ValidationError:
                self.error(row, "email", _("Địa chỉ email không hợp lệ."))
        if v.get("phone") and not PHONE.match(v["phone"]):
            self.error(row, "phone", _("Số điện thoại chỉ gồm chữ số, dấu cách và + ( ) . -"))
        for name in filter(None, (part.strip() for part in re.split(r"[;|]", v.get("bodies", "")))):
            body = self.bodies.get(_fold(name))
            if body is None:
                self.error(row, "bodies", _("Không có cơ quan \"%(value)s\".") % {"value": name})
            elif body not in plan.bodies:
                plan.bodies.append(body)
        if v.get("username"):
            self.check_username(row, v["username"], plan)
        return plan

    def _number(self, row: int, v: dict, column: str) -> int | None:
        raw = v.get(column, "")
        if not raw:
            return None
        if not raw.isdigit() or not 0 < int(raw) <= SMALLINT_MAX:
            self.error(row, column, _("Phải là số nguyên dương."))
            return None
        return int(raw)

    def check_seat(self, row: int, v: dict, plan: _Plan) -> None:
        label = v.get("seat", "")
        seat_row, seat_number = self._number(row, v, "seat_row"), self._number(row, v, "seat_number")
        if not label:
            if seat_row or seat_number:
                self.error(row, "seat", _("Có hàng và vị trí ghế nhưng thiếu số ghế."))
            return
        if label in self.seen_seats:
            self.error(row, "seat", _("Ghế %(seat)s đã được xếp cho dòng %(other)d.")
                       % {"seat": label, "other": self.seen_seats[label]})
            return
        self.seen_seats[label] = row
        seat = self.seats.get(label)
        if seat is not None:
            if (seat_row and seat_row != seat.row) or (seat_number and seat_number != seat.number):
                self.error(row, "seat", _("Ghế %(seat)s đã có ở hàng %(row)d, vị trí %(number)d.")
                           % {"seat": label, "row": seat.row, "number": seat.number})
            holder = getattr(seat, "member", None)
            if holder is not None and holder.code != v.get("code") and holder.code not in self.file_codes:
                self.error(row, "seat", _("Ghế %(seat)s đang được xếp cho %(name)s (mã %(code)s).")
                           % {"seat": label, "name": holder.full_name, "code": holder.code})
            plan.seat = seat
            return
        if not (seat_row and seat_number):
            match = SEAT_LABEL.match(label)
            if not match:
                self.error(row, "seat", _("Ghế mới \"%(seat)s\": không suy ra được hàng và vị trí từ số ghế; hãy điền "
                                          "cột seat_row và seat_number.") % {"seat": label})
                return
            seat_row = seat_row or ord(match.group(1).upper()) - ord("A") + 1
            seat_number = seat_number or int(match.group(2))
        place = (seat_row, seat_number)
        if place in self.places:
            self.error(row, "seat", _("Hàng %(row)d, vị trí %(number)d đã là ghế %(other)s.")
                       % {"row": seat_row, "number": seat_number, "other": self.places[place]})
        elif place in self.seen_places:
            self.error(row, "seat", _("Hàng %(row)d, vị trí %(number)d trùng với ghế mới ở dòng %(other)d.")
                       % {"row": seat_row, "number": seat_number, "other": self.seen_places[place]})
        else:
            self.seen_places[place] = row
            plan.new_seat = (label, seat_row, seat_number)

    def check_username(self, row: int, username: str, plan: _Plan) -> None:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            self.error(row, "username", _("Tên đăng nhập chỉ gồm chữ, số và @ . + - _"))
            return
        if username in self.seen_usernames:
            self.error(row, "username", _("Tên đăng nhập trùng với dòng %(other)d.") % {"other": self.seen_usernames[username]})
            return
        self.seen_usernames[username] = row
        current = plan.member.user if plan.member is not None else None
        if current is not None:
            if current.get_username() != username:
                self.error(row, "username", _("Thành viên này đã có tài khoản \"%(current)s\"; "
                                              "đổi tài khoản trong trang Quản trị.")
                           % {"current": current.get_username()})
            return
        if get_user_model().objects.filter(username=username).exists():
            self.error(row, "username", _("Tên đăng nhập \"%(value)s\" đã được dùng cho tài khoản khác.") % {"value": username})
            return
        plan.username = username


def import_members(data: bytes, *, user=None, dry_run: bool = False) -> ImportReport:
    """Check the whole file; import it only if every row is right. `user` is who imports (for the audit log)."""
    report = ImportReport()
    text = _decode(data, report)
    parsed = _read(text, report) if text is not None else None
    if parsed is None:
        return report
    header, rows = parsed
    report.rows = len(rows)
    try:
        with transaction.atomic():
            plans = _Checker(header, rows, report).check()
            if report.errors or dry_run:
                if not report.errors:
                    for plan in plans:
                        report.created += plan.member is None
                        report.updated += plan.member is not None
                        report.seats_created += plan.new_seat is not None
                        report.accounts_created += bool(plan.username)
                return report
            _write(header, plans, report, user)
            report.imported = True
    except IntegrityError:
        report.errors.append(RowError(0, "", _("Dữ liệu đã thay đổi trong lúc nhập (ví dụ một ghế vừa được xếp). "
                                               "Không dòng nào được nhập; hãy thử lại.")))
        report.imported = False
        report.created = report.updated = report.seats_created = report.accounts_created = 0
    return report


def _write(header: list[str], plans: list[_Plan], report: ImportReport, user) -> None:
    User = get_user_model()
    seat_column = "seat" in header
    if seat_column:
        # Free the seats of members who move, so two members can swap seats in one file.
        moving = [p.member.pk for p in plans if p.member is not None and p.member.seat_id
                  and (p.seat is None or p.seat.pk != p.member.seat_id)]
        Member.objects.filter(pk__in=moving).update(seat=None)
    for plan in plans:
        v = plan.values
        if plan.new_seat:
            label, seat_row, seat_number = plan.new_seat
            plan.seat = Seat.objects.create(label=label, row=seat_row, number=seat_number)
            report.seats_created += 1
        member = plan.member or Member(code=v["code"])
        member.full_name = v["full_name"]
        if plan.kind is not None:
            member.kind = plan.kind
        for name in ("position", "email", "phone"):
            if name in header:
                setattr(member, name, v[name])
        if "delegate_group" in header:
            member.delegate_group = plan.group
        if seat_column:
            member.seat = plan.seat
        if plan.username:
            account = User(username=plan.username, first_name=v["full_name"][:150], email=v.get("email", ""))
            account.set_unusable_password()
            account.save()
            member.user = account
            report.accounts_created += 1
        if plan.member is None:
            report.created += 1
        else:
            report.updated += 1
        member.save()
        for body in plan.bodies + ([plan.group] if plan.group else []):
            membership, made = Membership.objects.get_or_create(body=body, member=member)
            if not made and not membership.active:
                membership.active = True
                membership.save(update_fields=["active"])
    from accounts.permissions import SECRETARY, Actor
    from audit.services import record

    record(Actor(role=SECRETARY if user is not None else "", user=user), "members.import",
           detail={"rows": report.rows, "created": report.created, "updated": report.updated,
                   "seats_created": report.seats_created, "accounts_created": report.accounts_created})
