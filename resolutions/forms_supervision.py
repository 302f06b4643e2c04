"""Forms of the supervision, report and links pages. They check the shape of the input; the rules
(which body, which resolutions, the team, once only) are resolutions.services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from library.models import Document
from meeting.models import Body, Member
from petitions.models import Agency

from .models import IN_FORCE, Resolution


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _agencies():
    return Agency.objects.filter(active=True).order_by("name")


def in_force():
    return Resolution.objects.filter(status__in=IN_FORCE).order_by("-decided_on", "number")


class ResolutionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} — {obj.title}" if obj.number else obj.title


class SupervisionForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Cơ quan giám sát"), queryset=Body.objects.none(),
                                  error_messages={"required": _("Chọn Thường trực HĐND hoặc một Ban.")})
    title = forms.CharField(label=_("Tên cuộc giám sát"), max_length=500)
    plan = forms.CharField(label=_("Kế hoạch"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    starts_on = forms.DateField(label=_("Từ ngày"), widget=DateInput(), required=False)
    ends_on = forms.DateField(label=_("Đến ngày (dự kiến)"), widget=DateInput(), required=False)
    resolutions = ResolutionChoice(label=_("Nghị quyết được giám sát"), queryset=Resolution.objects.none(),
                                   widget=forms.CheckboxSelectMultiple,
                                   error_messages={"required": _("Chọn ít nhất một nghị quyết.")})
    team = forms.ModelMultipleChoiceField(label=_("Đoàn giám sát"), queryset=Member.objects.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=_("Thành viên của cơ quan giám sát."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(kind__in=("committee", "standing")).order_by("kind", "name")
        self.fields["resolutions"].queryset = in_force()
        self.fields["team"].queryset = (Member.objects.filter(memberships__active=True,
                                                              memberships__body__kind__in=("committee", "standing"))
                                        .distinct().order_by("full_name"))


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("Kết quả giám sát"), widget=forms.Textarea(attrs={"rows": 6}))
    report = forms.ModelChoiceField(label=_("Báo cáo kết quả giám sát (văn bản trong thư viện)"), required=False,
                                    queryset=Document.objects.filter(kind=Document.Kind.REPORT).exclude(
                                        status=Document.Status.WITHDRAWN).order_by("-id"))


class RecommendationForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Cơ quan được kiến nghị"), queryset=Agency.objects.none())
    text = forms.CharField(label=_("Nội dung kiến nghị"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Thời hạn"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies()


class TrackForm(forms.Form):
    """A commitment or a voters' petition as a task: who leads it, by when."""

    lead_agency = forms.ModelChoiceField(label=_("Cơ quan chủ trì"), queryset=Agency.objects.none(), required=False)
    due_on = forms.DateField(label=_("Thời hạn"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = _agencies()


class PetitionLinkForm(forms.Form):
    resolution = forms.ModelChoiceField(label=_("Nghị quyết trả lời kiến nghị"), queryset=Resolution.objects.none())
    note = forms.CharField(label=_("Ghi chú"), max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = in_force()
