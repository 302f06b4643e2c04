"""Import of the year's planned resolutions from a spreadsheet (XLSX), all or nothing.

One sheet, a header row naming the columns (COLUMNS, in any order, matched without diacritics),
then one planned resolution a row: title, area, year, planned session (its number in the term),
lead agency, reviewing committee. Every row is read and checked first; if any is wrong, nothing is
imported and the page lists each error (row, column, message). Otherwise every row goes through
services.create_resolution, in one transaction under one audited "resolutions.import" operation
(each resolution also has its own "resolutions.create" record); a refusal of any row undoes all.
Limits: MAX_BYTES and MAX_ROWS. The blank template (template_workbook) lists the valid values."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from library.text import fold
from meeting.models import Body, Session, Term
from petitions.models import Agency

from . import services
from .models import Area
from .services import ResolutionError, office_operation

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
MAX_SCANNED = 5000  # rows read at most, blank ones included
COLUMNS = [  # (key, header)
    ("title", gettext_lazy("Trích yếu")),
    ("area", gettext_lazy("Lĩnh vực")),
    ("year", gettext_lazy("Năm")),
    ("session", gettext_lazy("Kỳ họp dự kiến (số thứ tự)")),
    ("lead_agency", gettext_lazy("Cơ quan chủ trì soạn thảo")),
    ("committee", gettext_lazy("Ban thẩm tra")),
]
REQUIRED = ("title", "year")
# A service's refusal shown against the column it is about.
CODE_COLUMN = {"title_required": "title", "bad_year": "year", "bad_committee": "committee", "bad_session": "session"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRefused(ResolutionError):
    """The file as a whole is refused (not XLSX, too big, no header); `errors` lists bad rows, if any."""

    def __init__(self, code, message, errors=()):
        super().__init__(code, message)
        self.errors = list(errors)


def _label(key: str) -> str:
    return str(dict(COLUMNS)[key])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(data: bytes) -> list[tuple[int, dict]]:
    """(row number, {key: text}) for each non-blank row of the first sheet; refuses a file that is
    not an XLSX workbook, one over the limits, one whose header lacks a required column."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise ImportRefused("file_too_big", _("Tệp quá lớn (tối đa %(n)d MB).") % {"n": MAX_BYTES // (1024 * 1024)})
    if not data.startswith(b"PK"):
        raise ImportRefused("not_xlsx", _("Tệp không phải bảng tính Excel (.xlsx)."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
    except Exception:  # an untrusted file: whatever the parser trips on (zip, XML, workbook), it is not a sheet we read
        raise ImportRefused("not_xlsx", _("Tệp không phải bảng tính Excel (.xlsx)."))
    by_header = {fold(str(label)): key for key, label in COLUMNS}
    positions = {}
    for i, cell in enumerate(header or ()):
        key = by_header.get(fold(_text(cell)))
        if key and key not in positions:
            positions[key] = i
    missing = [_label(k) for k in REQUIRED if k not in positions]
    if missing:
        raise ImportRefused("bad_header", _("Dòng tiêu đề thiếu cột: %(c)s. Hãy dùng bảng tính mẫu.")
                            % {"c": ", ".join(missing)})
    rows = []
    try:
        for number, line in enumerate(lines, start=2):
            if number > MAX_SCANNED:  # blank rows count too: a sheet of a million formatted blank rows stops here
                raise ImportRefused("too_many_rows", _("Quá nhiều dòng (tối đa %(n)d nghị quyết một lần).") % {"n": MAX_ROWS})
            values = {key: _text(line[i]) if i < len(line) else "" for key, i in positions.items()}
            if not any(values.values()):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise ImportRefused("too_many_rows", _("Quá nhiều dòng (tối đa %(n)d nghị quyết một lần).") % {"n": MAX_ROWS})
    except ImportRefused:
        raise
    except Exception:  # as above: a sheet the parser cannot read to its end
        raise ImportRefused("not_xlsx", _("Tệp không phải bảng tính Excel (.xlsx)."))
    if not rows:
        raise ImportRefused("empty", _("Bảng tính không có dòng nghị quyết nào."))
    return rows


class Lookups:
    """The reference data a row names, matched without diacritics and case."""

    def __init__(self):
        self.areas = {}
        for value, label in Area.choices:
            self.areas[fold(value)] = value
            self.areas[fold(str(label))] = value
        self.agencies = {}
        for agency in Agency.objects.filter(active=True):
            for name in (agency.name, agency.short_name):
                if name:
                    self.agencies.setdefault(fold(name), agency)
        self.committees = {}
        for body in Body.objects.filter(kind=Body.Kind.COMMITTEE).select_related("term").order_by("-term__start"):
            for name in (body.name, body.short_name):
                if name:
                    self.committees.setdefault((body.term_id, fold(name)), body)
        self.terms = list(Term.objects.order_by("-start"))

    def term_of(self, year: int):
        return next((t for t in self.terms if t.start.year <= year <= t.end.year), None)


def check_row(values: dict, lookups: Lookups) -> tuple[dict, list[tuple[str, str]]]:
    """The keyword arguments of services.create_resolution for a row, and its errors (column, message)."""
    errors = []
    out = {"title": values.get("title", ""), "area": "other"}
    if not out["title"]:
        errors.append(("title", _("Cần trích yếu của nghị quyết.")))
    elif len(out["title"]) > 1000:
        errors.append(("title", _("Trích yếu quá dài (tối đa 1000 ký tự).")))
    if values.get("area"):
        area = lookups.areas.get(fold(values["area"]))
        if area is None:
            errors.append(("area", _("Không có lĩnh vực “%(v)s”.") % {"v": values["area"]}))
        else:
            out["area"] = area
    term = None
    try:
        year = int(values.get("year", ""))
    except ValueError:
        errors.append(("year", _("Năm phải là một số, ví dụ 2027.")))
    else:
        out["planned_year"] = year
        term = lookups.term_of(year)
        if term is None:
            errors.append(("year", _("Không có nhiệm kỳ nào gồm năm %(y)d.") % {"y": year}))
        out["term"] = term
    if values.get("session") and term is not None:
        try:
            number = int(values["session"].lower().removeprefix("kỳ họp thứ").strip())
        except ValueError:
            errors.append(("session", _("Kỳ họp ghi bằng số thứ tự, ví dụ 12.")))
        else:
            session = Session.objects.filter(body__term=term, number=number).select_related("body").first()
            if session is None:
                errors.append(("session", _("Nhiệm kỳ %(t)s không có kỳ họp thứ %(n)d.") % {"t": term.name, "n": number}))
            out["planned_session"] = session
    if values.get("lead_agency"):
        out["lead_agency"] = lookups.agencies.get(fold(values["lead_agency"]))
        if out["lead_agency"] is None:
            errors.append(("lead_agency", _("Không có cơ quan “%(v)s” trong danh mục.") % {"v": values["lead_agency"]}))
    if values.get("committee") and term is not None:
        out["reviewing_committee"] = lookups.committees.get((term.pk, fold(values["committee"])))
        if out["reviewing_committee"] is None:
            errors.append(("committee", _("Không có ban “%(v)s” của HĐND trong nhiệm kỳ.") % {"v": values["committee"]}))
    return out, errors


def import_programme(user, data: bytes) -> list:
    """Read, check and create every row, or nothing: raises ImportRefused (with `errors` per row)."""
    with office_operation(user, "resolutions.import", size=len(data)) as op:
        rows = read_sheet(data)
        lookups = Lookups()
        checked, errors = [], []
        for number, values in rows:
            kwargs, problems = check_row(values, lookups)
            errors += [RowError(number, _label(col), msg) for col, msg in problems]
            checked.append((number, kwargs))
        if errors:
            raise ImportRefused("bad_rows", _("Có dòng không hợp lệ; chưa nhập nghị quyết nào."), errors)
        made = []
        for number, kwargs in checked:
            try:
                with transaction.atomic():
                    made.append(services.create_resolution(user, **kwargs))
            except ResolutionError as refused:
                errors.append(RowError(number, _label(CODE_COLUMN.get(refused.code, "title")), refused.message))
        if errors:
            raise ImportRefused("bad_rows", _("Có dòng không hợp lệ; chưa nhập nghị quyết nào."), errors)
        op.detail.update(rows=len(made), resolutions=[r.pk for r in made])
    return made


def template_workbook() -> bytes:
    """The blank sheet to fill in (the header and an example row), and a sheet of valid values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Chương trình")
    sheet.append([str(label) for _key, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    areas = [str(label) for _v, label in Area.choices]
    agencies = list(Agency.objects.filter(active=True).order_by("name").values_list("name", flat=True))
    committees = list(Body.objects.filter(kind=Body.Kind.COMMITTEE).order_by("name").values_list("name", flat=True).distinct())
    # An example row that imports as it is (no session: a term's sessions are numbered when planned).
    sheet.append([_("Quy định mức thu học phí năm học 2027-2028"), str(Area.FEES.label), timezone.localdate().year + 1, None,
                  agencies[0] if agencies else None, committees[0] if committees else None])
    for column, width in zip("ABCDEF", (60, 24, 8, 14, 36, 30)):
        sheet.column_dimensions[column].width = width
    values = book.create_sheet(_("Giá trị hợp lệ"))
    values.append([_("Lĩnh vực"), _("Cơ quan chủ trì soạn thảo"), _("Ban thẩm tra")])
    for i in range(max(len(areas), len(agencies), len(committees))):
        values.append([areas[i] if i < len(areas) else None, agencies[i] if i < len(agencies) else None,
                       committees[i] if i < len(committees) else None])
    for column, width in zip("ABC", (28, 50, 40)):
        values.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
