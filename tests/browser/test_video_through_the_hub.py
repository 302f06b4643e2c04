"""A remote delegate heard in the hall only while holding the floor, end to end (issue 15):
aiortc peers join through the hub's own signals (a real Daphne, real WebSockets) into the media
process (`manage.py video_server`, its own process), which follows the floor over the hub.

The remote delegate sends a tone; the control room's hall camera page (an aiortc peer here, the
browser in test_video_browser.py) measures what reaches the hall. The media process decides: the
delegate's browser keeps sending throughout. Then the faults, in turn: the hub's worker restarts
(media flows on, and the media process follows the floor again); the delegate's network is cut
("connection lost", still present; after the grace the joining ends, attendance untouched); the
media process dies (the video goes with it and nothing else: signals say `media_unavailable`).
"""

import asyncio
import concurrent.futures
import json
import secrets
import time

import pytest

from tests.browser.video import check_recordings, media_process

QUIET = 30.0     # RMS of a silent mix (Opus of zeros is ~0)
HEARD = 500.0    # the tone is sent at amplitude 8000 (RMS ~5600)


class AsyncHub:
    """A small asyncio client of the hub: commands and signals by id; events are read and dropped."""

    def __init__(self, ws):
        self.ws = ws
        self.replies: dict[str, asyncio.Future] = {}
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, server, username, sitting_id):
        import websockets

        session = await asyncio.to_thread(server.session_for, username)
        url = server.url.replace("http://", "ws://") + f"/ws/sitting/{sitting_id}/"
        ws = await websockets.connect(url, origin=server.url, additional_headers={"Cookie": f"sessionid={session}"},
                                      max_size=2**24)
        return cls(ws)

    async def _read(self):
        async for frame in self.ws:
            msg = json.loads(frame)
            future = self.replies.pop(msg.get("in_response"), None)
            if future is not None and not future.done():
                future.set_result(msg)

    async def send(self, cmd, args=None, timeout=20):
        cid = secrets.token_hex(6)
        future = self.replies[cid] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"id": cid, "cmd": cmd, "args": args or {}}))
        return await asyncio.wait_for(future, timeout)

    async def ok(self, cmd, args=None):
        reply = await self.send(cmd, args)
        assert reply["ok"], (cmd, reply)
        return reply["data"]

    async def close(self):
        self.reader.cancel()
        await self.ws.close()


async def joined_peer(hub, kind, audio=None, video=None):
    from aiortc import RTCSessionDescription

    from video.media.synthetic import make_peer

    join = await hub.ok("video.join", {"as": "hallcam"} if kind == "hallcam" else {})
    pc, offer = await make_peer(kind, audio=audio, video=video)
    answer = await hub.ok("video.offer", {"token": join["token"], "pc": secrets.token_hex(8), "gen": 1, "sdp": offer})
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    return join, pc


def participants(server, sitting_id):
    return [tuple(p) for p in server.shell(
        "from video.models import RemoteSession\nresult = list(RemoteSession.objects.filter("
        f"sitting_id={sitting_id}, kind='member').order_by('pk').values_list('state', 'link'))")]


def attendance(server, member_id):
    return server.shell("from meeting.models import Attendance\nresult = list(Attendance.objects.filter("
                        f"member_id={member_id}).order_by('-pk').values_list('status', 'method')[0])")


