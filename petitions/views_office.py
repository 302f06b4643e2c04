"""The office's pages over the register: the list, the reception desk, a case, the identity log.

Petition staff only (accounts.permissions.is_petition_staff). Every change goes
through petitions.services; a refusal (PetitionError) is shown on the page and
nothing is changed. A denouncer's identity is never put in a page unless
services.reveal_identity has just logged the read; identifying files are served
through the same gate. For a case that is or was a denunciation the letter as
written is identifying too (it often says "Tôi là …"): the page shows the
office's redacted copy, and the original only beside the revealed identity.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.pages import problem
from accounts.decorators import petition_staff_required
from accounts.permissions import (agency_may_read_file, case_protected, identity_protected, may_handle_protected_identity,
                                  may_review_identity_reads, may_search_protected_text, may_see_duplicate_link,
                                  may_view_identity, protected_case_filter)

from . import codes, services
from .files import send as send_private_file
from .deadlines import calendar_doubts, step_label
from .models import Agency, Answer, Case, CaseFile, Field, IdentityRead, Transfer
from .search import matching

PAGE_SIZE = 50
OPEN_STATUSES = (Case.Status.RECEIVED, Case.Status.CLASSIFIED, Case.Status.ACCEPTED, Case.Status.FORWARDED,
                 Case.Status.ANSWERED)

TRANSFER_OPEN = (Transfer.Status.SENT, Transfer.Status.ACKNOWLEDGED, Transfer.Status.CLARIFICATION,
                 Transfer.Status.RETURNED)


def due_state(due_on, today=None) -> str:
    """"overdue", "soon" or "" for a due date (of an open step)."""
    if due_on is None:
        return ""
    today = today or timezone.localdate()
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=settings.PETITION_REMIND_DAYS):
        return "soon"
    return ""


# ---- the register ---------------------------------------------------------------------------

class RegisterFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Tìm"), required=False, max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), required=False, choices=[("", "—")] + Case.Kind.choices)
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False,
                               choices=[("", "—"), ("open", gettext_lazy("Đang xử lý"))] + Case.Status.choices)
    field = forms.ModelChoiceField(label=gettext_lazy("Lĩnh vực"), required=False, queryset=Field.objects.all(),
                                   empty_label="—")
    agency = forms.ModelChoiceField(label=gettext_lazy("Cơ quan"), required=False, queryset=Agency.objects.all(),
                                    empty_label="—")
    commune = forms.ChoiceField(label=gettext_lazy("Xã/phường/đặc khu"), required=False)
    due = forms.ChoiceField(label=gettext_lazy("Hạn"), required=False, choices=[
        ("", "—"), ("soon", gettext_lazy("Sắp đến hạn")), ("overdue", gettext_lazy("Quá hạn"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        communes = (Case.objects.exclude(commune="").order_by("commune")
                    .values_list("commune", flat=True).distinct())
        self.fields["commune"].choices = [("", "—")] + [(c, c) for c in communes]


def filter_cases(data: dict, today=None, user=None):
    """The register's queryset for validated filter data (every filter on an indexed column
    except the text search, which reads the folded text). The text search finds a case that is
    or was a denunciation only for holders of the identity right: its text may name the denouncer."""
    today = today or timezone.localdate()
    cases = Case.objects.all()
    if data.get("kind"):
        cases = cases.filter(kind=data["kind"])
    status = data.get("status")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if data.get("field"):
        cases = cases.filter(field=data["field"])
    if data.get("agency"):
        cases = cases.filter(agency=data["agency"])
    if data.get("commune"):
        cases = cases.filter(commune=data["commune"])
    due = data.get("due")
    if due == "overdue":
        cases = cases.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif due == "soon":
        cases = cases.filter(status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=today + timedelta(days=settings.PETITION_REMIND_DAYS))
    q = (data.get("q") or "").strip()
    if q:
        code = codes.normalize(q)
        if code:
            cases = cases.filter(tracking_code=code)
        else:
            cases = matching(cases, q)
            if not may_search_protected_text(user):
                cases = cases.exclude(protected_case_filter())
    return cases


@petition_staff_required
def register(request):
    form = RegisterFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    cases = (filter_cases(data, today, request.user).select_related("field", "agency")
             .only("id", "tracking_code", "received_at", "kind", "subject", "status", "due_on",
                   "field__name", "field__name_en", "agency__name", "agency__short_name"))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"case": c, "due": due_state(c.due_on, today) if c.status in OPEN_STATUSES else ""} for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "petitions/office/register.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "may_review_reads": may_review_identity_reads(request.user),
    })


# ---- the reception desk -----------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, (list, tuple)):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


SOURCES = [(s.value, s.label) for s in (Case.Source.RECEPTION, Case.Source.POST, Case.Source.EMAIL, Case.Source.DELEGATE)]
LETTER_KINDS = [(k.value, k.label) for k in Case.Kind if k != Case.Kind.VOTER_PETITION]


class ReceptionForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Nguồn"), choices=SOURCES, initial=Case.Source.RECEPTION)
    kind = forms.ChoiceField(label=gettext_lazy("Loại đơn"), choices=LETTER_KINDS)
    subject = forms.CharField(label=gettext_lazy("Tóm tắt nội dung"), max_length=500)
    content = forms.CharField(label=gettext_lazy("Nội dung"), widget=forms.Textarea(attrs={"rows": 8}))
    field = forms.ModelChoiceField(label=gettext_lazy("Lĩnh vực"), queryset=Field.objects.all(), required=False,
                                   empty_label=gettext_lazy("— chưa xác định —"))
    commune = forms.CharField(label=gettext_lazy("Xã/phường/đặc khu"), max_length=120, required=False)
    remote_area = forms.BooleanField(label=gettext_lazy("Vùng sâu, vùng xa, đi lại khó khăn"), required=False)
    anonymous = forms.BooleanField(label=gettext_lazy("Đơn không ghi tên (nặc danh)"), required=False)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=200, required=False)
    id_number = forms.CharField(label=gettext_lazy("Số CCCD"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), max_length=500, required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    scans = MultipleFileField(label=gettext_lazy("Bản quét, ảnh chụp đơn"), required=False)
    scans_identifying = forms.BooleanField(label=gettext_lazy("Bản quét có thông tin nhận diện người gửi (chữ viết tay, "
                                                              "chữ ký, CCCD)"), required=False)

    IDENTITY = ("full_name", "id_number", "address", "phone", "email")

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            for name in self.IDENTITY:
                data[name] = ""
        elif not data.get("full_name"):
            self.add_error("full_name", _("Ghi họ tên người gửi, hoặc đánh dấu đơn không ghi tên."))
        return data


@petition_staff_required
def reception(request):
    form = ReceptionForm(request.POST or None, request.FILES or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        identity = {name: d[name] for name in ReceptionForm.IDENTITY}
        try:
            case = services.submit(request.user, kind=d["kind"], source=d["source"], subject=d["subject"],
                                   content=d["content"], identity=identity, field=d["field"],
                                   commune=d["commune"], anonymous=d["anonymous"],
                                   remote_area=d["remote_area"], files=d["scans"],
                                   identifying_files=d["scans_identifying"])
        except services.PetitionError as refused:
            refusal = refused.message
            field = getattr(refused, "field", None)
            if field == "files":
                field = "scans"
            if field in form.fields:
                form.add_error(field, refused.message)
        else:
            messages.success(request, _("Đã tiếp nhận đơn, mã theo dõi %(code)s.") % {"code": case.tracking_code})
            return redirect(f"{reverse('petitions:case', args=[case.pk])}?new=1")
    return render(request, "petitions/office/reception.html", {"form": form, "refusal": refusal},
                  status=400 if refusal or (request.method == "POST" and form.errors) else 200)


# ---- a case ----------------------------------------------------------------------------------

class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=Case.Kind.choices)
    field = forms.ModelChoiceField(label=gettext_lazy("Lĩnh vực"), queryset=Field.objects.all(), required=False,
                                   empty_label="—")
    complexity = forms.ChoiceField(label=gettext_lazy("Tính chất"), choices=Case.Complexity.choices)
    instance = forms.TypedChoiceField(label=gettext_lazy("Lần giải quyết"), coerce=int,
                                      choices=[(1, gettext_lazy("Lần đầu")), (2, gettext_lazy("Lần hai"))])
    commune = forms.CharField(label=gettext_lazy("Xã/phường/đặc khu"), max_length=120, required=False)
    remote_area = forms.BooleanField(label=gettext_lazy("Vùng sâu, vùng xa"), required=False)
    multi_site = forms.BooleanField(label=gettext_lazy("Tố cáo phải kiểm tra, xác minh tại nhiều địa điểm "
                                                       "(thụ lý trong 10 ngày làm việc, Luật Tố cáo Điều 24 khoản 1)"),
                                    required=False)
    kind_reason = forms.CharField(label=gettext_lazy("Lý do đổi loại (khi chuyển đơn tố cáo sang loại khác)"),
                                  required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RedactForm(forms.Form):
    """The copy of a (former) denunciation an agency reads, written by the office without the denouncer."""

    subject = forms.CharField(label=gettext_lazy("Tóm tắt nội dung (bản đã che)"), max_length=500)
    content = forms.CharField(label=gettext_lazy("Nội dung (bản đã che)"), widget=forms.Textarea(attrs={"rows": 8}))
    scans = MultipleFileField(label=gettext_lazy("Bản quét đã che thông tin nhận diện"), required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Quyết định"), choices=Case.Decision.choices,
                                 widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(label=gettext_lazy("Cơ quan có thẩm quyền"), required=False,
                                    queryset=Agency.objects.filter(active=True), empty_label="—")
    reason = forms.ChoiceField(label=gettext_lazy("Lý do không xử lý"), required=False,
                               choices=[("", "—")] + Case.Reason.choices)
    note = forms.CharField(label=gettext_lazy("Ghi chú, nội dung hướng dẫn"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


def _agency_groups(case):
    """The agency picker: those for the case's field (and level) first, then the others."""
    agencies = list(Agency.objects.filter(active=True).prefetch_related("fields"))
    level = case.level or None

    def fits(a):
        return (case.field_id is None or any(f.pk == case.field_id for f in a.fields.all())) and \
            (level is None or a.level == level)

    fitting = [a for a in agencies if fits(a)]
    others = [a for a in agencies if not fits(a)]
    return fitting, others


