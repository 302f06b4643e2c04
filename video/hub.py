"""The video module's parts of the hub (realtime/registry.py, docs/modules.md, docs/video.md).

State `video` (the room, who has joined, whether the hall camera is in it, the chair's overrides of
who is heard); `you.video` (this member's own joining); event `video.changed` (absolute: the whole
`video`); per-member `video.mine`. Commands `video.join` and `video.leave` (stored, exactly once:
the same id gives the same token). Signals `video.offer` and `video.ice` (realtime.registry.Signal:
answered by the media process, nothing stored, docs/decisions/0014 §3).
"""

from typing import Literal

from pydantic import Field, conint, conlist, constr

from django.utils.translation import gettext_lazy as _

from accounts import permissions
from displays import slides
from realtime import registry
from realtime.messages import Count, Id, Message, NoResult, Time, literal
from realtime.schemas import Id as ArgId
from realtime.schemas import NoArgs, Strict

from . import control, services
from .models import RemoteSession
from .state import video_state, you_video


class Room(Message):
    enabled: bool = Field(description="remote video is on in this deployment (VIDEO_BACKEND not off)")
    backend: str = Field(description="the media backend: aiortc (embedded) or janus")
    up: bool = Field(description="the media process reported this room up, and was not found gone since")
    streams: Count = Field(description="streams the media process sends (its load)")
    capacity: Count = Field(description="streams it can send within its bounds (0: unknown)")
    overloaded: bool
    reported_at: Time | None
    record: bool = Field(description="the sitting's sound is to be recorded for the minutes (the chair may switch it off)")
    recording: bool = Field(description="the media process is recording it now: every face shows it")


class Participant(Message):
    member_id: Id
    name: str
    state: literal(RemoteSession.State.values)
    joined_at: Time
    link: literal(RemoteSession.Link.values) = Field(description="the media connection, as the media process reports it")
    link_since: Time | None
    level: literal(RemoteSession.Level.values) | None = Field(description="the connection's quality (loss, round trip)")
    lost_count: Count = Field(description="how many times the connection was lost")
    rejoins: Count = Field(description="how many times the same device joined again (resumed)")


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


class PublicRoom(Message):
    enabled: bool
    recording: bool = Field(description="the sitting's sound is being recorded now")


class PublicVideo(Message):
    """What the public page sees of the video room: whether it exists and whether it records."""

    room: PublicRoom


def _shape(value, audience):
    if audience != "public":
        return value
    return {"room": {"enabled": value["room"]["enabled"], "recording": value["room"]["recording"]}}


class YouVideo(Message):
    session_id: Id | None = Field(description="your joining of the video room, if you are in it")
    joined_at: Time | None
    ended: literal(RemoteSession.Ended.values) | None = Field(
        description="when you are not in it: how your last joining ended (left, replaced, closed, kicked, timeout)")
    reason: str | None = Field(description="the chair's reason, when you were shown out")


class JoinArgs(Strict):
    as_: Literal["member", "hallcam", "display"] = Field(
        "member", alias="as",
        description=("member: yourself, remotely; hallcam: the control room's camera page (staff); "
                     "display: a hall display receiving the floor video"))


class JoinResult(Message):
    session_id: Id
    token: str = Field(description="binds this page's media signals to this joining; send it with each signal")
    peer: str = Field(description="the media process's name for you: m:<member id> or h:<user id>")
    kind: literal(RemoteSession.Kind.values)
    backend: str
    ice_servers: list[dict] = Field(description="RTCIceServer entries for RTCPeerConnection (empty: host candidates only)")
    ice_transport_policy: Literal["all", "relay"] = Field(
        description="RTCPeerConnection's iceTransportPolicy (relay: the TURN server's candidates only)")
    joined_at: Time
    resumed: bool = Field(description="the same device joined again: the same joining goes on, under this new token")


class LeaveArgs(Strict):
    session_id: ArgId


class OverrideArgs(Strict):
    member_id: ArgId
    live: bool | None = Field(description="true: microphone on, false: off, for the current turn; null: the floor decides again")
    expect_speech: ArgId | None = Field(description="the turn at the floor you saw (state.floor.speaker.id), null: nobody")


class KickArgs(Strict):
    member_id: ArgId
    reason: constr(min_length=1, max_length=500)


class RoomReport(Strict):
    up: bool
    streams: conint(ge=0, le=100_000)
    capacity: conint(ge=0, le=100_000)
    overloaded: bool
    recording: bool = False


