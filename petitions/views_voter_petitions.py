"""The office compiles and forwards a session's voters' petitions (petitions/voter-petitions/…).

Petition staff only. One page per session: the petitions by delegate group, the
Fatherland Front's summary, a competent body for each pending petition, and the
forwardings made (one per body, with its due date and the session the answers
are reported at). The rules are in petitions.voter_petitions.
"""

import mimetypes

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import petition_staff_required
from meeting.models import Session

from . import deadlines, voter_petitions
from .files import send as send_private_file
from .models import Agency, Case, PetitionCompilation, PetitionForwarding
from .services import PetitionError


@require_GET
@petition_staff_required
def sessions(request):
    """Sessions with voters' petitions collected for them: how many, how many still to forward."""
    rows = (Session.objects.filter(voter_meetings__isnull=False).select_related("body").distinct()
            .annotate(n=Count("voter_meetings__petitions", distinct=True),
                      to_forward=Count("voter_meetings__petitions", distinct=True,
                                       filter=Q(voter_meetings__petitions__status__in=voter_petitions.TO_FORWARD,
                                                voter_meetings__petitions__answered_on_spot=False)))
            .order_by("-start_date", "-pk"))
    return render(request, "petitions/meetings/sessions.html", {"sessions": rows})


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@petition_staff_required
def session(request, session_id):
    session = get_object_or_404(Session.objects.select_related("body"), pk=session_id)
    agencies = list(Agency.objects.filter(active=True).order_by("name"))
    refusal = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "forward":
                made = voter_petitions.forward_session(request.user, session, note=request.POST.get("note", ""))
                messages.success(request, _("Đã chuyển kiến nghị đến %(n)d cơ quan.") % {"n": len(made)})
            else:
                by_id = {a.pk: a for a in agencies}
                assignments = {}
                for key, value in request.POST.items():
                    if key.startswith("agency-") and _int(key[7:]) is not None:
                        chosen = _int(value)
                        if value and chosen not in by_id:
                            raise PetitionError("invalid", _("Hãy chọn cơ quan có thẩm quyền đang hoạt động."), "agency")
                        assignments[_int(key[7:])] = by_id.get(chosen)
                voter_petitions.compile_session(request.user, session, front_summary=request.POST.get("front_summary", ""),
                                                front_file=request.FILES.get("front_file"), assignments=assignments)
                messages.success(request, _("Đã lưu bản tổng hợp kiến nghị cử tri."))
        except PetitionError as e:
            refusal = e.message
        else:
            return redirect("petitions:voter_session", session_id=session.pk)
    compilation = PetitionCompilation.objects.filter(session=session).first()
    forwardings = (PetitionForwarding.objects.filter(compilation__session=session).select_related("agency", "report_session")
                   .annotate(n=Count("transfers")).order_by("sent_at", "id"))
    report = deadlines.report_session(session)
    return render(request, "petitions/meetings/compile.html", {
        "session": session, "groups": voter_petitions.by_delegate_group(session), "agencies": agencies,
        "compilation": compilation, "forwardings": forwardings, "report_session": report,
        "lead": deadlines.voter_petition_lead(), "to_forward": voter_petitions.TO_FORWARD, "refusal": refusal,
        "forwarded": Case.Status.FORWARDED,
    }, status=400 if refusal else 200)


@require_GET
@petition_staff_required
def front_file(request, session_id):
    compilation = get_object_or_404(PetitionCompilation, session_id=session_id)
    if not compilation.front_file:
        raise Http404
    filename = compilation.front_file_name or "mttq"
    # The type FileResponse guessed from the name, before the file left through petitions.files.send.
    response = send_private_file(compilation.front_file, as_attachment=True, filename=filename,
                                 content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response
