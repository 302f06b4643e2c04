"""The `video` part of a sitting's state and `you.video`: plain, JSON-ready dicts from the rows."""

from django.conf import settings

from .models import RemoteSession


def iso(dt):
    return dt.isoformat() if dt else None


def enabled() -> bool:
    return settings.VIDEO_BACKEND != "off"


def participant_info(s: RemoteSession) -> dict:
    return {"member_id": s.member_id, "name": s.member.full_name, "state": s.state, "joined_at": iso(s.joined_at)}


def video_state(sitting) -> dict:
    """Who is in the sitting's video room, and whether the control room's hall camera is in it."""
    joined = RemoteSession.objects.filter(sitting_id=sitting.pk, state=RemoteSession.State.JOINED)
    members = joined.filter(kind=RemoteSession.Kind.MEMBER).select_related("member").order_by("joined_at", "pk")
    return {
        "room": {"enabled": enabled(), "backend": settings.VIDEO_BACKEND},
        "participants": [participant_info(s) for s in members],
        "hall": {"publishing": joined.filter(kind=RemoteSession.Kind.HALLCAM).exists()},
        "overrides": [],
    }


def you_video(sitting_id: int, member_id: int | None) -> dict:
    s = None
    if member_id is not None:
        s = (RemoteSession.objects.filter(sitting_id=sitting_id, member_id=member_id, state=RemoteSession.State.JOINED)
             .order_by("-joined_at").first())
    return {"session_id": s.pk if s else None, "joined_at": iso(s.joined_at) if s else None}
