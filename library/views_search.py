"""The search page: one box and a few filters over every document of every
term, for everyone. What each person finds is decided by library.search
(through accounts.permissions.readable_documents): a citizen sees published
public documents, a delegate also the delegates' ones, the office all.
`?embed=1` renders it without the site chrome, for the delegate terminal's
overlay (an iframe of the same origin); its results open the embedded viewer.
"""

from django import forms
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from meeting.models import Body, Session

from . import search
from .models import Document

PER_PAGE = 20
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.start_date:%m/%Y})"


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=search.MAX_QUERY_CHARS, strip=True)
    kind = forms.ChoiceField(label=_("Loại văn bản"), required=False,
                             choices=[("", _("Tất cả"))] + list(Document.Kind.choices))
    body = forms.ModelChoiceField(label=_("Cơ quan"), required=False, empty_label=_("Tất cả"),
                                  queryset=Body.objects.select_related("term").order_by("-term__start", "kind", "name"),
                                  error_messages={"invalid_choice": _("Không có cơ quan này.")})
    session = SessionChoice(label=_("Kỳ họp"), required=False, empty_label=_("Tất cả"),
                            queryset=Session.objects.order_by("-start_date", "-id"),
                            error_messages={"invalid_choice": _("Không có kỳ họp này.")})
    issuer = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=300, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" and "to" are the names in the address; Python keeps them out of the class body.
        date_error = {"invalid": _("Ngày không hợp lệ (ví dụ: 31/12/2025).")}
        self.fields["from"] = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS,
                                             error_messages=date_error)
        self.fields["to"] = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS,
                                           error_messages=date_error)
        self.fields["kind"].error_messages["invalid_choice"] = _("Không có loại văn bản này.")

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise forms.ValidationError(_("“Từ ngày” phải trước “Đến ngày”."))
        return data

    def has_filters(self) -> bool:
        return any(self.data.get(name) for name in ("kind", "body", "session", "issuer", "from", "to"))


def _page_number(value) -> int:
    """The page asked for in the address: 1 when it is not a number, never past search.MAX_PAGE."""
    try:
        return max(1, min(int(value), search.MAX_PAGE))
    except (TypeError, ValueError, OverflowError):
        return 1


@xframe_options_sameorigin  # the delegate terminal opens it over the sitting (?embed=1), as the viewer
def search_view(request):
    embed = request.GET.get("embed") == "1"
    form = SearchForm({k: v for k, v in request.GET.items() if k != "embed"} or None)
    results = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        results = search.search(request.user, d["q"], kind=d["kind"] or None, body=d["body"], session=d["session"],
                                date_from=d["from"], date_to=d["to"], issuer=d["issuer"] or None,
                                page=_page_number(request.GET.get("page")), per_page=PER_PAGE)
    elif not form.is_bound:  # first visit: the newest documents
        results = search.search(request.user, "", per_page=PER_PAGE)

    def page_url(n):
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        params["page"] = n
        return "?" + urlencode(params)

    issuers = (search.candidates(request.user).exclude(issuer="").order_by("issuer")
               .values_list("issuer", flat=True).distinct()[:200])
    return render(request, "library/search.html", {
        "form": form,
        "embed": embed,
        "results": results,
        "searched": form.is_bound,
        "filters_open": form.is_bound and (form.has_filters() or bool(form.errors)),
        "issuers": list(issuers),
        "prev_url": page_url(results.page - 1) if results and results.page > 1 else None,
        "next_url": page_url(results.page + 1) if results and results.page < results.pages else None,
    })