class RoomArgs(Strict):
    record: bool = Field(description="record this sitting's sound for the minutes (on by default)")


class PeerReport(Strict):
    peer: constr(pattern=r"^[mhd]:\d{1,18}$")
    state: Literal["connecting", "connected", "lost", "ended"]
    level: Literal["good", "fair", "poor"] | None = None


class ReportArgs(Strict):
    room: RoomReport | None = None
    peers: conlist(PeerReport, max_length=500) = []


class PeerStats(Message):
    member_id: Id
    state: str
    rtt_ms: float | None
    loss_pct: float | None
    kbps_in: float | None
    kbps_out: float | None
    level: str | None


class StatsResult(Message):
    up: bool
    streams: Count
    capacity: Count
    peers: list[PeerStats] = Field(description="staff: every remote participant; a member: themself")


Token = constr(min_length=20, max_length=100)
PcId = constr(pattern=r"^[0-9a-f]{8,64}$")


class OfferArgs(Strict):
    token: Token
    pc: PcId = Field(description="a random id of this RTCPeerConnection (hex)")
    gen: conint(ge=1, le=1_000_000) = Field(description="+1 for each negotiation of that connection")
    sdp: constr(min_length=1, max_length=60_000)


class OfferResult(Message):
    sdp: str = Field(description="the media process's answer")


class SubscribeArgs(Strict):
    token: Token
    pc: PcId = Field(description="a random id of your subscriber RTCPeerConnection (hex)")
    gen: conint(ge=1, le=1_000_000) = Field(description="+1 each time you ask again (somebody started or stopped publishing)")


class Slot(Message):
    mid: str
    kind: Literal["audio", "video"]
    source: str = Field(description='"hall", "floor" or "m:<member id>"')


class SubscribeResult(Message):
    sdp: str | None = Field(description="Janus's offer for your subscriber connection (null: nothing changed)")
    slots: list[Slot] = Field(description="what each media section carries, by mid")


class AnswerArgs(Strict):
    token: Token
    pc: PcId
    gen: conint(ge=1, le=1_000_000)
    sdp: constr(min_length=1, max_length=60_000)


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


async def publish(actor, sitting_id, args) -> dict:
    """Janus: the page's offer for its publisher connection (microphone and camera)."""
    session = await _admitted(actor, sitting_id, args.token)
    await control.call("open_room", room=sitting_id)
    answer = await control.call("publish", timeout=8.0, room=sitting_id, peer=session.peer, kind=session.kind,
                                pc=args.pc, gen=args.gen, sdp=args.sdp)
    return {"sdp": answer["sdp"]}


async def subscribe(actor, sitting_id, args) -> dict:
    """Janus: its offer for the page's subscriber connection (what the page receives), and the slots."""
    session = await _admitted(actor, sitting_id, args.token)
    await control.call("open_room", room=sitting_id)
    offer = await control.call("subscribe", timeout=8.0, room=sitting_id, peer=session.peer, kind=session.kind,
                               pc=args.pc, gen=args.gen)
    return {"sdp": offer.get("sdp"), "slots": offer.get("slots") or []}


async def answer(actor, sitting_id, args) -> dict:
    session = await _admitted(actor, sitting_id, args.token)
    await control.call("answer", timeout=8.0, room=sitting_id, peer=session.peer, pc=args.pc, gen=args.gen,
                       sdp=args.sdp)
    return {}


async def ice(actor, sitting_id, args) -> dict:
    session = await _admitted(actor, sitting_id, args.token)
    await control.call("ice", room=sitting_id, peer=session.peer, pc=args.pc,
                       candidates=[c.model_dump() for c in args.candidates], end=args.end)
    return {}


