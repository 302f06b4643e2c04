"""The citizen's side: submit a letter, keep the receipt, follow the case, read answers.

Phone first, Vietnamese first, no sign-in. What a page may show is fixed here
and nowhere else: a status page shows the kind, the dates and the public
milestones, never who sent the letter; the page of a case that is or was a
denunciation (accounts.permissions.was_denunciation) does not even show what it
is about, that of any letter of a denouncer (case_protected) shows no answer,
and no list or search shows such a case at all. Every change goes through petitions.services.

Tracking codes are unguessable (petitions.codes); lookups are also counted
per client (a keyed hash of the address, never the address) so nobody can
try codes in bulk, and an unknown code gets the same neutral page whether it
is malformed, never issued, or simply mistyped.
"""


from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.pairing import qr_svg_inline
from accounts.permissions import case_protected, unprotected_cases, was_denunciation
from meeting.models import Session

from . import codes, services
from .search import CappedPaginator, matching
from .models import Answer, Case, Field, SubmissionThrottle, VoterMeeting

# Lookups of a tracking code per client per window (track form and status pages).
LOOKUP_LIMIT = 20
LOOKUP_WINDOW_MINUTES = 10
# How many receipts one browser session remembers (only the latest are shown as receipts).
RECEIPTS_KEPT = 5
PAGE_SIZE = 20
# Kinds a citizen may send from the public form, with what each one is for.
PUBLIC_KINDS = [
    (Case.Kind.PETITION, gettext_lazy("Đề nghị, góp ý với cơ quan nhà nước về chính sách, pháp luật hay công việc chung.")),
    (Case.Kind.FEEDBACK, gettext_lazy("Cho cơ quan nhà nước biết một sự việc, vấn đề bạn thấy ở địa phương.")),
    (Case.Kind.COMPLAINT, gettext_lazy("Đề nghị xem xét lại một quyết định hay việc làm của cơ quan, cán bộ "
                                       "xâm phạm quyền, lợi ích của chính bạn.")),
    (Case.Kind.DENUNCIATION, gettext_lazy("Báo cho cơ quan có thẩm quyền biết hành vi vi phạm pháp luật của "
                                          "cơ quan, tổ chức, cá nhân. Danh tính người tố cáo được pháp luật giữ bí mật.")),
]
# Kinds that may be sent without a name (a complaint needs the person whose rights are at stake).
ANONYMOUS_KINDS = {Case.Kind.DENUNCIATION, Case.Kind.FEEDBACK}
# Kinds whose published answers are listed on the public answers page.
ANSWER_KINDS = [Case.Kind.PETITION, Case.Kind.FEEDBACK, Case.Kind.VOTER_PETITION]
# What happens next, and the time limits the law sets, per kind (shown on the receipt).
NEXT_STEPS = {
    Case.Kind.COMPLAINT: gettext_lazy("Trong 10 ngày kể từ khi nhận đơn, cơ quan có thẩm quyền thụ lý hoặc trả lời "
                                      "bằng văn bản lý do không thụ lý. Thời hạn giải quyết lần đầu là 30 ngày kể từ "
                                      "ngày thụ lý (vụ việc phức tạp 45 ngày; vùng sâu, vùng xa 45 hoặc 60 ngày) — "
                                      "Luật Khiếu nại 2011."),
    Case.Kind.DENUNCIATION: gettext_lazy("Trong 5 ngày làm việc, cơ quan có thẩm quyền thông báo việc thụ lý tố cáo. "
                                         "Thời hạn giải quyết là 30 ngày kể từ ngày thụ lý, có thể gia hạn, tối đa 90 "
                                         "ngày — Luật Tố cáo 2018. Đơn nặc danh chỉ được xem xét khi nêu rõ người vi "
                                         "phạm và có tài liệu, chứng cứ cụ thể."),
    Case.Kind.PETITION: gettext_lazy("Văn phòng phân loại kiến nghị và chuyển đến cơ quan có thẩm quyền trả lời. "
                                     "Câu trả lời được công khai trên trang này khi đã được Văn phòng xem xét."),
    Case.Kind.FEEDBACK: gettext_lazy("Văn phòng phân loại phản ánh và chuyển đến cơ quan có thẩm quyền xem xét. "
                                     "Kết quả được công khai trên trang này khi đã được Văn phòng xem xét."),
}
MILESTONE_LABELS = {
    "received": gettext_lazy("Đã tiếp nhận"),
    "classified": gettext_lazy("Đã phân loại"),
    "accepted": gettext_lazy("Đã thụ lý"),
    "forwarded": gettext_lazy("Đã chuyển cơ quan có thẩm quyền"),
    "acknowledged": gettext_lazy("Cơ quan đã nhận"),
    "answered": gettext_lazy("Đã có trả lời"),
    "published": gettext_lazy("Đã công khai kết quả"),
    "guided": gettext_lazy("Đã hướng dẫn công dân"),
    "not_eligible": gettext_lazy("Không đủ điều kiện xử lý"),
    "duplicate": gettext_lazy("Trùng đơn"),
    "extended": gettext_lazy("Gia hạn giải quyết"),
    "withdrawn": gettext_lazy("Đã rút đơn"),
    "closed": gettext_lazy("Đã kết thúc"),
}


