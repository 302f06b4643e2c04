"""What the media tests share: waiting for behaviour, never for a time; reading received video and a
recording back."""

import asyncio

import numpy as np

RATE = 48000


async def until(condition, what, timeout=20.0):
    """Wait until `condition()` holds; fail naming `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)


class Frames:
    """Reads a received video track: how many frames, and the stamp of the latest that carried one."""

    def __init__(self, track) -> None:
        self.stamp = None
        self.count = 0
        self._task = asyncio.ensure_future(self._run(track))

    async def _run(self, track):
        from aiortc.mediastreams import MediaStreamError

        from video.media.synthetic import read_stamp

        try:
            while True:
                frame = await track.recv()
                self.count += 1
                self.stamp = read_stamp(frame) or self.stamp
        except MediaStreamError:
            pass

    def from_(self, camera) -> bool:
        """Whether the latest stamped frame is one `camera` (a StampedVideoTrack) sent."""
        return self.stamp is not None and camera.sent.get(self.stamp[0]) == self.stamp[1]

    async def stop(self):
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


def read_ogg(path) -> np.ndarray:
    """A recording's samples, decoded as floats in [-1, 1] (mono 48 kHz)."""
    import av

    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().astype(np.float64).reshape(-1) for f in container.decode(audio=0)])


def strength(samples: np.ndarray, freq: float) -> float:
    """The amplitude of `freq` Hz in `samples` (its FFT bin, per sample)."""
    spectrum = np.abs(np.fft.rfft(samples))
    return spectrum[int(freq * len(samples) / RATE)] / len(samples)
