"""Raw frames in and out of FFmpeg, one frame at a time (a 120-frame 720p clip held whole as floats
is 1.3 GB; streaming keeps the benchmark at a few frames of memory)."""
import subprocess

import numpy as np

CHANNELS = {"bgr24": 3, "gray": 1}


def frames(path, width, height, pix_fmt="bgr24", limit=None):
    """Yields the frames of `path` as uint8 arrays (height x width [x 3]), at most `limit` of them."""
    channels = CHANNELS[pix_fmt]
    shape = (height, width, channels) if channels > 1 else (height, width)
    size = width * height * channels
    decoder = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "rawvideo",
                                "-pix_fmt", pix_fmt, "-"], stdout=subprocess.PIPE)
    count = 0
    try:
        while limit is None or count < limit:
            data = decoder.stdout.read(size)
            if len(data) < size:
                break
            yield np.frombuffer(data, np.uint8).reshape(shape)
            count += 1
    finally:
        decoder.stdout.close()
        if decoder.poll() is None:
            decoder.kill()
        decoder.wait()


def frame_at(path, width, height, index, pix_fmt="bgr24"):
    """Frame `index` of `path` (decoded from the start: exact for any codec)."""
    for number, frame in enumerate(frames(path, width, height, pix_fmt, limit=index + 1)):
        if number == index:
            return frame.copy()
    raise ValueError(f"{path} has no frame {index}")


class LosslessWriter:
    """Writes BGR frames to an FFV1 Matroska file (lossless, so a score never measures the codec)."""

    def __init__(self, path, width, height, fps):
        self.encoder = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "rawvideo",
                                         "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", str(fps),
                                         "-i", "-", "-c:v", "ffv1", path], stdin=subprocess.PIPE)

    def write(self, frame):
        self.encoder.stdin.write(np.ascontiguousarray(frame, np.uint8).tobytes())

    def close(self):
        self.encoder.stdin.close()
        if self.encoder.wait() != 0:
            raise RuntimeError("ffmpeg failed writing a clip")
