"""The office's forms: the programme's filter, a resolution's own fields, each lifecycle step's
fields, a document of the file, a link. They check input only (types, choices); the rules are the
services' (resolutions.services), the permissions accounts.permissions'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.models import AgendaItem
from library.models import Document
from meeting.models import Body, Session, Term
from petitions.models import Agency
from voting.models import Poll

from .models import Area, Resolution, ResolutionDocument, ResolutionLink, Status
from .services import EDITABLE, YEARS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeFilter(forms.Form):
    q = forms.CharField(label=_("Tìm (trích yếu, số, ký hiệu)"), required=False, max_length=200)
    year = forms.TypedChoiceField(label=_("Năm"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=[("", "—")] + Status.choices)
    area = forms.ChoiceField(label=_("Lĩnh vực"), required=False, choices=[("", "—")] + Area.choices)
    term = forms.ModelChoiceField(label=_("Nhiệm kỳ"), required=False, queryset=Term.objects.all(), empty_label="—")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Resolution.objects.order_by("-planned_year").values_list("planned_year", flat=True).distinct()
        self.fields["year"].choices = [("", "—")] + [(y, y) for y in years]


def signed_documents():
    return Document.objects.filter(kind=Document.Kind.RESOLUTION).exclude(status=Document.Status.WITHDRAWN)


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    area = forms.ChoiceField(label=_("Lĩnh vực"), choices=Area.choices)
    term = forms.ModelChoiceField(label=_("Nhiệm kỳ"), queryset=Term.objects.all())
    planned_year = forms.IntegerField(label=_("Năm trong chương trình"), min_value=YEARS[0], max_value=YEARS[1])
    planned_session = forms.ModelChoiceField(label=_("Dự kiến trình tại kỳ họp"), required=False,
                                             queryset=Session.objects.select_related("body"))
    lead_agency = forms.ModelChoiceField(label=_("Cơ quan chủ trì soạn thảo"), required=False, queryset=Agency.objects.all())
    reviewing_committee = forms.ModelChoiceField(label=_("Ban thẩm tra"), required=False,
                                                 queryset=Body.objects.filter(kind=Body.Kind.COMMITTEE))
    public = forms.BooleanField(label=_("Công khai trên trang nghị quyết khi đã thông qua"), required=False, initial=True)
    signed_document = forms.ModelChoiceField(label=_("Văn bản đã ký (thư viện)"), required=False, queryset=signed_documents())
    effective_on = forms.DateField(label=_("Ngày có hiệu lực"), required=False, widget=DATE)

    def __init__(self, *args, status=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = EDITABLE[status] if status else ("title", "area", "term", "planned_year", "planned_session",
                                                   "lead_agency", "reviewing_committee", "public")
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        if "signed_document" in self.fields:
            self.fields["signed_document"].queryset = signed_documents()


# ---- the lifecycle's steps: the fields each asks ----------------------------------

class StepForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "note" and v not in (None, "")}


class SubmitStepForm(StepForm):
    agenda_item = forms.ModelChoiceField(label=_("Nội dung chương trình phiên họp"),
                                         queryset=AgendaItem.objects.select_related("sitting"))
    poll = forms.ModelChoiceField(label=_("Cuộc biểu quyết (nếu đã có)"), required=False, queryset=Poll.objects.all())

    def clean(self):
        data = super().clean()
        item, poll = data.get("agenda_item"), data.get("poll")
        if item is not None and poll is not None and poll.item_id != item.pk:
            self.add_error("poll", _("Cuộc biểu quyết này không thuộc nội dung đã chọn."))
        return data


class AdoptStepForm(StepForm):
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=100, help_text=_("Ví dụ: 12/2026/NQ-HĐND"))
    decided_on = forms.DateField(label=_("Ngày thông qua"), widget=DATE)
    signed_document = forms.ModelChoiceField(label=_("Văn bản đã ký (thư viện)"), required=False, queryset=signed_documents())
    effective_on = forms.DateField(label=_("Ngày có hiệu lực"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("decided_on") and data.get("effective_on") and data["effective_on"] < data["decided_on"]:
            self.add_error("effective_on", _("Ngày có hiệu lực không thể trước ngày thông qua."))
        return data


class NotAdoptedStepForm(StepForm):
    decided_on = forms.DateField(label=_("Ngày biểu quyết"), widget=DATE)


STEP_FORMS = {Status.SUBMITTED: SubmitStepForm, Status.ADOPTED: AdoptStepForm, Status.NOT_ADOPTED: NotAdoptedStepForm}


def step_form(to_status, data=None, resolution=None):
    form_class = STEP_FORMS.get(to_status, StepForm)
    initial = {}
    if resolution is not None and to_status == Status.SUBMITTED:
        initial = {"agenda_item": resolution.agenda_item_id, "poll": resolution.poll_id}
    return form_class(data, prefix=f"step-{to_status}", initial=initial)


# ---- the file and the links ---------------------------------------------------------------

class AttachForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Tài liệu trong thư viện"),
                                      queryset=Document.objects.exclude(status=Document.Status.WITHDRAWN))
    role = forms.ChoiceField(label=_("Vai trò"), choices=ResolutionDocument.Role.choices)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nghị quyết này"), choices=ResolutionLink.Kind.choices)
    target = forms.ModelChoiceField(label=_("nghị quyết"), queryset=Resolution.objects.all())


class CorrectNumberForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu đúng"), max_length=100)
    reason = forms.CharField(label=_("Lý do đính chính"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
