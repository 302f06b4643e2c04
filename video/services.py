"""Joining and leaving a sitting's video room: stored commands through the one write path.

`join` checks a remote member in (present, method "remote") in the same change, unless they are
present already; the media never changes attendance afterwards (docs/decisions/0014 §4). It mints
the token that binds the media signals to this joining (only its hash is kept). A second join of
the same person ends the first (`replaced`): a frozen laptop is left for a phone.
"""

import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import CHAIR, SECRETARY, Actor
from audit.operations import ServiceError
from meeting.models import Attendance
from meeting.services import record_presence
from realtime.service import change

from .models import RemoteSession
from .state import enabled, iso, video_state, you_video

AS_MEMBER = "member"
AS_HALLCAM = "hallcam"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join(actor: Actor, sitting_id: int, as_: str = AS_MEMBER) -> dict:
    with change(actor, "video.join", sitting_id, detail={"as": as_}) as c:
        if not enabled():
            raise ServiceError("video_off", _("Hệ thống không bật dự họp trực tuyến."))
        if as_ == AS_MEMBER:
            if actor.member_id is None:
                raise ServiceError("not_member", _("Chỉ đại biểu và khách mời của phiên họp mới dự họp trực tuyến được."))
            who = {"kind": RemoteSession.Kind.MEMBER, "member_id": actor.member_id}
        else:
            if actor.role not in (CHAIR, SECRETARY):
                raise ServiceError("forbidden", _("Chỉ thư ký hoặc chủ tọa mới mở được camera hội trường."))
            who = {"kind": RemoteSession.Kind.HALLCAM, "user_id": actor.user.pk}
        now = timezone.now()
        replaced = RemoteSession.objects.filter(sitting_id=sitting_id, state=RemoteSession.State.JOINED, **who)
        c.detail["replaced"] = list(replaced.values_list("pk", flat=True))
        replaced.update(state=RemoteSession.State.LEFT, ended_at=now, ended_how=RemoteSession.Ended.REPLACED)
        token = secrets.token_urlsafe(32)
        session = RemoteSession.objects.create(sitting_id=sitting_id, token_hash=token_hash(token), joined_at=now,
                                               device=actor.device if actor.device is not None else None, **who)
        c.detail["session_id"] = session.pk
        if as_ == AS_MEMBER:
            present = Attendance.objects.filter(sitting_id=sitting_id, member_id=actor.member_id,
                                                status=Attendance.Status.PRESENT).exists()
            if not present:
                record_presence(c, actor.member_id, Attendance.Status.PRESENT, Attendance.Method.REMOTE)
            c.emit_to(actor.member_id, "video.mine", you_video(sitting_id, actor.member_id))
        c.emit("video.changed", video_state(c.sitting))
    return {"session_id": session.pk, "token": token, "peer": session.peer, "kind": session.kind,
            "backend": settings.VIDEO_BACKEND, "ice_servers": settings.VIDEO_ICE_SERVERS, "joined_at": iso(now)}


def leave(actor: Actor, sitting_id: int, session_id: int) -> dict:
    with change(actor, "video.join", sitting_id, detail={"session_id": session_id}) as c:
        session = RemoteSession.objects.filter(pk=session_id, sitting_id=sitting_id).first()
        if session is None or not _own(actor, session):
            raise ServiceError("not_found", _("Không tìm thấy lượt dự họp trực tuyến này."))
        if session.state == RemoteSession.State.JOINED:
            _end(session, RemoteSession.Ended.LEFT, timezone.now())
            if session.member_id is not None:
                c.emit_to(session.member_id, "video.mine", you_video(sitting_id, session.member_id))
            c.emit("video.changed", video_state(c.sitting))
    return {}


def _own(actor: Actor, session: RemoteSession) -> bool:
    if session.kind == RemoteSession.Kind.MEMBER:
        return actor.member_id is not None and session.member_id == actor.member_id
    return actor.user is not None and session.user_id == getattr(actor.user, "pk", None)


def _end(session: RemoteSession, how: str, now) -> None:
    session.state, session.ended_at, session.ended_how = RemoteSession.State.LEFT, now, how
    session.save(update_fields=["state", "ended_at", "ended_how"])


def on_closing(c, now) -> None:
    """The sitting closes: every joining ends (meeting.services.on_closing)."""
    open_ = RemoteSession.objects.filter(sitting_id=c.sitting.pk, state=RemoteSession.State.JOINED)
    members = list(open_.exclude(member_id=None).values_list("member_id", flat=True))
    if open_.update(state=RemoteSession.State.LEFT, ended_at=now, ended_how=RemoteSession.Ended.CLOSED):
        for member_id in members:
            c.emit_to(member_id, "video.mine", you_video(c.sitting.pk, member_id))
        c.emit("video.changed", video_state(c.sitting))


def admitted(actor: Actor, sitting_id: int, token: str) -> RemoteSession:
    """The open joining `token` was minted for, if it is this connection's own; else `not_admitted`."""
    session = (RemoteSession.objects.filter(token_hash=token_hash(token), sitting_id=sitting_id,
                                            state=RemoteSession.State.JOINED).first())
    if session is None or not _own(actor, session):
        raise ServiceError("not_admitted", _("Phiên kết nối video không hợp lệ hoặc đã kết thúc; hãy vào lại phòng họp trực tuyến."))
    return session
