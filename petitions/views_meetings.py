"""Voter-contact meetings (tiếp xúc cử tri): entered by the delegate group's secretary.

Petition staff see and enter every group's meetings; a delegate sees and
enters the meetings of their own delegate group (accounts.permissions.
may_enter_voter_meeting). The form carries a repeatable block of petitions:
a small script adds blocks, and without it one block is there (and one more
after each refusal), so the page works with scripts off.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import permissions
from meeting.models import Body, Member, Session

from . import services
from .models import Case, Field, VoterMeeting

MAX_PETITIONS = 200
PETITION_KEYS = ("subject", "content", "field", "level", "answered_on_spot", "answer_text")


def _groups_for(user):
    """The delegate groups this user may enter meetings for."""
    groups = Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP).order_by("name")
    if permissions.is_petition_staff(user):
        return groups
    member = getattr(user, "member", None)
    if member is None or member.delegate_group_id is None:
        return groups.none()
    return groups.filter(pk=member.delegate_group_id)


def _require_some_group(user):
    groups = _groups_for(user)
    if not groups.exists():
        raise PermissionDenied(_("Chỉ cán bộ xử lý đơn thư hoặc đại biểu của tổ đại biểu được nhập buổi tiếp xúc cử tri."))
    return groups


@login_required
def meeting_list(request):
    groups = _require_some_group(request.user)
    meetings = (VoterMeeting.objects.filter(delegate_group__in=groups).select_related("delegate_group", "session")
                .annotate(n_petitions=Count("petitions")).order_by("-held_on", "-id")[:200])
    return render(request, "petitions/meetings/list.html", {"meetings": meetings})


def _petition_rows(post) -> list[dict]:
    """The petition blocks as submitted (p-<i>-<key>), in order; blank blocks dropped."""
    indexes = sorted({int(k.split("-")[1]) for k in post if k.startswith("p-") and k.count("-") >= 2
                      and k.split("-")[1].isdigit()})[:MAX_PETITIONS]
    rows = []
    for i in indexes:
        row = {key: (post.get(f"p-{i}-{key}") or "").strip() for key in PETITION_KEYS}
        row["answered_on_spot"] = bool(row["answered_on_spot"])
        if row["subject"] or row["content"] or row["answer_text"]:
            rows.append(row)
    return rows


def _parse_date(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _int(text, default=None):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


@login_required
def meeting_new(request):
    groups = list(_require_some_group(request.user))
    sessions = list(Session.objects.order_by("-start_date", "-id")[:30])
    fields = list(Field.objects.all())
    members = (Member.objects.filter(delegate_group__in=groups, kind=Member.Kind.DELEGATE).select_related("delegate_group")
               .order_by("delegate_group__name", "delegate_group_id", "full_name"))
    refusal, errors = None, {}
    post = request.POST if request.method == "POST" else {}
    rows = _petition_rows(post) if post else []

    if request.method == "POST":
        group = Body.objects.filter(kind=Body.Kind.DELEGATE_GROUP, pk=_int(post.get("delegate_group")) or 0).first()
        session = next((s for s in sessions if s.pk == _int(post.get("session"))), None)
        held_on = _parse_date(post.get("held_on"))
        field_by_id = {f.pk: f for f in fields}
        if group is None:
            errors["delegate_group"] = _("Hãy chọn tổ đại biểu.")
        elif not permissions.may_enter_voter_meeting(request.user, group):
            raise PermissionDenied
        if session is None:
            errors["session"] = _("Hãy chọn kỳ họp.")
        if held_on is None:
            errors["held_on"] = _("Hãy ghi ngày tiếp xúc cử tri.")
        if not (post.get("place") or "").strip():
            errors["place"] = _("Hãy ghi địa điểm.")
        if not (post.get("commune") or "").strip():
            errors["commune"] = _("Hãy ghi xã/phường/đặc khu.")
        if post.get("when") not in VoterMeeting.When.values:
            errors["when"] = _("Hãy chọn trước hay sau kỳ họp.")
        for row in rows:
            row["field_obj"] = field_by_id.get(_int(row["field"]))
        if not errors:
            delegate_ids = {_int(x) for x in post.getlist("delegates")}
            delegates = [m for m in members if m.pk in delegate_ids and m.delegate_group_id == group.pk]
            petitions = [{"subject": r["subject"], "content": r["content"] or r["subject"], "field": r["field_obj"],
                          "level": r["level"], "answered_on_spot": r["answered_on_spot"], "answer_text": r["answer_text"]}
                         for r in rows]
            try:
                meeting = services.record_voter_meeting(
                    request.user, held_on=held_on, place=post["place"].strip(),
                    commune=post["commune"].strip(), delegate_group=group, session=session,
                    when=post["when"], voters=max(0, _int(post.get("voters"), 0)), delegates=delegates,
                    petitions=petitions)
            except services.PetitionError as e:
                refusal = e.message
            else:
                return redirect("petitions:meeting", meeting_id=meeting.pk)
        else:
            refusal = _("Buổi tiếp xúc chưa được lưu: hãy xem các ô được đánh dấu.")

    own_group = getattr(getattr(request.user, "member", None), "delegate_group_id", None)
    selected_group = _int(post.get("delegate_group")) if post else (own_group or (groups[0].pk if len(groups) == 1 else None))
    blocks = rows + [{"subject": "", "content": "", "field": "", "level": "", "answered_on_spot": False, "answer_text": ""}]
    return render(request, "petitions/meetings/new.html", {
        "groups": groups, "sessions": sessions, "fields": fields, "members": members,
        "levels": Case.Level.choices, "whens": VoterMeeting.When.choices, "blocks": blocks,
        "post": post, "errors": errors, "refusal": refusal, "selected_group": selected_group,
        "selected_delegates": {_int(x) for x in post.getlist("delegates")} if post else set(),
        "selected_session": _int(post.get("session")) if post else (sessions[0].pk if sessions else None),
    }, status=400 if refusal else 200)


@login_required
def meeting_detail(request, meeting_id):
    meeting = get_object_or_404(VoterMeeting.objects.select_related("delegate_group", "session"), pk=meeting_id)
    if not permissions.may_enter_voter_meeting(request.user, meeting.delegate_group):
        raise PermissionDenied
    petitions = meeting.petitions.select_related("field").prefetch_related("answers").order_by("id")
    return render(request, "petitions/meetings/detail.html", {"meeting": meeting, "petitions": petitions,
                                                               "delegates": meeting.delegates.order_by("full_name")})
