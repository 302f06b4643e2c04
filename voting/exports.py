"""A round's result as CSV, PDF and Popolo `vote_event` JSON (issue 14, item 7).

Everything here reads the result stored at the close (`Round.result`, never recomputed) and, for
an open poll, its roll call (`result["by_member"]`). A secret round exports its counts only: no
voter, no group, no order — there is nothing else to export (voting.models).

Who may download (`visible`): the sitting's chair and secretary (staff) once the round is closed;
after publication, an open poll's result is public — to everyone who may follow the sitting.
Anyone else gets 404, as if the round did not exist.
"""

import csv
import json
import unicodedata

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import CHAIR, SECRETARY, may_view, role_in
from meeting.models import Member

from .models import Round

STAFF = (CHAIR, SECRETARY)
DONE = (Round.Status.CLOSED, Round.Status.PUBLISHED)
LEVELS = {"high": gettext_lazy("Tín nhiệm cao"), "confidence": gettext_lazy("Tín nhiệm"),
          "low": gettext_lazy("Tín nhiệm thấp")}
BASES = {"total": gettext_lazy("tổng số đại biểu"), "present": gettext_lazy("số đại biểu có mặt"),
         "cast": gettext_lazy("số phiếu hợp lệ")}
POPOLO_OPTIONS = {"yes": "yes", "no": "no", "abstain": "abstain"}


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def visible(request, r: Round) -> bool:
    """Staff of the sitting once closed; after publication, everyone who may follow the sitting,
    for an open poll only."""
    if r.status not in DONE and not (r.status == Round.Status.VOIDED and r.result is not None):
        return False
    sitting = r.poll.sitting
    role = role_in(sitting, user=request.user)
    if role in STAFF:
        return True
    return r.status == Round.Status.PUBLISHED and not r.poll.secret and may_view(role, sitting)


def _round_or_404(request, round_id: int) -> Round:
    r = get_object_or_404(Round.objects.select_related("poll__sitting__body", "poll__sitting__session"), pk=round_id)
    if not visible(request, r):
        raise Http404
    return r


