"""The agency desk: a competent body's users see the cases forwarded to them and
acknowledge, ask for clarification, or answer — through petitions.services.

Never any identity: the pages read the case's subject, content, field, place
and its non-identifying files only — for a case that is or was a denunciation the
office's redacted copy and redacted scans only (services.agency_copy,
accounts.permissions.agency_may_read_file); a transfer of another agency does not exist here.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.pages import problem
from accounts.permissions import agencies_of, agency_may_read_file, case_protected

from . import services
from .desk import sections as desk_sections
from .models import CaseFile, Transfer
from .views_office import MultipleFileField, due_state, serve_case_file

OPEN = (Transfer.Status.SENT, Transfer.Status.ACKNOWLEDGED, Transfer.Status.CLARIFICATION, Transfer.Status.RETURNED)
TABS = [
    ("open", gettext_lazy("Cần xử lý")),
    ("sent", gettext_lazy("Mới chuyển đến")),
    ("acknowledged", gettext_lazy("Đã nhận")),
    ("clarification", gettext_lazy("Đã đề nghị làm rõ")),
    ("answered", gettext_lazy("Đã trả lời")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("all", gettext_lazy("Tất cả")),
]
# What the desk may read of a case: nothing from Identity, ever.
CASE_COLUMNS = ("case__id", "case__tracking_code", "case__kind", "case__subject", "case__district",
                "case__commune", "case__received_at", "case__field__name", "case__field__name_en", "case__identity_protected",
                "case__redacted_copy__subject")


def agency_user_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        agencies = list(agencies_of(request.user))
        if not agencies:
            return problem(request, "forbidden", _("Trang này dành cho cán bộ của cơ quan được chuyển đơn."),
                           title=_("Không có quyền truy cập"),
                           advice=_("Nếu cơ quan của bạn cần dùng trang này, hãy liên hệ Văn phòng HĐND."))
        request.agencies = agencies
        return view(request, *args, **kwargs)

    return wrapper


def _transfers(request):
    return (Transfer.objects.filter(agency__in=request.agencies)
            .select_related("agency", "case", "case__field", "case__redacted_copy")
            .only("id", "status", "sent_at", "due_on", "acknowledged_at", "clarification", "note",
                  "agency__id", "agency__name", *CASE_COLUMNS))


@agency_user_required
def desk(request):
    tab = request.GET.get("tab", "open")
    if tab not in dict(TABS):
        tab = "open"
    today = timezone.localdate()
    transfers = _transfers(request)
    counts = {
        "open": transfers.filter(status__in=OPEN).count(),
        "overdue": transfers.filter(status__in=OPEN, due_on__lt=today).count(),
    }
    if tab == "open":
        transfers = transfers.filter(status__in=OPEN)
    elif tab == "overdue":
        transfers = transfers.filter(status__in=OPEN, due_on__lt=today)
    elif tab == "answered":
        transfers = transfers.filter(status__in=(Transfer.Status.ANSWERED, Transfer.Status.ACCEPTED))
    elif tab != "all":
        transfers = transfers.filter(status=tab)
    rows = [{"t": t, "due": due_state(t.due_on, today) if t.status in OPEN else "", "subject": _desk_subject(t.case)}
            for t in transfers.order_by("due_on", "sent_at", "id")[:200]]
    return render(request, "petitions/agency/desk.html", {
        "rows": rows, "tab": tab, "tabs": TABS, "counts": counts, "agencies": request.agencies,
        # Other modules' parts of the desk (petitions.desk), e.g. the resolutions' tasks.
        "desk_sections": desk_sections(request.agencies, "letters")})


def _desk_subject(case) -> str:
    """The subject an agency reads: a (former) denunciation's from its redacted copy (services.agency_copy)."""
    if not case_protected(case):
        return case.subject
    copy = getattr(case, "redacted_copy", None)
    return copy.subject if copy is not None else ""


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 8}))
    files = MultipleFileField(label=gettext_lazy("Văn bản trả lời (tệp)"), required=False)


def _transfer(request, transfer_id: int) -> Transfer:
    return get_object_or_404(_transfers(request), pk=transfer_id)


def _transfer_context(request, transfer, answer_form=None) -> dict:
    case = services.forwarded_content(request.user, transfer)  # what the desk may read: never an identity
    return {
        "t": transfer,
        "case": case,
        "due": due_state(transfer.due_on) if transfer.status in OPEN else "",
        "files": case["files"],
        "answers": list(transfer.answers.only("id", "text", "answered_at", "review", "review_note")),
        "answer_form": answer_form or AnswerForm(),
        "may_act": transfer.status in OPEN,
    }


@agency_user_required
def transfer_page(request, transfer_id: int):
    transfer = _transfer(request, transfer_id)
    return render(request, "petitions/agency/transfer.html", _transfer_context(request, transfer))


@require_POST
@agency_user_required
def transfer_action(request, transfer_id: int, action: str):
    transfer = _transfer(request, transfer_id)
    form = None
    try:
        if action == "acknowledge":
            services.acknowledge(request.user, transfer)
            done = _("Đã xác nhận nhận đơn.")
        elif action == "clarify":
            text = (request.POST.get("text") or "").strip()
            if not text:
                raise services.PetitionError("invalid_args", _("Ghi rõ nội dung đề nghị làm rõ."))
            services.ask_clarification(request.user, transfer, text)
            done = _("Đã gửi đề nghị làm rõ tới Văn phòng.")
        elif action == "answer":
            form = AnswerForm(request.POST, request.FILES)
            if not form.is_valid():
                raise services.PetitionError("invalid_args", " ".join(" ".join(e) for e in form.errors.values()))
            services.answer(request.user, transfer, form.cleaned_data["text"], files=form.cleaned_data["files"])
            done = _("Đã gửi trả lời; Văn phòng sẽ duyệt trước khi công khai.")
        else:
            raise Http404("no such action")
    except services.PetitionError as refused:
        messages.error(request, refused.message)
        return render(request, "petitions/agency/transfer.html", _transfer_context(request, transfer, form), status=400)
    messages.success(request, done)
    return redirect("petitions:agency_transfer", transfer_id=transfer.pk)


@agency_user_required
def transfer_file(request, transfer_id: int, file_id: int):
    """A forwarded case's file: never an identifying one."""
    transfer = _transfer(request, transfer_id)
    f = get_object_or_404(CaseFile, pk=file_id, case_id=transfer.case_id)
    if not agency_may_read_file(transfer.case, f):
        raise Http404("not for agencies")
    return serve_case_file(f)
