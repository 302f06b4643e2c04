"""The ballot-counting board (Ban kiểm phiếu) and its counting minutes (issue 14, item 5).

Secret ballots are counted under a board elected by the council for the session (DOMAIN.md
"Votes"): its members are delegates of the body; a candidate of a poll (or an official rated in
it) may not sit on the board that counts it; it has at least VOTING_BOARD_MIN members (a setting,
3 by default). The board approves a closed secret round's count (`vote.approve`), once; the
counting minutes (biên bản kiểm phiếu: ballots issued — the delegates present when the round
opened —, returned, valid, invalid, the count for each option or candidate, the board and its
approval) are a PDF for the chair and secretary.

Commands `vote.board` (the board elected for the session of the sitting: its members, its head)
and `vote.approve` (registered from voting.hub.register through `register()` here): the first
sends the board to staff (`vote.board`), the second the poll (`vote.poll`, the round's
`approved_at`). A secret round is published only once its count is approved
(voting.services.publish: `count_not_approved`). The minutes hold counts only: nothing in them
names a voter.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import Actor, role_in
from audit.operations import ServiceError
from meeting.models import Member, Membership
from realtime.service import change

from . import chain
from .extra_models import BoardMember, CountApproval
from .models import Round
from .state import board_state, poll_state


def board_min() -> int:
    return int(getattr(settings, "VOTING_BOARD_MIN", 3))


def _session_id(c) -> int:
    if c.sitting.session_id is None:
        raise ServiceError("no_board", _("Phiên họp không thuộc kỳ họp nào nên không có Ban kiểm phiếu."))
    return c.sitting.session_id


def set_board(actor: Actor, sitting_id: int, member_ids: list[int], head_id: int) -> dict:
    """The board the council elected for the session of this sitting (replacing an earlier one)."""
    ids = list(dict.fromkeys(member_ids))
    with change(actor, "vote.manage", sitting_id, live=False,
                detail={"op": "board", "member_ids": ids, "head_id": head_id}) as c:
        session_id = _session_id(c)
        if len(ids) < board_min():
            raise ServiceError("invalid_args", _("Ban kiểm phiếu phải có ít nhất %(n)d thành viên.") % {"n": board_min()})
        if head_id not in ids:
            raise ServiceError("invalid_args", _("Trưởng ban phải là thành viên của Ban kiểm phiếu."))
        delegates = set(Membership.objects.filter(body_id=c.sitting.body_id, active=True, member_id__in=ids,
                                                  member__kind=Member.Kind.DELEGATE).values_list("member_id", flat=True))
        if delegates != set(ids):
            raise ServiceError("not_entitled", _("Thành viên Ban kiểm phiếu phải là đại biểu của %(body)s.") % {
                "body": c.sitting.body.name})
        BoardMember.objects.filter(session_id=session_id).delete()
        BoardMember.objects.bulk_create([BoardMember(session_id=session_id, member_id=m, head=m == head_id) for m in ids])
        chain.append(sitting_id, "board", {"session_id": session_id, "member_ids": ids, "head_id": head_id})
        c.emit("vote.board", {"board": board_state(session_id)})
    return {}


def board_of(session_id) -> list[BoardMember]:
    return list(BoardMember.objects.filter(session_id=session_id).select_related("member"))


def approve(actor: Actor, sitting_id: int, round_id: int) -> dict:
    """The board approves a closed secret round's count (its result is not changed by it)."""
    with change(actor, "vote.manage", sitting_id, live=False, detail={"op": "approve", "round_id": round_id}) as c:
        r = Round.objects.filter(pk=round_id, poll__sitting_id=sitting_id).select_related("poll").first()
        if r is None:
            raise ServiceError("no_such_poll", _("Không có lần biểu quyết này trong phiên họp."))
        if not r.poll.secret or r.status not in (Round.Status.CLOSED, Round.Status.PUBLISHED):
            raise ServiceError("invalid_state", _("Ban kiểm phiếu phê chuẩn kết quả của lần bỏ phiếu kín đã kết thúc."))
        if CountApproval.objects.filter(round=r).exists():
            raise ServiceError("invalid_state", _("Kết quả kiểm phiếu này đã được phê chuẩn."))
        board = board_of(_session_id(c))
        if len(board) < board_min():
            raise ServiceError("no_board", _("Kỳ họp chưa có Ban kiểm phiếu đủ %(n)d thành viên.") % {"n": board_min()})
        candidates = set(r.poll.options.exclude(member=None).values_list("member_id", flat=True))
        conflict = [b.member.full_name for b in board if b.member_id in candidates]
        if conflict:
            raise ServiceError("board_conflict", _("Người ứng cử, người được lấy phiếu không được tham gia Ban kiểm "
                                                   "phiếu: %(names)s.") % {"names": ", ".join(conflict)})
        CountApproval.objects.create(round=r, approved_at=timezone.now(), board=[
            {"member_id": b.member_id, "name": b.member.full_name, "head": b.head} for b in board])
        c.emit("vote.poll", poll_state(r.poll))  # the round's approved_at: the publish button may now be used
    return {"round_id": r.pk}