def _local(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S") if value else ""


def _options(r: Round) -> dict[str, str]:
    return {o.key: o.label for o in r.poll.options.all()}


def outcome_text(r: Round) -> str:
    res, poll = r.result, r.poll
    if poll.kind == "rating":
        return _("Xem số phiếu từng người được lấy phiếu")
    if poll.kind == "election":
        labels = _options(r)
        elected = [labels.get(k, k) for k in res.get("elected", [])]
        return _("Trúng cử: %(names)s") % {"names": ", ".join(elected)} if elected else _("Không ai trúng cử")
    return _("Được thông qua") if res.get("passed") else _("Không được thông qua")


def count_rows(r: Round) -> list[tuple[str, int, float]]:
    """(label, count, percent of the base) per option; a rating: per official and level."""
    res, labels = r.result, _options(r)
    rows = []
    if r.poll.kind == "rating":
        for key, levels in res["counts"].items():
            for level, n in levels.items():
                rows.append((f"{labels.get(key, key)} — {LEVELS[level]}", n, res["percent"][key][level]))
    else:
        for key, n in res["counts"].items():
            rows.append((labels.get(key, key), n, res["percent"][key]))
    return rows


def summary_rows(r: Round) -> list[tuple[str, str]]:
    poll, res = r.poll, r.result
    rows = [
        (_("Nội dung biểu quyết"), poll.title),
        (_("Loại"), poll.get_kind_display()),
        (_("Hình thức"), _("Bỏ phiếu kín") if poll.secret else _("Biểu quyết công khai")),
        (_("Lần biểu quyết"), str(r.number)),
        (_("Phiên họp"), poll.sitting.title),
        (_("Bắt đầu"), _local(r.opened_at)),
        (_("Kết thúc"), _local(r.closed_at)),
        (_("Tổng số đại biểu"), str(r.total)),
        (_("Số đại biểu có mặt khi bắt đầu"), str(r.present)),
        (_("Số phiếu"), str(res["cast"])),
        (_("Số phiếu hợp lệ"), str(res["valid"])),
        (_("Số phiếu không hợp lệ"), str(res["invalid"])),
        (_("Căn cứ tính tỷ lệ"), f"{BASES[res['base']]}: {res['base_count']}"),
        (_("Ngưỡng"), res["rule"]),
        (_("Số phiếu cần đạt"), "" if res.get("needed") is None else str(res["needed"])),
        (_("Kết quả"), outcome_text(r)),
    ]
    if r.manual:
        rows.insert(4, (_("Kiểm đếm thủ công"), r.manual_reason))
    if r.status == Round.Status.VOIDED:
        rows.append((_("Đã hủy"), r.voided_reason))
    return rows


def roll_call(r: Round) -> list[tuple[str, str, str]]:
    """An open poll's (name, group, choice label), by name; a secret round's is empty, always."""
    if r.poll.secret:
        return []
    labels = _options(r)
    votes = {b["member_id"]: b["choice"].get("option") for b in r.result.get("by_member", [])}
    members = Member.objects.filter(pk__in=list(votes)).select_related("delegate_group")
    rows = [(m.full_name, (m.delegate_group.short_name or m.delegate_group.name) if m.delegate_group else "",
             labels.get(votes[m.pk], votes[m.pk] or "")) for m in members]
    return sorted(rows, key=lambda row: row[0])


def _filename(r: Round, ext: str) -> str:
    return f"bieu-quyet-{r.poll_id}-lan-{r.number}.{ext}"


# ---- CSV ----------------------------------------------------------------------------------

def result_csv(request, round_id: int):
    r = _round_or_404(request, round_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(r, "csv")}"'
    response.write("\ufeff")  # a spreadsheet opens UTF-8 with its BOM
    out = csv.writer(response)
    for label, value in summary_rows(r):
        out.writerow([label, value])
    out.writerow([])
    out.writerow([_("Lựa chọn"), _("Số phiếu"), _("Tỷ lệ (%)")])
    for label, n, pct in count_rows(r):
        out.writerow([label, n, pct])
    if not r.poll.secret:
        groups = r.result.get("groups") or []
        if groups:
            labels = _options(r)
            keys = list(groups[0]["counts"])
            out.writerow([])
            out.writerow([_("Tổ đại biểu"), *[labels.get(k, k) for k in keys]])
            for g in groups:
                out.writerow([g["group"] or _("(không thuộc tổ)"), *[g["counts"][k] for k in keys]])
        out.writerow([])
        out.writerow([_("Đại biểu"), _("Tổ đại biểu"), _("Biểu quyết")])
        for row in roll_call(r):
            out.writerow(row)
    return response


# ---- PDF ----------------------------------------------------------------------------------

FONT = "SourceSans"


def new_pdf(title: str):
    """An A4 PDF with the Vietnamese font of library.fonts (no system font needed)."""
    from fpdf import FPDF

    from library import fonts

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FONT, "", fonts.regular())
    pdf.add_font(FONT, "B", fonts.bold())
    pdf.add_font(FONT, "I", fonts.italic())
    pdf.set_title(nfc(title))
    pdf.set_creator("hdnd")
    pdf.add_page()
    return pdf


def pdf_line(pdf, text, *, style="", size=12, align="L", h=6.0):
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(pdf.epw, h, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")


def pdf_table(pdf, header, rows, widths, *, size=11):
    """A plain table: a bold header, then rows (a row taller than a line wraps in its cell)."""
    pdf.set_font(FONT, "B", size)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=6, first_row_as_headings=True) as table:
        head = table.row()
        for cell in header:
            head.cell(nfc(cell))
        pdf.set_font(FONT, "", size)
        for row in rows:
            line = table.row()
            for cell in row:
                line.cell(nfc(cell))
    pdf.ln(3)


