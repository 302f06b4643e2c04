"""Reports for the council: the session's summary of voters' petitions (PDF and
spreadsheet) and the register's statistics.

Every figure is a database aggregate (COUNT … FILTER / CASE per group), so a
register of 100,000 cases costs a handful of queries, never a loop over rows;
only the list of one session's petitions is read row by row.

Words, so the report and the statistics page agree:
- answered: answered at the voter meeting, or the case has reached
  answered / published / closed / guided;
- set aside: not eligible, duplicate, withdrawn (counted, neither answered nor pending);
- pending: everything else; overdue: pending with its due date passed;
- on time (the plan's "100 % on time"): the register's one definition,
  petitions.deadlines.judged_steps, which the deadlines dashboard uses too: of
  the steps judged in the period — met, or still open past their due date —
  those met on or before their due date.

Who may read them is decided in accounts.permissions (petition staff). The
PDF is an official Vietnamese document, written in Vietnamese whatever the
reader's interface language.
"""

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.db.models import Count, Prefetch, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from library import fonts
from library.convocation import Paper, council_parts, nfc, official_header

from .deadlines import judged_steps, on_time_rate, on_time_summary
from .models import AGENCY_LEVELS, Answer, Case, Deadline, Transfer
from .voter_petitions import reported_at

ANSWERED = (Case.Status.ANSWERED, Case.Status.PUBLISHED, Case.Status.CLOSED, Case.Status.GUIDED)
SET_ASIDE = (Case.Status.NOT_ELIGIBLE, Case.Status.DUPLICATE, Case.Status.WITHDRAWN)
FONT = "SourceSans"


def _answered_q():
    return Q(status__in=ANSWERED) | Q(answered_on_spot=True)


def _pending_q():
    return ~_answered_q() & ~Q(status__in=SET_ASIDE)


def count_columns(today: dt.date) -> dict:
    return {
        "received": Count("id"),
        "answered": Count("id", filter=_answered_q()),
        "pending": Count("id", filter=_pending_q()),
        "overdue": Count("id", filter=_pending_q() & Q(due_on__lt=today)),
    }


# ---- the session's summary ----------------------------------------------------------------------

@dataclass
class SessionSummary:
    session: object
    today: dt.date
    totals: dict
    by_level: list[dict]
    by_agency: list[dict]
    petitions: list = field(default_factory=list)
    candidates: list = field(default_factory=list)
    meetings: int = 0
    voters: int = 0
    on_time: dict = field(default_factory=dict)
    # The answers reported at this session: petitions collected for the previous regular session
    # (petitions.voter_petitions.reported_at; issue 12, item 4), with their counts.
    reported: list = field(default_factory=list)
    reported_totals: dict = field(default_factory=dict)


def session_petitions(session):
    return Case.objects.filter(kind=Case.Kind.VOTER_PETITION, meeting__session=session)


def session_summary(session, today: dt.date | None = None) -> SessionSummary:
    from .models import VoterMeeting

    today = today or timezone.localdate()
    cases = session_petitions(session)
    columns = count_columns(today)
    totals = cases.aggregate(**columns)
    levels = dict(Case.Level.choices)
    by_level = [{"name": str(levels.get(row["level"], _("Chưa xác định cấp"))), **row}
                for row in cases.order_by().values("level").annotate(**columns).order_by("level")]
    order = {key: i for i, key in enumerate(levels)}
    by_level.sort(key=lambda row: order.get(row["level"], 99))
    by_agency = [{"name": row["agency__name"] or _("Chưa chuyển (trả lời tại hội nghị hoặc đang phân loại)"), **row}
                 for row in cases.order_by().values("agency__name").annotate(**columns).order_by("agency__name")]
    approved = Answer.objects.filter(review=Answer.Review.APPROVED).order_by("-answered_at", "-id")
    petitions = list(cases.select_related("agency", "field", "meeting")
                     .prefetch_related(Prefetch("answers", queryset=approved, to_attr="approved_answers"))
                     .order_by("level", "agency__name", "received_at", "id"))
    meetings = VoterMeeting.objects.filter(session=session).order_by()
    reported_cases = reported_at(session)
    reported = list(reported_cases.select_related("agency", "meeting__delegate_group", "meeting__session")
                    .prefetch_related(Prefetch("answers", queryset=approved, to_attr="approved_answers"),
                                      Prefetch("transfers", queryset=Transfer.objects.order_by("-sent_at", "-id"),
                                               to_attr="sent"))
                    .order_by("meeting__session__start_date", "meeting__delegate_group__name", "received_at", "id"))
    return SessionSummary(
        reported=reported, reported_totals=reported_cases.aggregate(**columns),
        session=session, today=today, totals=totals, by_level=by_level, by_agency=by_agency,
        petitions=petitions,
        candidates=[p for p in petitions if p.unsatisfactory or p.questioning_candidate],
        meetings=meetings.count(), voters=sum(meetings.values_list("voters", flat=True)),
        on_time=on_time_summary(Deadline.objects.filter(case__in=cases).order_by(), today),
    )


