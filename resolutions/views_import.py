"""The office's import of the year's planned resolutions from a spreadsheet (resolutions.imports):
the upload page with its per-row error report, and the blank template to download. Resolution
staff only (accounts.decorators); the rules and the all-or-nothing are the import's."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import resolution_staff_required

from . import imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bảng tính chương trình nghị quyết (.xlsx)"))


@resolution_staff_required
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": [label for _k, label in imports.COLUMNS], "max_rows": imports.MAX_ROWS,
               "max_mb": imports.MAX_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "resolutions/office/import.html", context)
    if not form.is_valid():
        return render(request, "resolutions/office/import.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > imports.MAX_BYTES:
        context["refusal"] = _("Tệp quá lớn (tối đa %(n)d MB).") % {"n": context["max_mb"]}
        return render(request, "resolutions/office/import.html", context, status=400)
    try:
        made = imports.import_programme(request.user, upload.read())
    except imports.ResolutionError as refused:
        context.update(refusal=refused.message, errors=getattr(refused, "errors", []))
        return render(request, "resolutions/office/import.html", context,
                      status=403 if refused.code == "forbidden" else 400)
    messages.success(request, _("Đã nhập %(n)d nghị quyết vào chương trình.") % {"n": len(made)})
    return redirect("resolutions:programme")


@resolution_staff_required
def import_template(request):
    response = HttpResponse(imports.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="chuong-trinh-nghi-quyet-mau.xlsx"'
    return response