# ---- the client, hashed -------------------------------------------------------------

def client_hash(request) -> str:
    """The client address, keyed with SECRET_KEY (services.client_key): enough to count, never the
    address. (Behind the proxy Daphne runs with --proxy-headers, so REMOTE_ADDR is the client.)"""
    return services.client_key(request.META.get("REMOTE_ADDR", "") or "unknown")


def _lookup_window_start(now):
    minute = now.minute - now.minute % LOOKUP_WINDOW_MINUTES
    return now.replace(minute=minute, second=0, microsecond=0)


def _count_lookup(request) -> bool:
    """Count one lookup of a tracking code by this client; False once over the limit.

    Kept in the database (SubmissionThrottle rows under a "lookup:" key and a
    ten-minute window), so every server process counts the same lookups."""
    key = "lookup:" + client_hash(request)[:56]
    window = _lookup_window_start(timezone.now())
    try:
        with transaction.atomic():
            row, created = SubmissionThrottle.objects.get_or_create(client=key, hour=window, defaults={"count": 1})
    except IntegrityError:  # created by a concurrent request between the get and the create
        row, created = SubmissionThrottle.objects.get(client=key, hour=window), False
    if not created:
        SubmissionThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)
        row.count += 1
    return row.count <= LOOKUP_LIMIT


def _find(code_text: str):
    """The case a typed code names, or None. One query whether or not the code is well formed,
    so a malformed guess and a well-formed wrong one cost the same."""
    code = codes.normalize(code_text)
    return Case.objects.filter(tracking_code=code or "-").select_related("field").first()


def _not_found(request, *, limited=False, typed=""):
    status = 429 if limited else 404
    return render(request, "petitions/public/not_found.html", {"limited": limited, "typed": typed,
                                                               "window": LOOKUP_WINDOW_MINUTES}, status=status)


def _status_url(case) -> str:
    return reverse("petitions:status", args=[case.tracking_code])


# ---- submit ---------------------------------------------------------------------------

class SubmitForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại đơn"), choices=[(k.value, k.label) for k, _ in PUBLIC_KINDS],
                             widget=forms.RadioSelect,
                             error_messages={"required": gettext_lazy("Hãy chọn loại đơn."),
                                             "invalid_choice": gettext_lazy("Hãy chọn loại đơn.")})
    subject = forms.CharField(label=gettext_lazy("Tóm tắt nội dung"), max_length=500,
                              error_messages={"required": gettext_lazy("Hãy ghi tóm tắt nội dung trong một câu.")})
    content = forms.CharField(label=gettext_lazy("Nội dung"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000,
                              error_messages={"required": gettext_lazy("Hãy ghi nội dung đơn.")})
    field = forms.ModelChoiceField(label=gettext_lazy("Lĩnh vực (nếu biết)"), queryset=Field.objects.all(), required=False,
                                   empty_label=gettext_lazy("— Không rõ —"))
    # Two levels since 1/7/2025: the province is the council's, so only the xã, phường or đặc khu.
    commune = forms.CharField(label=gettext_lazy("Xã/phường/đặc khu nơi xảy ra sự việc"), max_length=120, required=False)
    anonymous = forms.BooleanField(label=gettext_lazy("Gửi nặc danh (không ghi họ tên, liên lạc)"), required=False)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=200, required=False)
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), max_length=500, required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
    email = forms.EmailField(label=gettext_lazy("Email"), required=False,
                             error_messages={"invalid": gettext_lazy("Địa chỉ email chưa đúng.")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    consent = forms.BooleanField(label=gettext_lazy("Tôi đồng ý để Văn phòng xử lý thông tin cá nhân của tôi cho "
                                                    "việc giải quyết đơn này."), required=False)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        anonymous = bool(data.get("anonymous"))
        if anonymous and kind and kind not in ANONYMOUS_KINDS:
            self.add_error("anonymous", _("Chỉ đơn tố cáo và phản ánh được gửi nặc danh; khiếu nại, kiến nghị cần "
                                          "họ tên và cách liên lạc để cơ quan trả lời bạn."))
        if not anonymous:
            if not (data.get("full_name") or "").strip():
                self.add_error("full_name", _("Hãy ghi họ và tên (hoặc chọn gửi nặc danh nếu được phép)."))
            if not (data.get("phone") or "").strip() and not data.get("email") and "email" not in self.errors:
                self.add_error("phone", _("Hãy ghi số điện thoại hoặc email để nhận thông báo."))
            if not data.get("consent"):
                self.add_error("consent", _("Cần sự đồng ý của bạn để xử lý thông tin cá nhân (Luật Bảo vệ dữ liệu "
                                            "cá nhân 2025)."))
        return data

    def identity(self) -> dict:
        data = self.cleaned_data
        if data.get("anonymous"):
            return {}
        return {"full_name": data["full_name"].strip(), "address": data["address"].strip(),
                "phone": data["phone"].strip(), "email": data["email"] or ""}


def _remember_receipt(request, case):
    kept = [c for c in request.session.get("petition_receipts", []) if c != case.tracking_code]
    request.session["petition_receipts"] = (kept + [case.tracking_code])[-RECEIPTS_KEPT:]


def submit(request):
    refusal = None
    if request.method == "POST":
        form = SubmitForm(request.POST)
        files = request.FILES.getlist("files")
        if len(files) > settings.PETITION_MAX_FILES:
            refusal = _("Chỉ gửi được tối đa %(n)d tệp đính kèm.") % {"n": settings.PETITION_MAX_FILES}
        elif form.is_valid():
            data = form.cleaned_data
            try:
                case = services.submit(None, kind=data["kind"], source=Case.Source.WEB, subject=data["subject"].strip(),
                                       content=data["content"].strip(), identity=form.identity(), field=data["field"],
                                       commune=data["commune"].strip(), anonymous=bool(data["anonymous"]), files=files,
                                       client=client_hash(request), base_url=request.build_absolute_uri("/"))
            except services.PetitionError as e:
                if e.field in form.fields:
                    form.add_error(e.field, e.message)
                    refusal = _("Đơn chưa gửi được: hãy xem các ô được đánh dấu bên dưới.")
                else:
                    refusal = e.message
            else:
                # services.submit returned: the case is committed. Only now the receipt.
                _remember_receipt(request, case)
                return redirect("petitions:receipt", code=case.tracking_code)
        else:
            refusal = _("Đơn chưa gửi được: hãy xem các ô được đánh dấu bên dưới.")
    else:
        form = SubmitForm(initial={"kind": request.GET.get("kind") or None})
    return render(request, "petitions/public/submit.html", {
        "form": form, "refusal": refusal, "kinds": PUBLIC_KINDS, "anonymous_kinds": sorted(ANONYMOUS_KINDS),
        "communes": _communes(), "max_files": settings.PETITION_MAX_FILES,
        "max_mb": max(1, settings.PETITION_MAX_FILE_BYTES // (1024 * 1024)),
    }, status=400 if refusal else 200)


def receipt(request, code):
    """The receipt, only to the browser that just submitted; anyone else goes to the status page."""
    if code not in request.session.get("petition_receipts", []):
        return redirect("petitions:status", code=code)
    case = Case.objects.filter(tracking_code=code).first()
    if case is None:
        return _not_found(request)
    status_url = services.public_url(_status_url(case), request)
    due = case.deadlines.order_by("due_on").first()
    return render(request, "petitions/public/receipt.html", {
        "case": case, "status_url": status_url, "qr": qr_svg_inline(status_url), "next_steps": NEXT_STEPS.get(case.kind, ""),
        "due": due,
    })


# ---- follow a case ---------------------------------------------------------------------

def track(request):
    typed = (request.GET.get("code") or request.POST.get("code") or "").strip()[:40]
    if not typed:
        return render(request, "petitions/public/track.html", {})
    if not _count_lookup(request):
        return _not_found(request, limited=True, typed=typed)
    case = _find(typed)
    if case is None:
        return _not_found(request, typed=typed)
    return HttpResponseRedirect(_status_url(case))


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email của bạn"),
                             error_messages={"required": gettext_lazy("Hãy ghi địa chỉ email."),
                                             "invalid": gettext_lazy("Địa chỉ email chưa đúng.")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class CitizenViewForm(forms.Form):
    """Did the published answer resolve the matter? (services.record_citizen_view)"""

    satisfied = forms.ChoiceField(choices=[("yes", gettext_lazy("Đã giải quyết được việc của tôi")),
                                           ("no", gettext_lazy("Chưa giải quyết được việc của tôi"))],
                                  widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Ý kiến thêm (không bắt buộc; đừng ghi thông tin cá nhân)"),
                              max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


def status(request, code):
    # A case seen as a receipt moments ago is not a guess: don't count it.
    if code not in request.session.get("petition_receipts", []) and not _count_lookup(request):
        return _not_found(request, limited=True)
    case = _find(code)
    if case is None:
        return _not_found(request, typed=code)
    if case.tracking_code != code:  # typed in lower case, without dashes…
        return redirect("petitions:status", code=case.tracking_code)

    form, subscribed = SubscribeForm(), None
    view_form, view_error = CitizenViewForm(), None
    if request.method == "POST" and request.POST.get("form") == "citizen_view":
        view_form = CitizenViewForm(request.POST)
        if view_form.is_valid():
            try:
                services.record_citizen_view(case, satisfied=view_form.cleaned_data["satisfied"] == "yes",
                                             comment=view_form.cleaned_data["comment"])
            except services.PetitionError as e:
                view_error = e.message
            else:
                return redirect("petitions:status", code=case.tracking_code)
        else:
            view_error = _("Hãy chọn: kết quả đã giải quyết được việc của bạn hay chưa.")
    elif request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            try:
                services.subscribe(case, form.cleaned_data["email"], base_url=request.build_absolute_uri("/"))
            except services.PetitionError as e:
                form.add_error("email", e.message)
            else:
                subscribed = form.cleaned_data["email"]
                form = SubscribeForm()

    denunciation = was_denunciation(case)  # is or was a denunciation: not even what it is about
    milestones = list(case.milestones.filter(public=True).order_by("at", "id"))
    # No answers of any letter of a denouncer (case_protected): an answer may name its sender.
    answers = [] if case_protected(case) else list(case.answers.filter(published_at__isnull=False).order_by("published_at", "id"))
    return render(request, "petitions/public/status.html", {
        "case": case, "denunciation": denunciation, "status_label": case.get_status_display(),
        "milestones": [{"label": MILESTONE_LABELS.get(m.kind, m.kind), "at": m.at, "text": m.display_text(), "kind": m.kind}
                       for m in milestones],
        "answers": answers, "form": form, "subscribed": subscribed,
        # The citizen's word on the result: asked once an answer is published and they have not said it.
        "ask_view": bool(answers) and case.status == Case.Status.PUBLISHED and case.citizen_said_at is None,
        "view_form": view_form, "view_error": view_error,
        "due": case.due_on if case.status not in (Case.Status.PUBLISHED, Case.Status.CLOSED) else None,
    })


def unsubscribe(request, token):
    """The link in every notification: a GET shows a button, the POST stops the emails
    (so a mail scanner following links does not unsubscribe anyone)."""
    done = request.method == "POST" and services.unsubscribe(token)
    return render(request, "petitions/public/unsubscribe.html", {"done": done, "posted": request.method == "POST"})


def subscribe_confirm(request, token):
    try:
        subscription = services.confirm_subscription(token)
    except services.PetitionError as e:
        return render(request, "petitions/public/subscribe_confirm.html", {"error": e.message}, status=404)
    return render(request, "petitions/public/subscribe_confirm.html", {"subscription": subscription,
                                                                       "case": subscription.case})


# ---- published answers ------------------------------------------------------------------

def _communes():
    # Case.commune is indexed: a distinct scan of the index, not of the table.
    names = Case.objects.exclude(commune="").order_by("commune").values_list("commune", flat=True).distinct()
    return list(names[:300])


def _published_answers():
    return Prefetch("answers", queryset=Answer.objects.filter(published_at__isnull=False).order_by("-published_at", "-id"),
                    to_attr="published")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def answers(request):
    """Published answers of petitions, feedback and voter petitions, searchable."""
    q = (request.GET.get("q") or "").strip()[:200]
    commune = (request.GET.get("commune") or "").strip()[:120]
    field_id = _int(request.GET.get("field"))
    session_id = _int(request.GET.get("session"))
    # Published answers, and voters' petitions answered at the meeting itself (closed with their answer).
    cases = unprotected_cases(Case.objects.filter(Q(status=Case.Status.PUBLISHED) | Q(answered_on_spot=True),
                                                  kind__in=ANSWER_KINDS, is_public=True))
    cases = matching(cases, q)
    if commune:
        cases = cases.filter(Q(commune=commune) | Q(meeting__commune=commune))
    if field_id:
        cases = cases.filter(field_id=field_id)
    if session_id:
        cases = cases.filter(meeting__session_id=session_id)
    cases = cases.select_related("field", "meeting", "meeting__session").order_by("-updated_at", "-id")
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    # Answers for the page shown only.
    prefetch_related_objects(page.object_list, _published_answers())
    return render(request, "petitions/public/answers.html", {
        "page": page, "q": q, "commune": commune, "field_id": field_id, "session_id": session_id,
        "fields": Field.objects.all(), "communes": _communes(), "sessions": _sessions(),
        "querystring": _querystring(request),
    })


def _sessions():
    return Session.objects.filter(voter_meetings__isnull=False).distinct().order_by("-start_date", "-id")


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def voter_petitions(request):
    """Voters' petitions per session and per voter-contact meeting, with their answers."""
    sessions = list(_sessions())
    session_id = _int(request.GET.get("session"))
    session = next((s for s in sessions if s.pk == session_id), sessions[0] if sessions else None)
    commune = (request.GET.get("commune") or "").strip()[:120]
    field_id = _int(request.GET.get("field"))
    meetings = VoterMeeting.objects.none()
    if session is not None:
        meetings = VoterMeeting.objects.filter(session=session)
        if commune:
            meetings = meetings.filter(commune=commune)
        petitions = unprotected_cases(Case.objects.filter(is_public=True)).select_related("field").order_by("id")
        if field_id:
            petitions = petitions.filter(field_id=field_id)
            meetings = meetings.filter(petitions__field_id=field_id).distinct()
        meetings = meetings.select_related("delegate_group").prefetch_related(
            "delegates", Prefetch("petitions", queryset=petitions.prefetch_related(_published_answers())))
    meetings = meetings.order_by("-held_on", "-id")
    page = Paginator(meetings, 10).get_page(request.GET.get("page"))
    communes = sorted(set(VoterMeeting.objects.exclude(commune="").values_list("commune", flat=True)))
    return render(request, "petitions/public/voter_petitions.html", {
        "page": page, "session": session, "sessions": sessions, "commune": commune, "field_id": field_id,
        "fields": Field.objects.all(), "communes": communes, "querystring": _querystring(request),
    })

