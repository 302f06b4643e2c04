"""The `video` part of a sitting's state and `you.video`: plain, JSON-ready dicts from the rows."""

from django.conf import settings

from .models import MediaRoom, MicOverride, RemoteSession


def iso(dt):
    return dt.isoformat() if dt else None


def enabled() -> bool:
    return settings.VIDEO_BACKEND != "off"


def participant_info(s: RemoteSession) -> dict:
    return {"member_id": s.member_id, "name": s.member.full_name, "state": s.state, "joined_at": iso(s.joined_at),
            "link": s.link, "link_since": iso(s.link_since), "level": s.level or None, "lost_count": s.lost_count,
            "rejoins": s.rejoins}


def room_info(sitting_id: int) -> dict:
    room = MediaRoom.objects.filter(sitting_id=sitting_id).first()
    return {"enabled": enabled(), "backend": settings.VIDEO_BACKEND, "up": bool(room and room.up),
            "streams": room.streams if room else 0, "capacity": room.capacity if room else 0,
            "overloaded": bool(room and room.overloaded), "reported_at": iso(room.reported_at) if room else None,
            "record": room.record if room else True, "recording": bool(room and room.recording)}


def video_state(sitting) -> dict:
    """Who is in the sitting's video room, and whether the control room's hall camera is in it."""
    joined = RemoteSession.objects.filter(sitting_id=sitting.pk, state=RemoteSession.State.JOINED)
    members = joined.filter(kind=RemoteSession.Kind.MEMBER).select_related("member").order_by("joined_at", "pk")
    overrides = MicOverride.objects.filter(sitting_id=sitting.pk).order_by("member_id")
    return {
        "room": room_info(sitting.pk),
        "participants": [participant_info(s) for s in members],
        "hall": {"publishing": joined.filter(kind=RemoteSession.Kind.HALLCAM).exists()},
        "overrides": [{"member_id": o.member_id, "live": o.live, "speech_id": o.speech_id} for o in overrides],
    }


def you_video(sitting_id: int, member_id: int | None) -> dict:
    """Your joining of the sitting's video room; when you are not in it, how your last one ended
    (a page that was shown out does not join again by itself; one that timed out does)."""
    s = None
    if member_id is not None:
        s = RemoteSession.objects.filter(sitting_id=sitting_id, member_id=member_id).order_by("-joined_at", "-pk").first()
    if s is None:
        return {"session_id": None, "joined_at": None, "ended": None, "reason": None}
    if s.state == RemoteSession.State.JOINED:
        return {"session_id": s.pk, "joined_at": iso(s.joined_at), "ended": None, "reason": None}
    return {"session_id": None, "joined_at": None, "ended": s.ended_how or None, "reason": s.reason or None}