def _receipt_url(case) -> str:
    for name, args in (("petitions:receipt", [case.tracking_code]), ("petitions:receipt", [case.pk])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def _case(case_id: int) -> Case:
    return get_object_or_404(Case.objects.select_related("field", "agency", "duplicate_of"), pk=case_id)


def _identifying(case, f) -> bool:
    """A file that follows the identity's rules: of a (former) denunciation every file but a redacted scan."""
    return not agency_may_read_file(case, f) if case_protected(case) else f.identifying


def _case_context(request, case, *, identity=None, purpose="", revealed=False, classify_form=None, decide_form=None,
                  redact_form=None) -> dict:
    user = request.user
    # `is_denunciation`: the sender's identity is a denouncer's (the case is or was a denunciation, or its
    # sender filed one); `text_protected`: the letter's own words and scans are a denouncer's too.
    is_denunciation = identity_protected(case)
    text_protected = case_protected(case)
    may_identity = may_view_identity(user, case)
    revealed = bool(revealed and may_identity)
    if identity is None and not is_denunciation and may_identity:
        identity = getattr(case, "identity", None) if hasattr(case, "identity") else None
    files = list(case.files.order_by("uploaded_at", "id"))
    open_case = case.status in OPEN_STATUSES
    found = []
    if case.status in (Case.Status.RECEIVED, Case.Status.CLASSIFIED):
        found = [d for d in services.duplicates_for(user, case) if d["case"] is None or d["case"].pk != case.pk]
    duplicates = [d for d in found if d["case"] is not None]
    # Which case this one repeats links two senders: shown as the duplicate finder is (may_see_duplicate_link).
    link_visible = case.duplicate_of_id is None or may_see_duplicate_link(user, case, case.duplicate_of)
    redacted_copy = getattr(case, "redacted_copy", None) if text_protected else None
    may_redact = text_protected and may_handle_protected_identity(user)
    if may_redact and redact_form is None and revealed:
        redact_form = RedactForm(initial={"subject": redacted_copy.subject if redacted_copy else case.subject,
                                          "content": redacted_copy.content if redacted_copy else case.content})
    fitting, others = _agency_groups(case)
    answers = list(case.answers.select_related("transfer__agency"))
    transfers = list(case.transfers.select_related("agency").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("answered_at", "id"))))
    today = timezone.localdate()
    for t in transfers:
        t.due = due_state(t.due_on, today) if t.status in TRANSFER_OPEN else ""
    return {
        "case": case,
        "today": today,
        "due": due_state(case.due_on, today) if open_case else "",
        "open_case": open_case,
        "notice_open": open_case and case.deadlines.filter(
            step__in=(services.NOTICE_STEP, services.FORWARD_NOTICE_STEP), met_at__isnull=True).exists(),
        "forward_notice_open": case.deadlines.filter(step=services.FORWARD_NOTICE_STEP, met_at__isnull=True).exists(),
        "accused_notice_open": open_case and case.deadlines.filter(step=services.ACCUSED_NOTICE_STEP,
                                                                   met_at__isnull=True).exists(),
        "may_treat_as_information": (case.kind == Case.Kind.DENUNCIATION and not case.information_only
                                     and case.status in (Case.Status.RECEIVED, Case.Status.CLASSIFIED)),
        "is_denunciation": is_denunciation,
        "text_protected": text_protected,
        "show_original": not text_protected or revealed,
        "redacted_copy": redacted_copy,
        "redact_form": redact_form if may_redact else None,
        "may_identity": may_identity,
        "revealed": revealed,
        "identity": identity,
        "purpose": purpose,
        "plain_files": [f for f in files if not _identifying(case, f)],
        "identifying_files": [f for f in files if _identifying(case, f)],
        "show_identifying_files": may_identity and (revealed or not is_denunciation),
        "duplicates": duplicates,
        "duplicates_masked": len(found) - len(duplicates),
        "duplicate_count": len(found),
        "duplicate_of": case.duplicate_of if link_visible else None,
        "duplicate_children": [d for d in case.duplicates.only("id", "tracking_code", "subject", "kind",
                                                                 "identity_protected")
                               if may_see_duplicate_link(user, case, d)],
        "deadlines": [{"d": d, "label": step_label(d.step), "due": due_state(d.due_on, today) if d.met_at is None else "",
                       "law": d.rule.law, "verified": d.rule.verified,
                       "doubts": calendar_doubts(d.starts_on, d.due_on) if d.met_at is None else []}
                      for d in case.deadlines.select_related("rule")],
        "publishable": case.status == Case.Status.ANSWERED and any(
            a.review == Answer.Review.APPROVED and a.published_at is None for a in answers),
        "transfers": transfers,
        "answers": answers,
        "milestones": [m for m in case.milestones.all() if link_visible or m.kind != "duplicate_of"],
        "agencies_fitting": fitting,
        "agencies_other": others,
        "classify_form": classify_form or ClassifyForm(initial={
            "kind": case.kind, "field": case.field_id, "complexity": case.complexity, "instance": case.instance,
            "commune": case.commune, "remote_area": case.remote_area, "multi_site": case.multi_site}),
        "decide_form": decide_form or DecideForm(),
        "reasons": Case.Reason.choices,
        "receipt_url": _receipt_url(case),
        "just_received": request.GET.get("new") == "1",
        "may_review_reads": may_review_identity_reads(user),
    }


