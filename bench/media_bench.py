#!/usr/bin/env python3
"""Throughput of Backdrop's media layer beside the ffmpeg tool, on the same files, in one run.

Makes 720p and 1080p H.264 clips from ../shared/media's portrait clip (scaled up; 270 frames), then
for each measures frames per second of:
  decode     Backdrop: FFmpegVideoSource to RGB     ffmpeg: -i clip -pix_fmt rgb24 -f rawvideo /dev/null
  transcode  Backdrop: source -> RGB -> VideoFileSink (H.264 veryfast crf 23, Matroska)
             ffmpeg:   the same chain (-vf format=rgb24 -c:v libx264 -preset veryfast -crf 23 -f matroska)
  encode     Backdrop only: VideoFileSink from RGB frames already in memory.
Run through scripts/media-bench.sh.
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("BACKDROP_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
# The shared closeup when it is there (the recorded figures used it); else the talking head set-up makes.
CLIP = next(path for path in [os.path.join(SHARED, "media", "portrait-closeup-436x384-25fps.mp4"),
                              os.path.join(ROOT, ".cache", "talking-head-352x288-25fps.mp4")]
            if os.path.exists(path) or path.endswith("talking-head-352x288-25fps.mp4"))


def ffmpeg(*arguments):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *arguments], check=True)


def timed_ffmpeg(*arguments):
    started = time.perf_counter()
    ffmpeg(*arguments)
    return time.perf_counter() - started


def frame_count(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_frames", "-of", "csv=p=0", path], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def main():
    cache = os.path.join(ROOT, ".cache")
    rows = []
    for label, size in [("720p", "1280:720"), ("1080p", "1920:1080")]:
        clip = os.path.join(cache, f"media-bench-{label}.mp4")
        if not os.path.exists(clip):
            ffmpeg("-i", CLIP, "-vf", f"scale={size}", "-c:v", "libx264", "-preset", "medium", "-crf", "20", clip)
        frames = frame_count(clip)
        backdrop = json.loads(subprocess.run([os.path.join(ROOT, ".build/release/backdrop-bench"), "media-speed",
                                              "--input", clip], check=True, capture_output=True, text=True).stdout)
        decode = frames / timed_ffmpeg("-i", clip, "-pix_fmt", "rgb24", "-f", "rawvideo", "/dev/null")
        transcode = frames / timed_ffmpeg("-i", clip, "-vf", "format=rgb24", "-c:v", "libx264", "-preset", "veryfast",
                                          "-crf", "23", "-pix_fmt", "yuv420p", "-f", "matroska", "/dev/null")
        rows.append((label, frames, backdrop, decode, transcode))

    print("frames per second (higher is better); same file, same machine, one run")
    print(f"{'clip':6} {'frames':>6}  {'decode: Backdrop':>16} {'ffmpeg':>7} {'ratio':>5}  "
          f"{'transcode: Backdrop':>19} {'ffmpeg':>7} {'ratio':>5}  {'encode: Backdrop':>16}")
    for label, frames, backdrop, decode, transcode in rows:
        print(f"{label:6} {frames:6d}  {backdrop['decode_fps']:16.1f} {decode:7.1f} {backdrop['decode_fps'] / decode:5.2f}  "
              f"{backdrop['transcode_fps']:19.1f} {transcode:7.1f} {backdrop['transcode_fps'] / transcode:5.2f}  "
              f"{backdrop['encode_fps']:16.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