async def until(check, timeout=20.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(step)
    return False


def test_the_remote_voice_reaches_the_hall_only_while_its_delegate_has_the_floor(daphne_server, fresh_sitting):
    s = fresh_sitting()
    member = daphne_server.shell("from meeting.models import Member\nresult = Member.objects.get(code='DB010').pk")
    with media_process(daphne_server, VIDEO_GRACE_SECONDS="6") as videod:
        # In a thread of its own: the browser tests' Playwright may hold this thread's event loop.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _scenario(daphne_server, s["id"], member, videod)).result()


async def _scenario(server, sitting_id, member_id, videod):
    from video.media.synthetic import Level, ToneTrack

    chair = await AsyncHub.open(server, "db001", sitting_id)
    await chair.ok("sitting.open")
    await chair.ok("agenda.next", {"expect_current": None})
    alice = await AsyncHub.open(server, "db010", sitting_id)
    desk = await AsyncHub.open(server, "thuky", sitting_id)
    pcs = []
    try:
        _, hall_pc = await joined_peer(desk, "hallcam", audio=ToneTrack(freq=220, amplitude=3000))
        pcs.append(hall_pc)
        hall = Level(hall_pc.getTransceivers()[0].receiver.track)
        joined, alice_pc = await joined_peer(alice, "member", audio=ToneTrack(freq=440, amplitude=8000))
        pcs.append(alice_pc)
        alice_hears = Level(alice_pc.getTransceivers()[0].receiver.track)
        assert await until(lambda: hall.frames > 50 and alice_hears.frames > 50), "no media flowed"

        # Connected, sending all along, not given the floor: nothing of it reaches the hall.
        await asyncio.sleep(1.5)
        assert hall.rms(50) < QUIET
        assert await until(lambda: alice_hears.rms(10) > HEARD)  # she hears the hall from the start

        speech = await chair.ok("floor.give", {"member_id": member_id, "kind": "speech", "expect_current": None})
        assert await until(lambda: hall.rms(10) > HEARD), "given the floor, the remote voice never reached the hall"

        await chair.ok("floor.stop", {"speech_id": speech["speech_id"]})
        assert await until(lambda: hall.rms(10) < QUIET), "the floor taken back, the remote voice still reached the hall"
        await asyncio.sleep(1.0)
        assert hall.rms(50) < QUIET

        # The hub's worker restarts: media flows on (it never passed through it), and the media
        # process follows the floor again once the hub is back.
        for hub in (chair, alice, desk):
            await hub.close()
        frames = hall.frames
        await asyncio.to_thread(server.stop)
        await asyncio.to_thread(server.start)
        assert await until(lambda: hall.frames > frames + 50), "media stopped with the hub's worker"
        chair = await AsyncHub.open(server, "db001", sitting_id)
        alice = await AsyncHub.open(server, "db010", sitting_id)
        desk = await AsyncHub.open(server, "thuky", sitting_id)
        speech = await chair.ok("floor.give", {"member_id": member_id, "kind": "speech", "expect_current": None})
        assert await until(lambda: hall.rms(10) > HEARD), "after the worker's restart, the floor no longer opened her voice"
        await chair.ok("floor.stop", {"speech_id": speech["speech_id"]})
        assert await until(lambda: hall.rms(10) < QUIET)

        # Her network is cut (no goodbye): "connection lost", still present; after the grace (6 s
        # here) the joining ends, and attendance is as it was.
        await alice_pc.close()
        pcs.remove(alice_pc)
        assert await until(lambda: participants(server, sitting_id) == [("joined", "lost")], timeout=30), \
            participants(server, sitting_id)
        assert await until(lambda: participants(server, sitting_id) == [("left", "lost")], timeout=30), \
            participants(server, sitting_id)
        assert attendance(server, member_id) == ["present", "remote"]

        # The media process dies: the sitting goes on, and the video says why it is gone.
        joined = await alice.ok("video.join", {})
        videod.terminate()
        videod.wait(timeout=10)
        reply = await alice.send("video.offer", {"token": joined["token"], "pc": secrets.token_hex(8), "gen": 1,
                                                 "sdp": hall_pc.localDescription.sdp})
        assert reply["ok"] is False and reply["error"]["code"] == "media_unavailable"
        assert (await alice.send("attendance.check_in"))["ok"]

        # What it recorded of the sitting's sound (the hall camera joined: recording on by default)
        # went into the documents storage when it stopped, and the minutes place each speech in it.
        await asyncio.to_thread(check_recordings, server, sitting_id)
        await hall.stop()
        await alice_hears.stop()
    finally:
        for pc in pcs:
            await pc.close()
        for hub in (chair, alice, desk):
            await hub.close()