@petition_staff_required
def case_page(request, case_id: int):
    case = _case(case_id)
    return render(request, "petitions/office/case.html", _case_context(request, case))


def _refused(request, case, message, **extra):
    messages.error(request, message)
    return render(request, "petitions/office/case.html", _case_context(request, case, **extra), status=400)


def _form_message(form) -> str:
    return " ".join(f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                    for k, v in form.errors.items())


@require_POST
@petition_staff_required
def case_action(request, case_id: int, action: str):
    case = _case(case_id)
    post = request.POST
    user = request.user
    try:
        if action == "classify":
            form = ClassifyForm(post)
            if not form.is_valid():
                return _refused(request, case, _form_message(form), classify_form=form)
            services.classify(user, case, **form.cleaned_data)
            done = _("Đã phân loại đơn.")
        elif action == "decide":
            form = DecideForm(post)
            if not form.is_valid():
                return _refused(request, case, _form_message(form), decide_form=form)
            d = form.cleaned_data
            services.decide(user, case, decision=d["decision"], reason=d["reason"], note=d["note"], agency=d["agency"])
            done = _("Đã ghi quyết định xử lý: %(d)s.") % {"d": Case.Decision(d["decision"]).label}
        elif action == "redact":
            form = RedactForm(post, request.FILES)
            if not form.is_valid():
                return _refused(request, case, _form_message(form), redact_form=form)
            d = form.cleaned_data
            try:
                services.prepare_redacted_copy(user, case, subject=d["subject"], content=d["content"], files=d["scans"])
            except services.PetitionError as refused:
                return _refused(request, case, refused.message, redact_form=form)
            done = _("Đã lưu bản sao đã che thông tin người tố cáo.")
        elif action == "duplicate":
            original = Case.objects.filter(pk=post.get("original") or 0).first()
            if original is None:
                return _refused(request, case, _("Không tìm thấy đơn gốc."))
            services.mark_duplicate(user, case, original, note=post.get("note", ""))
            done = _("Đã đánh dấu trùng với đơn %(code)s.") % {"code": original.tracking_code}
        elif action == "extend":
            services.extend_deadline(user, case, post.get("note", ""))
            done = _("Đã gia hạn giải quyết.")
        elif action == "notice":
            services.record_denouncer_notice(user, case, post.get("note", ""))
            done = _("Đã ghi nhận thông báo cho người tố cáo.")
        elif action == "accused_notice":
            services.record_accused_notice(user, case, post.get("note", ""))
            done = _("Đã ghi nhận thông báo cho người bị tố cáo.")
        elif action == "information":
            services.treat_as_information(user, case, post.get("note", ""))
            done = _("Đơn được xử lý như thông tin có nội dung tố cáo (Điều 25 Luật Tố cáo).")
        elif action == "withdraw":
            services.withdraw(user, case, post.get("note", ""))
            done = _("Đã ghi nhận rút đơn.")
        elif action == "review":
            answer = get_object_or_404(Answer, pk=post.get("answer") or 0, case=case)
            approve = post.get("approve") == "1"
            services.review_answer(user, answer, approve=approve, note=post.get("note", ""))
            done = _("Đã duyệt trả lời.") if approve else _("Đã trả lại trả lời cho cơ quan.")
        elif action == "publish":
            services.publish_answer(user, case)
            done = _("Đã công khai kết quả trả lời.")
        elif action == "unsatisfactory":
            services.mark_unsatisfactory(user, case, questioning_candidate=post.get("questioning") == "1")
            done = _("Đã đánh dấu trả lời chưa thỏa đáng.")
        else:
            raise Http404("no such action")
    except services.PetitionError as refused:
        return _refused(request, case, refused.message)
    messages.success(request, done)
    return redirect("petitions:case", case_id=case.pk)