def result_pdf_bytes(r: Round) -> bytes:
    with translation.override("vi"):
        pdf = new_pdf(_("Kết quả biểu quyết — %(t)s") % {"t": r.poll.title})
        pdf_line(pdf, _("KẾT QUẢ BIỂU QUYẾT"), style="B", size=15, align="C", h=8)
        pdf_line(pdf, r.poll.title, style="B", size=13, align="C")
        pdf.ln(3)
        pdf_table(pdf, (_("Mục"), _("Nội dung")), summary_rows(r), (60, 115))
        pdf_table(pdf, (_("Lựa chọn"), _("Số phiếu"), _("Tỷ lệ (%)")),
                  [(label, str(n), f"{pct:g}") for label, n, pct in count_rows(r)], (115, 30, 30))
        if not r.poll.secret:
            rows = roll_call(r)
            if rows:
                pdf_line(pdf, _("Kết quả biểu quyết của từng đại biểu"), style="B", size=12)
                pdf.ln(1)
                pdf_table(pdf, (_("Đại biểu"), _("Tổ đại biểu"), _("Biểu quyết")), rows, (80, 45, 50), size=10)
        return bytes(pdf.output())


def result_pdf(request, round_id: int):
    r = _round_or_404(request, round_id)
    response = HttpResponse(result_pdf_bytes(r), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(r, "pdf")}"'
    return response


# ---- Popolo vote_event ----------------------------------------------------------------------

def _iso(value):
    return value.isoformat() if value else None


def vote_event(r: Round) -> dict:
    """The round as a Popolo vote event (popoloproject.com/specs/vote-event.html): counts; for an
    open poll also the counts and result per delegate group and each delegate's vote. Options of a
    motion are Popolo's yes / no / abstain; a candidate is `m<member id>`; a rating's count is per
    official and level (`m<id>:low`). A group's result is the option most chosen in it (or `tie`)."""
    poll, res, sitting = r.poll, r.result, r.poll.sitting
    event = {
        "id": f"vote-round-{r.pk}",
        "identifier": f"{poll.pk}.{r.number}",
        "organization_id": f"body-{sitting.body_id}",
        "legislative_session_id": f"sitting-{sitting.pk}",
        "motion": {"id": f"poll-{poll.pk}", "text": poll.title, "classification": poll.kind},
        "motion_id": f"poll-{poll.pk}",
        "classification": poll.kind,
        "start_date": _iso(r.opened_at),
        "end_date": _iso(r.closed_at),
        "result": None if poll.kind == "rating" else ("pass" if res.get("passed") else "fail"),
        "counts": [],
    }
    if poll.kind == "rating":
        for key, levels in res["counts"].items():
            event["counts"] += [{"option": f"{key}:{level}", "value": n} for level, n in levels.items()]
    else:
        event["counts"] = [{"option": POPOLO_OPTIONS.get(k, k), "value": n} for k, n in res["counts"].items()]
    if not poll.secret:
        groups = res.get("groups") or []
        event["group_results"] = []
        for g in groups:
            name = g["group"] or "—"
            event["counts"] += [{"option": POPOLO_OPTIONS.get(k, k), "value": n, "group": {"name": name}}
                                for k, n in g["counts"].items()]
            best = max(g["counts"].values(), default=0)
            top = [k for k, n in g["counts"].items() if n == best]
            event["group_results"].append({"group": {"name": name},
                                           "result": POPOLO_OPTIONS.get(top[0], top[0]) if len(top) == 1 else "tie"})
        members = {m.pk: m for m in Member.objects.filter(
            pk__in=[b["member_id"] for b in res.get("by_member", [])]).select_related("delegate_group")}
        event["votes"] = [{"voter_id": f"member-{b['member_id']}",
                           "voter": {"name": members[b["member_id"]].full_name},
                           "option": POPOLO_OPTIONS.get(b["choice"].get("option"), b["choice"].get("option")),
                           "group_id": (f"body-{members[b['member_id']].delegate_group_id}"
                                        if members[b["member_id"]].delegate_group_id else None)}
                          for b in res.get("by_member", [])]
    return event


def vote_event_json(request, round_id: int):
    r = _round_or_404(request, round_id)
    response = HttpResponse(json.dumps(vote_event(r), ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(r, "json")}"'
    return response