# ---- the counting minutes -------------------------------------------------------------------

def minutes_pdf_bytes(r: Round) -> bytes:
    from . import exports as X

    poll, res = r.poll, r.result
    approval = CountApproval.objects.filter(round=r).first()
    with translation.override("vi"):
        pdf = X.new_pdf(_("Biên bản kiểm phiếu — %(t)s") % {"t": poll.title})
        X.pdf_line(pdf, _("BIÊN BẢN KIỂM PHIẾU"), style="B", size=15, align="C", h=8)
        X.pdf_line(pdf, poll.title, style="B", size=13, align="C")
        X.pdf_line(pdf, _("%(sitting)s — lần bỏ phiếu thứ %(n)d") % {"sitting": poll.sitting.title, "n": r.number},
                   size=11, align="C")
        pdf.ln(3)
        rows = [(_("Số phiếu phát ra"), str(r.present)), (_("Số phiếu thu vào"), str(res["cast"])),
                (_("Số phiếu hợp lệ"), str(res["valid"])), (_("Số phiếu không hợp lệ"), str(res["invalid"])),
                (_("Tổng số đại biểu"), str(r.total)), (_("Bắt đầu"), X._local(r.opened_at)),
                (_("Kết thúc"), X._local(r.closed_at)), (_("Kết quả"), X.outcome_text(r))]
        if r.manual:
            rows.insert(0, (_("Kiểm đếm thủ công"), r.manual_reason))
        X.pdf_table(pdf, (_("Mục"), _("Số liệu")), rows, (80, 95))
        X.pdf_table(pdf, (_("Lựa chọn"), _("Số phiếu"), _("Tỷ lệ (%)")),
                    [(label, str(n), f"{pct:g}") for label, n, pct in X.count_rows(r)], (115, 30, 30))
        if approval is not None:
            X.pdf_line(pdf, _("Ban kiểm phiếu phê chuẩn kết quả lúc %(t)s.") % {"t": X._local(approval.approved_at)})
            board = approval.board
        else:
            X.pdf_line(pdf, _("Ban kiểm phiếu chưa phê chuẩn kết quả."), style="I")
            board = [{"name": b.member.full_name, "head": b.head} for b in board_of(poll.sitting.session_id)]
        pdf.ln(2)
        X.pdf_line(pdf, _("BAN KIỂM PHIẾU"), style="B")
        X.pdf_table(pdf, (_("Họ và tên"), _("Chức danh"), _("Chữ ký")),
                    [(b["name"], _("Trưởng ban") if b["head"] else _("Thành viên"), "") for b in board], (75, 50, 50))
        return bytes(pdf.output())


def minutes_pdf(request, round_id: int):
    """The counting minutes of a closed secret round: the sitting's chair and secretary."""
    from .exports import DONE, STAFF

    r = get_object_or_404(Round.objects.select_related("poll__sitting"), pk=round_id)
    if (not r.poll.secret or r.status not in DONE
            or role_in(r.poll.sitting, user=request.user) not in STAFF):
        raise Http404
    response = HttpResponse(minutes_pdf_bytes(r), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bien-ban-kiem-phieu-{r.poll_id}-lan-{r.number}.pdf"'
    return response


# ---- the hub --------------------------------------------------------------------------------

def register():
    """`vote.board` and `vote.approve`: called from voting.hub.register()."""
    from pydantic import conlist

    from realtime import registry
    from realtime.messages import NoResult
    from realtime.schemas import Id as ArgId
    from realtime.schemas import Strict

    from .hub import RoundArgs, RoundResult

    class BoardArgs(Strict):
        member_ids: conlist(ArgId, min_length=1, max_length=50)
        head_id: ArgId

    registry.register_command("vote.board", BoardArgs,
                              lambda actor, sid, a: set_board(actor, sid, a.member_ids, a.head_id),
                              result=NoResult, action="vote.manage")
    registry.register_command("vote.approve", RoundArgs, lambda actor, sid, a: approve(actor, sid, a.round_id),
                              result=RoundResult, action="vote.manage")
    registry.register_error("no_board", "The session has no ballot-counting board of the minimum size "
                                        "(setting VOTING_BOARD_MIN), or the sitting belongs to no session.")
    registry.register_error("count_not_approved", "A secret round is published only once the ballot-counting board "
                                                  "approved its count (vote.approve).")
    registry.register_error("board_conflict", "A candidate of the poll, or an official rated in it, sits on the "
                                              "ballot-counting board: it cannot approve this count.")
