"""Joining and leaving a sitting's video room: stored commands through the one write path.

`join` checks a remote member in (present, method "remote") in the same change, unless they are
present already; the media never changes attendance afterwards (docs/decisions/0014 §4). It mints
the token that binds the media signals to this joining (only its hash is kept). A second join of
the same person from another device ends the first (`replaced`): a frozen laptop is left for a
phone; from the same paired device (a reload, a lost connection) the same joining goes on
(`resumed`), with its history and a new token.
"""

import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import CHAIR, DISPLAY, SECRETARY, Actor
from audit.operations import ServiceError
from meeting.models import Attendance, Member
from meeting.services import record_presence
from realtime.service import change

from . import turn
from .models import MediaRoom, MicOverride, RemoteSession
from .state import enabled, iso, video_state, you_video

AS_MEMBER = "member"
AS_HALLCAM = "hallcam"
AS_DISPLAY = "display"


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
        elif as_ == AS_DISPLAY:
            if actor.role != DISPLAY:
                raise ServiceError("forbidden",
                                   _("Chỉ màn hình hội trường mới nhận hình người phát biểu trực tuyến theo cách này."))
            who = {"kind": RemoteSession.Kind.DISPLAY, "device_id": actor.device.pk}
        else:
            if actor.role not in (CHAIR, SECRETARY):
                raise ServiceError("forbidden", _("Chỉ thư ký hoặc chủ tọa mới mở được camera hội trường."))
            who = {"kind": RemoteSession.Kind.HALLCAM, "user_id": actor.user.pk}
        now = timezone.now()
        token = secrets.token_urlsafe(32)
        open_ = RemoteSession.objects.filter(sitting_id=sitting_id, state=RemoteSession.State.JOINED, **who)
        device_id = actor.device.pk if actor.device is not None else None
        session = open_.filter(device_id=device_id).first() if device_id is not None else None
        who.pop("device_id", None)
        resumed = session is not None
        if resumed:
            # The same paired device again (a reload, a connection lost): the same joining goes on,
            # with its history, under a new token; the old token is void.
            session.token_hash, session.link, session.link_since = token_hash(token), RemoteSession.Link.CONNECTING, now
            session.rejoins += 1
            session.save(update_fields=["token_hash", "link", "link_since", "rejoins"])
            c.detail["resumed"] = session.pk
        else:
            c.detail["replaced"] = list(open_.values_list("pk", flat=True))
            open_.update(state=RemoteSession.State.LEFT, ended_at=now, ended_how=RemoteSession.Ended.REPLACED)
            session = RemoteSession.objects.create(sitting_id=sitting_id, token_hash=token_hash(token), joined_at=now,
                                                   device_id=device_id, **who)
        c.detail["session_id"] = session.pk
        if as_ == AS_MEMBER:
            present = Attendance.objects.filter(sitting_id=sitting_id, member_id=actor.member_id,
                                                status=Attendance.Status.PRESENT).exists()
            if not present:
                record_presence(c, actor.member_id, Attendance.Status.PRESENT, Attendance.Method.REMOTE)
            c.emit_to(actor.member_id, "video.mine", you_video(sitting_id, actor.member_id))
        c.emit("video.changed", video_state(c.sitting))
    return {"session_id": session.pk, "token": token, "peer": session.peer, "kind": session.kind,
            "backend": settings.VIDEO_BACKEND, "ice_servers": turn.ice_servers(session.pk, now),
            "ice_transport_policy": settings.VIDEO_ICE_TRANSPORT_POLICY,
            "joined_at": iso(session.joined_at), "resumed": resumed}


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
    if session.kind == RemoteSession.Kind.DISPLAY:
        return actor.device is not None and session.device_id == actor.device.pk
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
        raise ServiceError("not_admitted",
                           _("Phiên kết nối video không hợp lệ hoặc đã kết thúc; hãy vào lại phòng họp trực tuyến."))
    return session


# ---- the chair's controls -------------------------------------------------------------------

def override(actor: Actor, sitting_id: int, member_id: int, live: bool | None, expect_speech: int | None) -> dict:
    """The chair opens (`live` true) or closes (false) one person's microphone for the current turn
    at the floor, or gives it back to the floor's rule (null). `expect_speech`: the turn the chair
    saw; another turn by now is `stale` (a mute meant for one speaker never lands on the next)."""
    from floor.state import current_speech

    with change(actor, "video.control", sitting_id,
                detail={"member_id": member_id, "live": live, "expect_speech": expect_speech}) as c:
        current = current_speech(sitting_id)
        current_id = current.pk if current else None
        if current_id != expect_speech:
            raise ServiceError("stale", _("Lượt phát biểu đã thay đổi; hãy xem lại rồi thao tác."),
                               data={"current": {"speech_id": current_id, "seq": c.sitting.seq}})
        if not Member.objects.filter(pk=member_id).exists():
            raise ServiceError("not_found", _("Không tìm thấy thành viên."))
        MicOverride.objects.filter(sitting_id=sitting_id).exclude(speech_id=current_id).delete()  # void now
        if live is None:
            MicOverride.objects.filter(sitting_id=sitting_id, member_id=member_id).delete()
        else:
            MicOverride.objects.update_or_create(sitting_id=sitting_id, member_id=member_id,
                                                 defaults={"live": live, "speech_id": current_id, "at": timezone.now()})
        c.emit("video.changed", video_state(c.sitting))
    return {}


