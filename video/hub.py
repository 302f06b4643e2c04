"""The video module's parts of the hub (realtime/registry.py, docs/modules.md, docs/video.md).

State `video` (the room, who has joined, whether the hall camera is in it, the chair's overrides of
who is heard); `you.video` (this member's own joining); event `video.changed` (absolute: the whole
`video`); per-member `video.mine`. Commands `video.join` and `video.leave` (stored, exactly once:
the same id gives the same token). Signals `video.offer` and `video.ice` (realtime.registry.Signal:
answered by the media process, nothing stored, docs/decisions/0014 §3).
"""

from typing import Literal

from pydantic import Field, conint, conlist, constr

from accounts import permissions
from realtime import registry
from realtime.messages import Id, Message, NoResult, Time, literal
from realtime.schemas import Id as ArgId
from realtime.schemas import Strict

from . import control, services
from .models import RemoteSession
from .state import video_state, you_video


class Room(Message):
    enabled: bool = Field(description="remote video is on in this deployment (VIDEO_BACKEND not off)")
    backend: str = Field(description="the media backend: aiortc (embedded) or janus")


class Participant(Message):
    member_id: Id
    name: str
    state: literal(RemoteSession.State.values)
    joined_at: Time


class Hall(Message):
    publishing: bool = Field(description="the control room's hall camera page is in the room")


class Override(Message):
    member_id: Id
    live: bool
    speech_id: Id | None = Field(description="the turn at the floor it was made for; another turn clears it")


class Video(Message):
    room: Room
    participants: list[Participant] = Field(description="remote participants in the room, by joining time")
    hall: Hall
    overrides: list[Override] = Field(description="the chair's microphone overrides (video/live.py)")


class YouVideo(Message):
    session_id: Id | None = Field(description="your joining of the video room, if you are in it")
    joined_at: Time | None


class JoinArgs(Strict):
    as_: Literal["member", "hallcam"] = Field("member", alias="as",
                                              description="member: yourself, remotely; hallcam: the control room's camera page (staff)")


class JoinResult(Message):
    session_id: Id
    token: str = Field(description="binds this page's media signals to this joining; send it with each signal")
    peer: str = Field(description="the media process's name for you: m:<member id> or h:<user id>")
    kind: literal(RemoteSession.Kind.values)
    backend: str
    ice_servers: list[dict] = Field(description="RTCIceServer entries for RTCPeerConnection (empty: host candidates only)")
    joined_at: Time


class LeaveArgs(Strict):
    session_id: ArgId


Token = constr(min_length=20, max_length=100)
PcId = constr(pattern=r"^[0-9a-f]{8,64}$")


class OfferArgs(Strict):
    token: Token
    pc: PcId = Field(description="a random id of this RTCPeerConnection (hex)")
    gen: conint(ge=1, le=1_000_000) = Field(description="+1 for each negotiation of that connection")
    sdp: constr(min_length=1, max_length=60_000)


class OfferResult(Message):
    sdp: str = Field(description="the media process's answer")


class Candidate(Strict):
    candidate: constr(max_length=1000)
    sdpMid: constr(max_length=64) | None = None
    sdpMLineIndex: conint(ge=0, le=64) | None = None


class IceArgs(Strict):
    token: Token
    pc: PcId
    candidates: conlist(Candidate, max_length=50)
    end: bool = False


async def offer(actor, sitting_id, args) -> dict:
    session = await _admitted(actor, sitting_id, args.token)
    await control.call("open_room", room=sitting_id)
    answer = await control.call("offer", timeout=8.0, room=sitting_id, peer=session.peer, kind=session.kind,
                                pc=args.pc, gen=args.gen, sdp=args.sdp)
    return {"sdp": answer["sdp"]}


async def ice(actor, sitting_id, args) -> dict:
    session = await _admitted(actor, sitting_id, args.token)
    await control.call("ice", room=sitting_id, peer=session.peer, pc=args.pc,
                       candidates=[c.model_dump() for c in args.candidates], end=args.end)
    return {}


async def _admitted(actor, sitting_id, token):
    from channels.db import database_sync_to_async

    return await database_sync_to_async(services.admitted)(actor, sitting_id, token)


def _apply_changed(state, data):
    state["video"] = data


def _apply_mine(you, data):
    you["video"] = data


ERRORS = {
    "video_off": "remote video is off in this deployment (VIDEO_BACKEND=off)",
    "not_member": "only a member of the sitting (delegate or guest) joins remotely",
    "not_admitted": "the token is not an open joining of yours in this sitting: send video.join again",
    "media_unavailable": "the media process does not answer; the sitting goes on without video",
    "gen_reused": "this connection's negotiation number was used with another offer",
    "bad_offer": "the offer does not have the media sections your kind of peer sends and receives",
    "no_room": "the media process has no room for this sitting",
}


def register():
    permissions.register_action("video.join", (permissions.DELEGATE, permissions.GUEST, permissions.CHAIR,
                                               permissions.SECRETARY))
    registry.register_slice("video", video_state, Video, audiences=("staff", "delegate", "display"), order=60)
    registry.register_you("video", lambda actor, sitting: you_video(sitting.pk, actor.member_id), YouVideo,
                          audiences=("delegate",))
    registry.register_source(RemoteSession, lambda s: [s.sitting_id])
    registry.register_event("video.changed", Video, apply=_apply_changed, audiences=("staff", "delegate", "display"),
                            coalesce=lambda data: "video",
                            doc="Who is in the video room changed: state.video = data.")
    registry.register_member_event("video.mine", YouVideo, apply=_apply_mine,
                                   doc="You joined or left the video room: you.video = data.")
    registry.register_command("video.join", JoinArgs, lambda actor, sid, a: services.join(actor, sid, a.as_),
                              result=JoinResult, action="video.join")
    registry.register_command("video.leave", LeaveArgs, lambda actor, sid, a: services.leave(actor, sid, a.session_id),
                              result=NoResult, action="video.join")
    registry.register_signal("video.offer", OfferArgs, offer, result=OfferResult, action="video.join")
    registry.register_signal("video.ice", IceArgs, ice, result=NoResult, action="video.join")
    for code, meaning in ERRORS.items():
        registry.register_error(code, meaning)
    registry.register_script("video/hub-events.js")

    from meeting.services import on_closing

    on_closing(services.on_closing)