def on_time_sentence(summary: dict) -> str:
    """The session report's on-time line (the register's one definition: deadlines.judged_steps)."""
    if not summary or summary.get("rate") is None:
        return _("Chưa có bước xử lý nào đến hạn hoặc đã xong để tính tỷ lệ đúng hạn.")
    return (_("Tỷ lệ đúng hạn: %(rate)s%% (%(a)d/%(b)d bước xử lý đã xong hoặc đã quá hạn).")
            % {"rate": summary["rate"], "a": summary["on_time"], "b": summary["judged"]})


def answer_text(case) -> str:
    if case.approved_answers:
        return nfc(case.approved_answers[0].text)
    if case.answered_on_spot:
        return _("Đã trả lời tại hội nghị tiếp xúc cử tri.")
    return ""


def due_text(case) -> str:
    """The answer's due date of a forwarded voter's petition (its latest forwarding), for the report."""
    sent = getattr(case, "sent", None)
    due = sent[0].due_on if sent else case.due_on
    return due.strftime("%d/%m/%Y") if due else ""


def state_text(case, today) -> str:
    if case.status in SET_ASIDE:
        return str(case.get_status_display())
    if case.answered_on_spot or case.status in ANSWERED:
        return _("Đã trả lời")
    if case.due_on and case.due_on < today:
        return _("Quá hạn")
    return _("Đang giải quyết")


# ---- PDF ---------------------------------------------------------------------------------------

def _heads():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(235, 235, 235))


def _session_heading(session) -> str:
    title = nfc(session.title)
    if title.lower().startswith("kỳ họp"):
        return title
    return _("Kỳ họp thứ %(n)s: %(t)s") % {"n": session.number, "t": title}


