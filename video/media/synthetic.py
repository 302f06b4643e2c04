"""Peers made of code, for the tests and `bench/video_relay.py`: a tone, stamped video, a level meter.

`StampedVideoTrack` draws its frame number and `time.monotonic_ns()` as a barcode of 16×16 luma
blocks, black or white, which survives VP8: row 0 alternates white and black (the calibration: it
gives the threshold), then 32 bits of the number, 64 bits of the time and an 8-bit check, row by row
from the top left. `read_stamp` reads them back from a decoded frame, or says None.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections import deque
from typing import Any

import av
import numpy as np
from aiortc import RTCIceServer, RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .aiortc_backend import peer_configuration

RATE = 48000
SAMPLES = 960                 # 20 ms
BLOCK = 16
BITS = 32 + 64 + 8            # number, time, check


class ToneTrack(MediaStreamTrack):
    """A sine at `freq` Hz, s16 mono 48 kHz, in 20 ms frames paced by the clock."""

    kind = "audio"

    def __init__(self, freq: float = 440, amplitude: int = 8000) -> None:
        super().__init__()
        self.freq = freq
        self.amplitude = amplitude
        self._n = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._start + self._n * SAMPLES / RATE - time.monotonic()))
        t = (np.arange(SAMPLES) + self._n * SAMPLES) / RATE
        samples = (self.amplitude * np.sin(2 * math.pi * self.freq * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._n * SAMPLES
        frame.time_base = fractions.Fraction(1, RATE)
        self._n += 1
        return frame


def _check(n: int, t_ns: int) -> int:
    return (sum(n.to_bytes(4, "big")) + sum(t_ns.to_bytes(8, "big")) ^ 0xA5) & 0xFF


class StampedVideoTrack(MediaStreamTrack):
    """Grey frames carrying their number and `time.monotonic_ns()` as a barcode; `sent[n]` is the time of frame n."""

    kind = "video"

    def __init__(self, width: int = 640, height: int = 360, fps: float = 15) -> None:
        super().__init__()
        columns = width // BLOCK
        if (1 + math.ceil(BITS / columns)) * BLOCK > height:
            raise ValueError(f"{width}×{height} is too small for the barcode")
        self.width, self.height, self.fps = width, height, fps
        self.sent: dict[int, int] = {}
        self._n = 0
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._start + self._n / self.fps - time.monotonic()))
        n, t_ns = self._n, time.monotonic_ns()
        frame = av.VideoFrame.from_ndarray(_draw(self.width, self.height, n, t_ns), format="yuv420p")
        frame.pts = int(self._n * 90000 / self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self.sent[n] = t_ns
        self.sent.pop(n - 2000, None)
        self._n += 1
        return frame


def _bits(n: int, t_ns: int) -> list[int]:
    value = (n << 72) | (t_ns << 8) | _check(n, t_ns)
    return [(value >> (BITS - 1 - i)) & 1 for i in range(BITS)]


def _draw(width: int, height: int, n: int, t_ns: int) -> np.ndarray:
    image = np.full((height * 3 // 2, width), 128, dtype=np.uint8)   # yuv420p: Y, then U and V at 128
    luma = image[:height]
    columns = width // BLOCK
    for column in range(columns):
        luma[:BLOCK, column * BLOCK:(column + 1) * BLOCK] = 235 if column % 2 == 0 else 16
    for i, bit in enumerate(_bits(n, t_ns)):
        row, column = 1 + i // columns, i % columns
        luma[row * BLOCK:(row + 1) * BLOCK, column * BLOCK:(column + 1) * BLOCK] = 235 if bit else 16
    return image


def read_stamp(frame: av.VideoFrame) -> tuple[int, int] | None:
    """(frame number, monotonic_ns when drawn) from a decoded frame, or None if it carries no stamp.

    Reads the luma plane as it is (no conversion of the frame) and takes every block's mean at once:
    the bench reads some 150 frames a second in the clients' one process, where this was a tenth."""
    columns = frame.width // BLOCK
    rows = 1 + math.ceil(BITS / columns)
    if columns < 2 or rows * BLOCK > frame.height:
        return None
    if frame.format.name in ("yuv420p", "yuvj420p", "gray"):
        plane = frame.planes[0]
        luma = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:rows * BLOCK, :columns * BLOCK]
    else:
        luma = frame.to_ndarray(format="gray")[:rows * BLOCK, :columns * BLOCK]
    # The middle 8 × 8 pixels of each 16 × 16 block, averaged: a (rows, columns) grid.
    means = luma.reshape(rows, BLOCK, columns, BLOCK)[:, 4:12, :, 4:12].mean(axis=(1, 3))
    whites, blacks = means[0, 0::2], means[0, 1::2]
    if whites.min() - blacks.max() < 40:
        return None
    threshold = (whites.min() + blacks.max()) / 2
    bits = (means[1:].reshape(-1)[:BITS] > threshold)
    value = 0
    for bit in bits.tolist():
        value = (value << 1) | bit
    n, t_ns, check = value >> 72, (value >> 8) & ((1 << 64) - 1), value & 0xFF
    return (n, t_ns) if check == _check(n, t_ns) else None


class Level:
    """Consumes a received audio track and keeps the RMS of its recent frames."""

    def __init__(self, track: MediaStreamTrack, keep: int = 250) -> None:
        self.frames = 0
        self._values: deque[float] = deque(maxlen=keep)
        self._task = asyncio.ensure_future(self._run(track))

    async def _run(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                samples = frame.to_ndarray().astype(np.float64)
                self._values.append(float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0)
                self.frames += 1
        except MediaStreamError:
            pass

    def rms(self, window: int = 10) -> float:
        """The RMS over the last `window` frames (20 ms each from Opus), 0 before any."""
        recent = list(self._values)[-window:]
        return math.sqrt(sum(v * v for v in recent) / len(recent)) if recent else 0.0

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


LAYOUTS = {
    "member": (("audio", "sendrecv"), ("video", "sendrecv"), ("video", "recvonly")),
    "hallcam": (("audio", "sendrecv"), ("video", "sendonly")),
    "display": (("video", "recvonly"),),
}


async def make_peer(kind: str, *, audio: MediaStreamTrack | None = None, video: MediaStreamTrack | None = None,
                    ice_servers: list[dict[str, Any]] | None = None,
                    video_codec: str | None = None) -> tuple[RTCPeerConnection, str]:
    """An aiortc peer of `kind` (member, hallcam, display) with its transceivers in the slot order and
    `audio`/`video` on the ones it sends; returns it and its offer (ICE gathered, in the SDP).

    After `pc.setRemoteDescription(answer)`, `pc.getTransceivers()[i].receiver.track` is slot i's
    received track (member: the mix, the hall video, the floor video; hallcam: the mix; display: the floor).
    `video_codec` (e.g. "video/H264"): offered first on every video m-line, as some browsers do."""
    pc = RTCPeerConnection(peer_configuration([RTCIceServer(**s) for s in ice_servers or []]))
    for media, direction in LAYOUTS[kind]:
        source = audio if media == "audio" else video
        transceiver = pc.addTransceiver(source if source is not None and direction != "recvonly" else media,
                                        direction=direction)
        if media == "video" and video_codec is not None:
            codecs = RTCRtpSender.getCapabilities("video").codecs
            transceiver.setCodecPreferences(sorted(codecs, key=lambda c: c.mimeType.lower() != video_codec.lower()))
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp
