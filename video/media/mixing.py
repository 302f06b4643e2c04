"""The room's sound, shared by both backends: jitter buffers, the 20 ms clock that mixes, the recorder.

Every source (``h:<id>``, ``m:<id>``) has a `JitterBuffer` of decoded samples (s16 mono 48 kHz) in
`Mixer.voices`; the mixer's clock takes each source's next 20 ms (960 samples) once per period,
heard or not, sums those for which `is_live(key)` holds, and hands `(number, total, heard)` to
whoever awaits `next_tick()`. `AiortcBackend` feeds it from the peers' own connections and sends
each receiver the total less its own voice; `JanusBackend` feeds it, while recording only, from
subscriber connections of its own to Janus (`video.media.janus_recording`). `Recorder` writes the
total of every tick to Ogg/Opus.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .link import MediaError

RATE = 48000
PERIOD = 0.020                       # one audio frame
SAMPLES = int(RATE * PERIOD)         # 960
AUDIO_TIME_BASE = fractions.Fraction(1, RATE)
JITTER_MAX = 6 * SAMPLES             # a source buffers at most 120 ms; older samples are dropped
JITTER_START = 2 * SAMPLES           # and starts (or restarts after running dry) with 40 ms in hand


class JitterBuffer:
    """A source's decoded samples (s16 mono 48 kHz) waiting for the room's clock."""

    def __init__(self) -> None:
        self._samples = np.zeros(0, dtype=np.int16)
        self._started = False

    def push(self, samples: np.ndarray) -> None:
        self._samples = np.concatenate((self._samples, samples))[-JITTER_MAX:]

    def pop(self) -> np.ndarray | None:
        """The next 960 samples, or None (silence) while filling up."""
        if not self._started and len(self._samples) < JITTER_START:
            return None
        if len(self._samples) < SAMPLES:
            self._started = False       # ran dry: wait for a margin again
            return None
        self._started = True
        chunk, self._samples = self._samples[:SAMPLES], self._samples[SAMPLES:]
        return chunk


class Mixer:
    """The sources of a room and its clock: every 20 ms the live ones are summed (`next_tick`)."""

    def __init__(self, is_live: Callable[[str], bool]) -> None:
        self.is_live = is_live
        self.voices: dict[str, JitterBuffer] = {}
        self._tick: asyncio.Future = asyncio.get_running_loop().create_future()
        self._task = asyncio.ensure_future(self._clock())

    async def _clock(self) -> None:
        """Every 20 ms: each source's next samples are taken (heard or not), the live ones summed."""
        loop = asyncio.get_running_loop()
        start, number = loop.time(), 0
        while True:
            number += 1
            delay = start + number * PERIOD - loop.time()
            if delay < -5 * PERIOD:           # the loop stalled: carry on from now rather than rush to catch up
                start, delay = start - delay, 0.0
            await asyncio.sleep(max(0.0, delay))
            heard: dict[str, np.ndarray] = {}
            for key, buffer in list(self.voices.items()):
                chunk = buffer.pop()
                if chunk is not None and self.is_live(key):
                    heard[key] = chunk.astype(np.int32)
            total = np.sum(list(heard.values()), axis=0, dtype=np.int32) if heard else np.zeros(SAMPLES, np.int32)
            tick, self._tick = self._tick, loop.create_future()
            tick.set_result((number, total, heard))

    async def next_tick(self) -> tuple[int, np.ndarray, dict[str, np.ndarray]]:
        return await asyncio.shield(self._tick)

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        if not self._tick.done():
            self._tick.cancel()


async def listen(mixer: Mixer, key: str, track: MediaStreamTrack, counted: Callable[[], None] | None = None) -> None:
    """Decode a received audio track into the source `key`'s buffer for as long as it lasts (or
    until cancelled); `counted()` after every frame. A later reader of the same key takes its place."""
    buffer = mixer.voices[key] = JitterBuffer()
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    try:
        while True:
            frame = await track.recv()
            if counted is not None:
                counted()
            for out in resampler.resample(frame):
                buffer.push(out.to_ndarray().reshape(-1))
    except MediaStreamError:
        pass
    finally:
        if mixer.voices.get(key) is buffer:
            del mixer.voices[key]


def recording_path(args: dict[str, Any]) -> str:
    """record_start's `path`, as both backends take it: a new .ogg file to write."""
    path = args.get("path")
    if not isinstance(path, str) or not path.endswith(".ogg"):
        raise MediaError("bad_request", "path: an .ogg file to write")
    return path


class Recorder:
    """The sitting's sound to a file (Ogg/Opus, mono 48 kHz): each tick of the room's clock, the sum
    of every live voice and the hall camera's sound — what the hall and the remote participants
    hear together. Times are wall-clock (time.time()) so the minutes can place each speech in it.

    `clock` is anything with `next_tick()` (a `Mixer`, or a room that has one)."""

    def __init__(self, clock: Any, path: str) -> None:
        self.path = path
        self.container = av.open(path, mode="w", format="ogg")
        self.stream = self.container.add_stream("libopus", rate=RATE, layout="mono")
        self.samples = 0
        self.started_at: float | None = None
        self.task = asyncio.ensure_future(self._run(clock))

    async def _run(self, clock: Any) -> None:
        try:
            while True:
                _number, total, _heard = await clock.next_tick()
                if self.started_at is None:
                    self.started_at = time.time() - PERIOD
                frame = av.AudioFrame.from_ndarray(np.clip(total, -32768, 32767).astype(np.int16).reshape(1, -1),
                                                   format="s16", layout="mono")
                frame.sample_rate = RATE
                frame.pts = self.samples
                frame.time_base = AUDIO_TIME_BASE
                self.samples += SAMPLES
                for packet in self.stream.encode(frame):
                    self.container.mux(packet)
        except asyncio.CancelledError:
            pass

    async def stop(self) -> dict[str, Any]:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()
        started = self.started_at or time.time()
        return {"path": self.path, "started_at": started, "ended_at": started + self.samples / RATE,
                "seconds": self.samples / RATE}
