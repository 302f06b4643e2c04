"""A delegate hands a citizen's letter to the office (source "delegate"): the same
checks as the reception desk; the citizen gets the printed receipt with its code."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.pages import problem
from accounts.permissions import may_forward_letter

from . import services
from .models import Case
from .views_office import ReceptionForm


class DelegateForwardForm(ReceptionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["source"]


def delegate_forward(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_forward_letter(request.user):
        return problem(request, "forbidden", _("Chỉ đại biểu HĐND được chuyển đơn của công dân từ trang này."),
                       title=_("Không có quyền truy cập"))
    form = DelegateForwardForm(request.POST or None, request.FILES or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.submit(request.user, kind=d["kind"], source=Case.Source.DELEGATE, subject=d["subject"],
                                   content=d["content"], identity={n: d[n] for n in ReceptionForm.IDENTITY},
                                   field=d["field"], commune=d["commune"],
                                   anonymous=d["anonymous"], remote_area=d["remote_area"], files=d["scans"],
                                   identifying_files=d["scans_identifying"])
        except services.PetitionError as refused:
            refusal = refused.message
            field = "scans" if getattr(refused, "field", None) == "files" else getattr(refused, "field", None)
            if field in form.fields:
                form.add_error(field, refused.message)
        else:
            # The receipt page shows the code and QR to the browser that submitted: the citizen's copy.
            request.session["petition_receipts"] = [*request.session.get("petition_receipts", [])[-9:], case.tracking_code]
            return redirect("petitions:receipt", code=case.tracking_code)
    return render(request, "petitions/delegate_forward.html", {"form": form, "refusal": refusal},
                  status=400 if refusal or (request.method == "POST" and form.errors) else 200)