class _Report(Paper):
    FONT_NAME, FONT_SIZE, LINE_SIZE, LINE_H = FONT, 12, 12.5, 6.0

    def __init__(self, pdf, summary: SessionSummary):
        self.pdf, self.s = pdf, summary
        self.level, self.locality = council_parts(summary.session)

    def header(self):
        official_header(self.pdf, font=FONT, level=self.level, locality=self.locality,
                        number=_("Số:        /BC-HĐND"), day=self.s.today)

    def title(self):
        self.line(_("BÁO CÁO"), style="B", size=15, align="C", h=7.5)
        self.line(_("Tổng hợp kiến nghị của cử tri và kết quả giải quyết"), style="B", size=13.5, align="C")
        self.line(_("trình %(s)s") % {"s": _session_heading(self.s.session)[0].lower() + _session_heading(self.s.session)[1:]},
                  style="B", size=13.5, align="C")
        self.pdf.ln(4)

    def intro(self):
        t = self.s.totals
        self.line(_("Thường trực Hội đồng nhân dân tổng hợp kiến nghị của cử tri qua %(m)d buổi tiếp xúc cử tri "
                    "(%(v)d lượt cử tri tham dự): tổng số %(n)d kiến nghị; đã trả lời %(a)d; đang giải quyết %(p)d, "
                    "trong đó quá hạn %(o)d. Số liệu tính đến ngày %(d)s.")
                  % {"m": self.s.meetings, "v": self.s.voters, "n": t["received"], "a": t["answered"],
                     "p": t["pending"], "o": t["overdue"], "d": self.s.today.strftime("%d/%m/%Y")})
        self.line(on_time_sentence(self.s.on_time))
        self.pdf.ln(2)

    def count_table(self, heading, first, rows):
        pdf = self.pdf
        self.line(heading, style="B", size=13)
        pdf.ln(1)
        self.font("", 11)
        with pdf.table(col_widths=(8, 52, 20, 20, 20, 20), text_align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                       line_height=6, headings_style=_heads()) as table:
            head = table.row()
            for text in (_("TT"), first, _("Tiếp nhận"), _("Đã trả lời"), _("Đang giải quyết"), _("Quá hạn")):
                head.cell(text)
            for i, row in enumerate(rows, 1):
                cells = table.row()
                cells.cell(str(i))
                cells.cell(nfc(row["name"]))
                for key in ("received", "answered", "pending", "overdue"):
                    cells.cell(str(row[key]))
            total = table.row()
            total.cell("")
            total.cell(_("Tổng cộng"))
            for key in ("received", "answered", "pending", "overdue"):
                total.cell(str(self.s.totals[key]))
        pdf.ln(4)

    def petition_list(self):
        pdf = self.pdf
        self.line(_("III. Danh sách kiến nghị và kết quả trả lời"), style="B", size=13)
        pdf.ln(1)
        if not self.s.petitions:
            self.line(_("Không có kiến nghị nào."), style="I", indent=6)
            return
        self.font("", 10)
        with pdf.table(col_widths=(8, 54, 28, 60, 18), text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT"),
                       line_height=5, headings_style=_heads()) as table:
            head = table.row()
            for text in (_("TT"), _("Nội dung kiến nghị"), _("Cơ quan giải quyết"), _("Kết quả trả lời"), _("Tình trạng")):
                head.cell(text)
            for i, case in enumerate(self.s.petitions, 1):
                cells = table.row()
                cells.cell(str(i))
                where = case.locality
                cells.cell(nfc(case.subject) + (f" ({nfc(where)})" if where else ""))
                cells.cell(nfc(case.agency.name) if case.agency_id else "—")
                cells.cell(answer_text(case) or "—")
                cells.cell(state_text(case, self.s.today))
        pdf.ln(4)

    def reported(self):
        """V. The answers reported at this session (petitions collected for the previous regular session)."""
        pdf, t = self.pdf, self.s.reported_totals
        self.line(_("V. Kết quả trả lời kiến nghị cử tri gửi đến kỳ họp trước, báo cáo tại kỳ họp này"), style="B", size=13)
        pdf.ln(1)
        if not self.s.reported:
            self.line(_("Không có kiến nghị nào."), style="I", indent=6)
            pdf.ln(4)
            return
        self.line(_("Tổng số %(n)d kiến nghị; đã trả lời %(a)d; đang giải quyết %(p)d, trong đó quá hạn %(o)d.")
                  % {"n": t["received"], "a": t["answered"], "p": t["pending"], "o": t["overdue"]}, indent=6)
        pdf.ln(1)
        self.font("", 10)
        with pdf.table(col_widths=(8, 44, 26, 23, 48, 19), text_align=("CENTER", "LEFT", "LEFT", "CENTER", "LEFT", "LEFT"),
                       line_height=5, headings_style=_heads()) as table:
            head = table.row()
            for text in (_("TT"), _("Nội dung kiến nghị"), _("Cơ quan giải quyết"), _("Hạn trả lời"), _("Kết quả trả lời"),
                         _("Tình trạng")):
                head.cell(text)
            for i, case in enumerate(self.s.reported, 1):
                cells = table.row()
                cells.cell(str(i))
                group = nfc(case.meeting.delegate_group.name) if case.meeting_id else ""
                cells.cell(nfc(case.subject) + (f" ({group})" if group else ""))
                cells.cell(nfc(case.agency.name) if case.agency_id else "—")
                cells.cell(due_text(case) or "—")
                cells.cell(answer_text(case) or "—")
                cells.cell(state_text(case, self.s.today))
        pdf.ln(4)

    def candidates(self):
        self.line(_("IV. Trả lời chưa thỏa đáng, đề xuất đưa vào nội dung chất vấn"), style="B", size=13)
        self.pdf.ln(1)
        if not self.s.candidates:
            self.line(_("Không có."), style="I", indent=6)
        for i, case in enumerate(self.s.candidates, 1):
            marks = []
            if case.unsatisfactory:
                marks.append(_("trả lời chưa thỏa đáng"))
            if case.questioning_candidate:
                marks.append(_("đề xuất chất vấn"))
            agency = nfc(case.agency.name) if case.agency_id else "—"
            self.line(f"{i}. {nfc(case.subject)} — {agency} ({', '.join(marks)}).", indent=6)
        self.pdf.ln(4)

    def closing(self):
        pdf = self.pdf
        if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        left_w = 80.0
        self.font("B", 11)
        pdf.cell(left_w, 5, _("Nơi nhận:"), new_x="LMARGIN", new_y="NEXT")
        self.font("", 10.5)
        for text in (_("- Đại biểu HĐND tỉnh;"), _("- UBND tỉnh;"), _("- Lưu: VT, Văn phòng.")):
            pdf.cell(left_w, 4.6, text, new_x="LMARGIN", new_y="NEXT")
        left_end = pdf.get_y()
        x, w = pdf.l_margin + left_w + 5, pdf.epw - left_w - 5
        pdf.set_y(top)
        for text in (_("TM. THƯỜNG TRỰC HĐND"), _("CHỦ TỊCH")):
            self.font("B", 13)
            pdf.set_x(x)
            pdf.cell(w, 6.4, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(left_end, pdf.get_y()))


