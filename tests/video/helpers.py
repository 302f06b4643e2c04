"""What the media tests share: waiting for behaviour, never for a time; reading a recording back."""

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


def read_ogg(path) -> np.ndarray:
    """A recording's samples, decoded as floats in [-1, 1] (mono 48 kHz)."""
    import av

    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray().astype(np.float64).reshape(-1) for f in container.decode(audio=0)])


def strength(samples: np.ndarray, freq: float) -> float:
    """The amplitude of `freq` Hz in `samples` (its FFT bin, per sample)."""
    spectrum = np.abs(np.fft.rfft(samples))
    return spectrum[int(freq * len(samples) / RATE)] / len(samples)