async def stats(actor, sitting_id, args) -> dict:
    """The room's live numbers, read from the media process now (never stored). Its absence is
    `media_unavailable`, and marks the room down and its participants lost (services.media_lost)."""
    from asgiref.sync import sync_to_async

    from audit.operations import ServiceError

    try:
        health = await control.call("health")
        numbers = await control.call("stats", room=sitting_id)
    except ServiceError as e:
        if e.code == "media_unavailable":
            try:
                await sync_to_async(services.media_lost, thread_sensitive=False)(sitting_id)
            except ServiceError:
                pass  # the sitting is not live: nothing to mark
        raise
    peers = []
    for key, p in sorted((numbers.get("peers") or {}).items()):
        kind, _, ident = key.partition(":")
        if kind != "m" or (actor.member_id is not None and int(ident) != actor.member_id):
            continue
        if actor.member_id is None and actor.role not in (permissions.CHAIR, permissions.SECRETARY):
            continue
        peers.append({"member_id": int(ident), "state": p.get("state") or "new", "rtt_ms": p.get("rtt_ms"),
                      "loss_pct": p.get("loss_pct"), "kbps_in": p.get("kbps_in"), "kbps_out": p.get("kbps_out"),
                      "level": p.get("level")})
    return {"up": bool(health.get("up")), "streams": health.get("streams_out", 0),
            "capacity": health.get("capacity_streams", 0), "peers": peers}


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
    "no_renegotiation": "this connection is negotiated already: start a new one (a new pc id) to change it",
    "no_feeds": "(Janus) nobody publishes yet that you would receive: subscribe again when somebody does",
    "not_answered": "(Janus) the previous offer of this connection has no answer yet: answer it first",
    "bad_answer": "(Janus) the answer does not fit the offer it answers",
    "janus_refused": "(Janus) Janus refused the request (the room, the token): the media process logs why",
}


def register():
    permissions.register_action("video.join", (permissions.DELEGATE, permissions.GUEST, permissions.CHAIR,
                                               permissions.SECRETARY, permissions.DISPLAY))
    permissions.register_action("video.control", (permissions.CHAIR, permissions.SECRETARY))
    permissions.register_action("video.report", (permissions.MEDIA, permissions.SYSTEM))
    registry.register_slice("video", video_state, Video, schemas={"public": PublicVideo}, shape=_shape, order=60)
    registry.register_you("video", lambda actor, sitting: you_video(sitting.pk, actor.member_id), YouVideo,
                          audiences=("delegate",))
    registry.register_source(RemoteSession, lambda s: [s.sitting_id])
    registry.register_event("video.changed", Video, apply=_apply_changed, schemas={"public": PublicVideo}, shape=_shape,
                            coalesce=lambda data: "video",
                            doc="Who is in the video room changed: state.video = data.")
    registry.register_member_event("video.mine", YouVideo, apply=_apply_mine,
                                   doc="You joined or left the video room: you.video = data.")
    registry.register_command("video.join", JoinArgs, lambda actor, sid, a: services.join(actor, sid, a.as_),
                              result=JoinResult, action="video.join")
    registry.register_command("video.leave", LeaveArgs, lambda actor, sid, a: services.leave(actor, sid, a.session_id),
                              result=NoResult, action="video.join")
    def signal(name, args, call, result):
        # The media process away, or nobody to receive yet: the page waits and asks again.
        registry.register_signal(name, args, call, result=result, action="video.join",
                                 not_refusals=("media_unavailable", "no_feeds"))

    signal("video.offer", OfferArgs, offer, OfferResult)
    signal("video.ice", IceArgs, ice, NoResult)
    signal("video.stats", NoArgs, stats, StatsResult)
    signal("video.publish", OfferArgs, publish, OfferResult)
    signal("video.subscribe", SubscribeArgs, subscribe, SubscribeResult)
    signal("video.answer", AnswerArgs, answer, NoResult)
    registry.register_command("video.override", OverrideArgs,
                              lambda actor, sid, a: services.override(actor, sid, a.member_id, a.live, a.expect_speech),
                              result=NoResult, action="video.control")
    registry.register_command("video.room", RoomArgs, lambda actor, sid, a: services.set_room(actor, sid, a.record),
                              result=NoResult, action="video.control")
    registry.register_command("video.kick", KickArgs, lambda actor, sid, a: services.kick(actor, sid, a.member_id, a.reason),
                              result=NoResult, action="video.control")
    registry.register_command("video.report", ReportArgs,
                              lambda actor, sid, a: services.report(actor, sid, a.room and a.room.model_dump(),
                                                                    [p.model_dump() for p in a.peers]),
                              result=NoResult, action="video.report")
    for code, meaning in ERRORS.items():
        registry.register_error(code, meaning)
    registry.register_script("video/hub-events.js")
    # Every face that follows a sitting may show video (the terminal, the hall camera page, a display).
    registry.register_script("video/live.js")
    registry.register_script("video/peer.js")
    registry.register_script("video/recording.js")  # "Đang ghi âm" on every face while it runs
    slides.register("remote_speaker", _("Người phát biểu trực tuyến"), "video/slides/remote_speaker.js", order=43)

    from meeting.services import on_closing

    on_closing(services.on_closing)