def session_pdf(summary: SessionSummary) -> bytes:
    from fpdf import FPDF

    with translation.override("vi"):
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_margins(25, 15, 18)
        pdf.set_auto_page_break(True, margin=15)
        pdf.add_font(FONT, "", fonts.regular())
        pdf.add_font(FONT, "B", fonts.bold())
        pdf.add_font(FONT, "I", fonts.italic())
        pdf.set_title(nfc(_("Tổng hợp kiến nghị cử tri — %(s)s") % {"s": summary.session.title}))
        pdf.set_author(nfc(_("Thường trực %(c)s") % {"c": "HĐND"}))
        pdf.set_creator("hdnd")
        pdf.add_page()
        report = _Report(pdf, summary)
        report.header()
        report.title()
        report.intro()
        report.count_table(_("I. Theo cấp có thẩm quyền giải quyết"), _("Cấp"), summary.by_level)
        report.count_table(_("II. Theo cơ quan giải quyết"), _("Cơ quan"), summary.by_agency)
        report.petition_list()
        report.candidates()
        report.reported()
        report.closing()
        return bytes(pdf.output())


# ---- spreadsheet -------------------------------------------------------------------------------

def session_xlsx(summary: SessionSummary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    with translation.override("vi"):
        book = Workbook()
        heads = [_("Tiếp nhận"), _("Đã trả lời"), _("Đang giải quyết"), _("Quá hạn")]
        keys = ("received", "answered", "pending", "overdue")

        def count_sheet(sheet, first, rows):
            sheet.append([nfc(_("Tổng hợp kiến nghị cử tri — %(s)s") % {"s": _session_heading(summary.session)})])
            sheet["A1"].font = bold
            sheet.append([first, *heads])
            for cell in sheet[2]:
                cell.font = bold
            for row in rows:
                sheet.append([nfc(row["name"]), *(row[k] for k in keys)])
            sheet.append([_("Tổng cộng"), *(summary.totals[k] for k in keys)])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            sheet.column_dimensions["A"].width = 60
            for column in "BCDE":
                sheet.column_dimensions[column].width = 16

        levels = book.active
        levels.title = _("Theo cấp")
        count_sheet(levels, _("Cấp"), summary.by_level)
        levels.append([])
        levels.append([on_time_sentence(summary.on_time)])
        count_sheet(book.create_sheet(_("Theo cơ quan")), _("Cơ quan"), summary.by_agency)

        listing = book.create_sheet(_("Danh sách"))
        listing.append([_("TT"), _("Mã"), _("Nội dung kiến nghị"), _("Địa bàn"), _("Lĩnh vực"), _("Cấp"),
                        _("Cơ quan giải quyết"), _("Hạn"), _("Tình trạng"), _("Kết quả trả lời"),
                        _("Chưa thỏa đáng"), _("Đề xuất chất vấn")])
        for cell in listing[1]:
            cell.font = bold
        for i, case in enumerate(summary.petitions, 1):
            listing.append([
                i, case.tracking_code, nfc(case.subject), case.locality,
                case.field.name if case.field_id else "", str(case.get_level_display()) if case.level else "",
                case.agency.name if case.agency_id else "", case.due_on, state_text(case, summary.today),
                answer_text(case), _("Có") if case.unsatisfactory else "", _("Có") if case.questioning_candidate else "",
            ])
        for column, width in zip("ABCDEFGHIJKL", (5, 16, 60, 24, 20, 10, 36, 12, 16, 70, 12, 12)):
            listing.column_dimensions[column].width = width
        for row in listing.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in listing["H"][1:]:
            cell.number_format = "DD/MM/YYYY"
        listing.freeze_panes = "A2"

        chosen = book.create_sheet(_("Đề xuất chất vấn"))
        chosen.append([_("Mã"), _("Nội dung kiến nghị"), _("Cơ quan giải quyết"), _("Kết quả trả lời"),
                       _("Chưa thỏa đáng"), _("Đề xuất chất vấn")])
        for case in summary.candidates:
            chosen.append([case.tracking_code, nfc(case.subject), case.agency.name if case.agency_id else "",
                           answer_text(case), _("Có") if case.unsatisfactory else "",
                           _("Có") if case.questioning_candidate else ""])
        answered = book.create_sheet(_("Báo cáo tại kỳ họp"))
        answered.append([_("TT"), _("Mã"), _("Nội dung kiến nghị"), _("Tổ đại biểu"), _("Kỳ họp tiếp xúc"),
                         _("Cơ quan giải quyết"), _("Hạn trả lời"), _("Tình trạng"), _("Kết quả trả lời")])
        for cell in answered[1]:
            cell.font = bold
        for i, case in enumerate(summary.reported, 1):
            answered.append([
                i, case.tracking_code, nfc(case.subject), nfc(case.meeting.delegate_group.name) if case.meeting_id else "",
                nfc(case.meeting.session.title) if case.meeting_id else "", case.agency.name if case.agency_id else "",
                due_text(case), state_text(case, summary.today), answer_text(case),
            ])
        for column, width in zip("ABCDEFGHI", (5, 16, 60, 24, 30, 36, 12, 16, 70)):
            answered.column_dimensions[column].width = width

        out = BytesIO()
        book.save(out)
        return out.getvalue()


# ---- statistics --------------------------------------------------------------------------------

def month_starts(today: dt.date, months: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _i in range(months):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def statistics(today: dt.date | None = None, months: int = 12) -> dict:
    """Cases per kind, per agency, per month (last 12 months) and the on-time rate, all as aggregates."""
    today = today or timezone.localdate()
    starts = month_starts(today, months)
    since = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    cases = Case.objects.filter(received_at__gte=since).order_by()
    kinds = dict(Case.Kind.choices)
    per_kind = [{"key": row["kind"], "name": str(kinds.get(row["kind"], row["kind"])), "n": row["n"]}
                for row in cases.values("kind").annotate(n=Count("id")).order_by("-n")]
    per_agency = [{"name": row["agency__name"] or _("Chưa chuyển"), **row}
                  for row in cases.values("agency__name").annotate(**count_columns(today)).order_by("-received")]
    monthly = {row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]: row["n"]
               for row in cases.annotate(month=TruncMonth("received_at")).values("month").annotate(n=Count("id"))
               .order_by("month")}
    per_month = [{"month": start, "name": start.strftime("%m/%Y"), "n": monthly.get(start, 0)} for start in starts]

    due, on_time_q = judged_steps(Deadline.objects.order_by(), today, since=starts[0])
    overall = due.aggregate(total=Count("id"), on_time=Count("id", filter=on_time_q))
    on_time = [{"name": row["case__agency__name"] or _("Văn phòng (chưa chuyển)"), **row,
                "rate": on_time_rate(row["on_time"], row["total"])}
               for row in due.values("case__agency__name").annotate(total=Count("id"), on_time=Count("id", filter=on_time_q))
               .order_by("case__agency__name")]
    on_time.sort(key=lambda row: (101 if row["rate"] is None else row["rate"], row["name"]))
    citizen = cases.aggregate(published=Count("id", filter=Q(status=Case.Status.PUBLISHED)),
                              satisfied=Count("id", filter=Q(citizen_satisfied=True)),
                              unsatisfied=Count("id", filter=Q(citizen_satisfied=False)))
    citizen["said"] = citizen["satisfied"] + citizen["unsatisfied"]
    citizen["rate"] = _rate(citizen["satisfied"], citizen["said"])
    return {
        "since": starts[0], "today": today, "total": sum(row["n"] for row in per_kind),
        "per_kind": per_kind, "per_agency": per_agency, "per_month": per_month, "on_time": on_time,
        "on_time_total": overall["total"], "on_time_met": overall["on_time"],
        "on_time_rate": on_time_rate(overall["on_time"], overall["total"]),
        "per_level": per_level(cases, today), "citizen": citizen,
    }


def per_level(cases, today: dt.date) -> list[dict]:
    """Cases by the level that handles them (two levels since 1/7/2025: central, province, commune): a voter
    petition's own level, else the level of the agency it went to; a district body of before 1/7/2025 keeps its
    own row. Received / answered / pending / overdue as everywhere (count_columns)."""
    labels = dict(AGENCY_LEVELS)
    rows = (cases.annotate(handled_at=Coalesce(NullIf("level", Value("")), "agency__level"))
            .values("handled_at").annotate(**count_columns(today)).order_by("handled_at"))
    out = [{"key": row["handled_at"] or "", "name": str(labels.get(row["handled_at"], _("Chưa xác định cấp"))), **row}
           for row in rows]
    order = {key: i for i, key in enumerate(labels)}
    out.sort(key=lambda row: order.get(row["key"], 99))
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