@require_POST
@petition_staff_required
def reveal(request, case_id: int):
    """Show a denouncer's identity once, for a stated purpose; services.reveal_identity logs the read."""
    case = _case(case_id)
    purpose = (request.POST.get("purpose") or "").strip()
    if not may_view_identity(request.user, case):
        return problem(request, "forbidden", _("Thông tin người tố cáo được bảo vệ."), title=_("Không có quyền truy cập"))
    if not purpose:
        return _refused(request, case, _("Ghi rõ mục đích xem thông tin người tố cáo."))
    try:
        identity = services.reveal_identity(request.user, case, purpose=purpose, where="office.case")
    except services.PetitionError as refused:
        return _refused(request, case, refused.message)
    response = render(request, "petitions/office/case.html",
                      _case_context(request, case, identity=identity, purpose=purpose, revealed=True))
    response["Cache-Control"] = "no-store"
    return response


def serve_case_file(f: CaseFile, *, inline: bool = False):
    """The file, from the private storage (behind nginx: X-Accel-Redirect), after the caller's check."""
    response = send_private_file(f.file, content_type=f.content_type or "application/octet-stream",
                                 filename=f.original_name, as_attachment=not inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@petition_staff_required
def case_file(request, case_id: int, file_id: int):
    """A case's file. Identifying ones: only with may_view_identity; a denouncer's only by POST
    with a purpose, each read logged by services.reveal_identity."""
    case = _case(case_id)
    f = get_object_or_404(CaseFile, pk=file_id, case=case)
    if _identifying(case, f):
        if not may_view_identity(request.user, case):
            return problem(request, "forbidden", _("Thông tin người tố cáo được bảo vệ."),
                           title=_("Không có quyền truy cập"))
        if identity_protected(case):
            purpose = (request.POST.get("purpose") or "").strip() if request.method == "POST" else ""
            if not purpose:
                return problem(request, "forbidden", _("Ghi rõ mục đích xem thông tin người tố cáo."),
                               title=_("Không có quyền truy cập"))
            try:
                services.reveal_identity(request.user, case, purpose=purpose, where=f"office.file:{f.pk}")
            except services.PetitionError as refused:
                return problem(request, refused.code, refused.message)
    elif request.method != "GET":
        raise Http404("GET only")
    return serve_case_file(f)


# ---- who read a denouncer's identity -----------------------------------------------------------

# Decisions about a denouncer's identity, and refused attempts, shown beside the reads.
IDENTITY_ACTIONS = {
    "petitions.reclassify_denunciation": gettext_lazy("Đổi đơn tố cáo sang loại khác"),
    "petitions.classify": gettext_lazy("Đổi đơn tố cáo sang loại khác"),
    "petitions.prepare_redacted_copy": gettext_lazy("Lập bản sao đã che"),
    "petitions.mark_duplicate": gettext_lazy("Xác nhận đơn trùng"),
    "petitions.reveal_identity": gettext_lazy("Xem thông tin người tố cáo"),
}


def _identity_decisions(case_id=None):
    from django.db.models import Q

    from audit.models import AuditRecord

    rows = AuditRecord.objects.filter(
        Q(action__in=("petitions.reclassify_denunciation", "petitions.prepare_redacted_copy"))
        | Q(action__startswith="petitions.", outcome="needs_identity_right")
        | Q(action="petitions.reveal_identity", outcome="forbidden"))
    if case_id is not None:
        rows = rows.filter(detail__case=case_id)
    out = []
    for r in rows.select_related("user").order_by("-at", "-id")[:100]:
        detail = r.detail if isinstance(r.detail, dict) else {}
        out.append({"at": r.at, "user": r.user, "what": IDENTITY_ACTIONS.get(r.action, r.action), "ok": r.outcome == "ok",
                    "case_id": detail.get("case"), "code": detail.get("code", ""), "reason": detail.get("reason", "")})
    return out


@petition_staff_required
def identity_log(request):
    if not may_review_identity_reads(request.user):
        return problem(request, "forbidden", _("Chỉ người có quyền xem thông tin người tố cáo được xem nhật ký này."),
                       title=_("Không có quyền truy cập"))
    reads = IdentityRead.objects.select_related("user", "case").only(
        "id", "at", "purpose", "where", "user__username", "user__first_name", "user__last_name",
        "case__id", "case__tracking_code", "case__subject")
    case_code = codes.normalize(request.GET.get("case", ""))
    case_id = None
    if case_code:
        reads = reads.filter(case__tracking_code=case_code)
        case_id = Case.objects.filter(tracking_code=case_code).values_list("pk", flat=True).first() or 0
    page = Paginator(reads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "petitions/office/identity_log.html", {"page": page, "case_code": case_code or "",
                                                                 "decisions": _identity_decisions(case_id),
                                                                 "may_review_reads": True})

