"""The test and bench peers' own promises (video/media/synthetic.py): the stamp survives VP8, a tone is loud."""

import av
import numpy as np

from video.media.synthetic import StampedVideoTrack, ToneTrack, read_stamp


async def test_the_stamp_survives_vp8_at_a_low_bitrate():
    camera = StampedVideoTrack(640, 360, fps=15)
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 640, 360, "yuv420p"
    encoder.bit_rate = 250_000                     # aiortc's VP8 floor is lower, its start higher
    encoder.options = {"deadline": "realtime", "cpu-used": "-6", "lag-in-frames": "0"}
    decoder = av.CodecContext.create("vp8", "r")
    read = []
    for _ in range(8):
        frame = await camera.recv()
        for packet in encoder.encode(frame):
            for decoded in decoder.decode(packet):
                read.append(read_stamp(decoded))
    assert len(read) >= 6
    assert all(stamp is not None and camera.sent[stamp[0]] == stamp[1] for stamp in read)
    camera.stop()


def test_a_frame_without_a_stamp_reads_as_none():
    grey = np.full((360 * 3 // 2, 640), 128, dtype=np.uint8)
    assert read_stamp(av.VideoFrame.from_ndarray(grey, format="yuv420p")) is None


async def test_a_tone_is_s16_mono_48k_in_20_ms_frames():
    tone = ToneTrack(440, amplitude=8000)
    frame = await tone.recv()
    samples = frame.to_ndarray().reshape(-1).astype(np.float64)
    assert (frame.format.name, frame.layout.name, frame.sample_rate, frame.samples) == ("s16", "mono", 48000, 960)
    assert 5000 < np.sqrt(np.mean(samples * samples)) < 6000            # 8000 / √2
    tone.stop()
