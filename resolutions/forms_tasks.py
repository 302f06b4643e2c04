"""Forms of the tasks' pages: they parse what a person typed; the rules are the services' (services_tasks)."""

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from petitions.models import Agency

from .models import Resolution
from .services import ORIGINS

ORIGIN_LABELS = {"resolution": _("Nghị quyết"), "recommendation": _("Kiến nghị giám sát"),
                 "commitment": _("Lời hứa khi trả lời chất vấn"), "petition": _("Kiến nghị cử tri")}


def _agencies():
    return Agency.objects.filter(active=True).order_by("name")


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Nhiệm vụ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead_agency = forms.ModelChoiceField(label=_("Cơ quan chủ trì"), queryset=Agency.objects.none(), empty_label="—")
    co_agencies = forms.ModelMultipleChoiceField(label=_("Cơ quan phối hợp"), required=False, queryset=Agency.objects.none(),
                                                 widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Thời hạn"), widget=forms.DateInput(attrs={"type": "date"}))
    weight = forms.IntegerField(label=_("Trọng số trong nghị quyết"), min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = _agencies()
        self.fields["co_agencies"].queryset = _agencies()


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Chỉ tiêu"), max_length=300, required=False)
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=50, required=False)
    baseline = forms.DecimalField(label=_("Giá trị ban đầu"), max_digits=18, decimal_places=4, required=False, localize=True)
    target = forms.DecimalField(label=_("Mục tiêu"), max_digits=18, decimal_places=4, required=False, localize=True)
    weight = forms.IntegerField(label=_("Trọng số"), min_value=1, max_value=1000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("target") is None:
            self.add_error("target", _("Cần mục tiêu của chỉ tiêu."))
        return data

    def spec(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("name"):
            return None
        return {"name": d["name"], "unit": d.get("unit") or "", "baseline": d.get("baseline") or 0,
                "target": d["target"], "weight": d.get("weight") or 1}


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Mốc"), max_length=500, required=False)
    due_on = forms.DateField(label=_("Thời hạn"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    weight = forms.IntegerField(label=_("Trọng số"), min_value=1, max_value=1000, required=False)

    def spec(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("title"):
            return None
        return {"title": d["title"], "due_on": d.get("due_on"), "weight": d.get("weight") or 1}


IndicatorFormSet = formset_factory(IndicatorForm, extra=3, max_num=20)
MilestoneFormSet = formset_factory(MilestoneForm, extra=3, max_num=20)


class _Kept(forms.Form):
    """A row of an existing indicator or milestone on the task's edit page: its id (hidden) and removal."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    remove = forms.BooleanField(label=_("Xóa"), required=False)

    def measure(self) -> dict | None:
        spec = self.spec()
        row_id = self.cleaned_data.get("id")
        if row_id is None:
            return spec  # a new row (None when left blank)
        if self.cleaned_data.get("remove"):
            return {"id": row_id, "remove": True}
        return {**(spec or {}), "id": row_id}


class IndicatorEditForm(_Kept, IndicatorForm):
    pass


class MilestoneEditForm(_Kept, MilestoneForm):
    pass


IndicatorEditFormSet = formset_factory(IndicatorEditForm, extra=2, max_num=40)
MilestoneEditFormSet = formset_factory(MilestoneEditForm, extra=2, max_num=40)


class TaskFilterForm(forms.Form):
    """The office's overview: filters read from the query string; a bad value is a 400 saying which."""

    STATUS = (("open", _("Đang thực hiện")), ("done", _("Đã hoàn thành")), ("cancelled", _("Không tiếp tục theo dõi")),
              ("all", _("Tất cả")))
    DUE = (("", _("Mọi thời hạn")), ("overdue", _("Quá hạn")), ("soon", _("Đến hạn trong … ngày")))

    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none(), required=False,
                                    empty_label=_("Mọi cơ quan"))
    resolution = forms.ModelChoiceField(label=_("Nghị quyết"), queryset=Resolution.objects.none(), required=False,
                                        empty_label=_("Mọi nghị quyết"))
    origin = forms.ChoiceField(label=_("Nguồn giao"), required=False,
                               choices=[("", _("Mọi nguồn"))] + [(o, ORIGIN_LABELS[o]) for o in ORIGINS])
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=STATUS)
    due = forms.ChoiceField(label=_("Thời hạn"), required=False, choices=DUE)
    days = forms.IntegerField(label=_("Số ngày"), required=False, min_value=0, max_value=3660)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("name")
        followed = Resolution.objects.filter(tasks__isnull=False).distinct()
        self.fields["resolution"].queryset = followed.order_by("-decided_on", "id")
        self.fields["days"].widget.attrs["placeholder"] = str(settings.RESOLUTION_TASK_REMIND_DAYS)