def kick(actor: Actor, sitting_id: int, member_id: int, reason: str) -> dict:
    """The chair shows a remote participant out: the joining ends, and the remote device that
    joined is revoked (its link no longer works; the office issues a new one if it must)."""
    from django.conf import settings as dj_settings
    from importlib import import_module

    from accounts.models import Device
    from realtime.publish import close_device_after_commit

    with change(actor, "video.control", sitting_id, detail={"member_id": member_id, "reason": reason}) as c:
        session = (RemoteSession.objects.filter(sitting_id=sitting_id, member_id=member_id,
                                                state=RemoteSession.State.JOINED).select_related("device").first())
        if session is None:
            raise ServiceError("not_found", _("Người này không ở trong phòng họp trực tuyến."))
        session.reason = reason
        session.save(update_fields=["reason"])
        _end(session, RemoteSession.Ended.KICKED, timezone.now())
        device = session.device
        if device is not None and device.kind == Device.Kind.REMOTE and not device.revoked:
            Device.objects.filter(pk=device.pk).update(revoked=True)
            if device.session_key:
                import_module(dj_settings.SESSION_ENGINE).SessionStore(session_key=device.session_key).delete()
            close_device_after_commit(device.pk)
            c.detail["device_revoked"] = device.pk
        c.emit_to(member_id, "video.mine", you_video(sitting_id, member_id))
        c.emit("video.changed", video_state(c.sitting))
    return {}


# ---- what the media process reports -------------------------------------------------------

def report(actor: Actor, sitting_id: int, room: dict | None, peers: list[dict]) -> dict:
    """The media process's observations (command video.report, role media): the room's health and
    load, and each member peer's connection (`connected`, `lost`, `ended`: lost for longer than
    VIDEO_GRACE_SECONDS). Only changes are written and told; attendance is never touched."""
    now = timezone.now()
    with change(actor, "video.report", sitting_id) as c:
        changed = False
        if room is not None:
            row, _created = MediaRoom.objects.get_or_create(sitting_id=sitting_id)
            values = {"up": room["up"], "streams": room["streams"], "capacity": room["capacity"],
                      "overloaded": room["overloaded"], "recording": room.get("recording", False)}
            if _created or any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.reported_at = now
                row.save()
                changed = True
        for peer in peers:
            changed |= _report_peer(c, sitting_id, peer, now)
        if changed:
            c.emit("video.changed", video_state(c.sitting))
    return {}


def _report_peer(c, sitting_id, peer: dict, now) -> bool:
    kind, _, ident = peer["peer"].partition(":")
    if kind != "m" or not ident.isdigit():
        return False
    session = RemoteSession.objects.filter(sitting_id=sitting_id, member_id=int(ident),
                                           state=RemoteSession.State.JOINED).first()
    if session is None:
        return False
    if peer["state"] == "ended":
        _end(session, RemoteSession.Ended.TIMEOUT, now)
        c.emit_to(session.member_id, "video.mine", you_video(sitting_id, session.member_id))
        return True
    fields = []
    if peer["state"] != session.link:
        if peer["state"] == RemoteSession.Link.LOST:
            session.lost_count += 1
            fields.append("lost_count")
        session.link, session.link_since = peer["state"], now
        fields += ["link", "link_since"]
    level = peer.get("level") or ""
    if level != session.level:
        session.level = level
        fields.append("level")
    if fields:
        session.save(update_fields=fields)
    return bool(fields)


def media_lost(sitting_id: int) -> None:
    """The media process does not answer (a hub process found its link broken): the room is down
    and every joined connection lost, at once, so the console says so. Idempotent; the media
    process's next report sets it right."""
    from accounts.permissions import system_actor

    if not MediaRoom.objects.filter(sitting_id=sitting_id, up=True).exists():
        return
    now = timezone.now()
    with change(system_actor(), "video.report", sitting_id, detail={"media_lost": True}) as c:
        MediaRoom.objects.filter(sitting_id=sitting_id).update(up=False, recording=False, reported_at=now)
        for session in RemoteSession.objects.filter(sitting_id=sitting_id, kind=RemoteSession.Kind.MEMBER,
                                                    state=RemoteSession.State.JOINED).exclude(link=RemoteSession.Link.LOST):
            session.link, session.link_since, session.lost_count = RemoteSession.Link.LOST, now, session.lost_count + 1
            session.save(update_fields=["link", "link_since", "lost_count"])
        c.emit("video.changed", video_state(c.sitting))


# ---- recording the sitting's sound for the minutes ----------------------------------------------

def set_room(actor: Actor, sitting_id: int, record: bool) -> dict:
    """The chair switches the recording of this sitting's sound on or off (on by default)."""
    with change(actor, "video.control", sitting_id, detail={"record": record}) as c:
        room, _created = MediaRoom.objects.get_or_create(sitting_id=sitting_id)
        if room.record != record:
            room.record = record
            room.save(update_fields=["record"])
            c.emit("video.changed", video_state(c.sitting))
    return {}


def recorded(actor: Actor, sitting_id: int, name: str, started_at, ended_at, size: int) -> int:
    """A finished recording, already saved in the documents storage as `name` by the media process
    (which calls this itself, with the system actor: the sitting may have closed meanwhile). Once
    per file. Returns the Recording's id."""
    from .models import Recording

    with change(actor, "video.report", sitting_id, live=False,
                detail={"recording": name, "started_at": started_at.isoformat(), "ended_at": ended_at.isoformat()}):
        row, _created = Recording.objects.get_or_create(
            file=name, defaults={"sitting_id": sitting_id, "started_at": started_at, "ended_at": ended_at, "size": size})
    return row.pk
