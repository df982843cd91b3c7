#!/usr/bin/env python3
"""Per-frame cost of MediaPipe from Backdrop (Swift, C API) and from MediaPipe's Python API, same run.

Both sides feed the same 1280x720 frame in VIDEO mode to: the segmenter with confidence masks,
the segmenter with a category mask only, and the face landmarker. Prints wall and CPU
milliseconds per frame and the ratio Backdrop / Python. Run through scripts/bench.sh.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import mediapipe as mp
from mediapipe.tasks.python import vision
from mediapipe.tasks.python.core.base_options import BaseOptions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_frame(path):
    """The astronaut photo scaled to 720 px high, centred on a 1280x720 gray canvas."""
    if os.path.exists(path):
        return
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", os.path.join(ROOT, ".cache/astronaut.png"),
                    "-vf", "scale=720:720,pad=1280:720:280:0:gray", "-pix_fmt", "rgb24", path], check=True)


def python_figures(frame_path, frames, warmup, models):
    image = mp.Image.create_from_file(frame_path)
    tasks = {
        "segmenter": lambda: vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_path=os.path.join(models, "selfie_segmenter.tflite")),
            running_mode=vision.RunningMode.VIDEO, output_confidence_masks=True, output_category_mask=False)),
        "segmenter+category": lambda: vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_path=os.path.join(models, "selfie_segmenter.tflite")),
            running_mode=vision.RunningMode.VIDEO, output_confidence_masks=False, output_category_mask=True)),
        "face-landmarker": lambda: vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=os.path.join(models, "face_landmarker.task")),
            running_mode=vision.RunningMode.VIDEO)),
    }
    figures = {}
    for name, create in tasks.items():
        task = create()
        run = task.segment_for_video if name.startswith("segmenter") else task.detect_for_video
        timestamp = 0
        for _ in range(warmup):
            timestamp += 33
            run(image, timestamp)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(frames):
            timestamp += 33
            result = run(image, timestamp)
            if name.startswith("segmenter"):  # the app copies the mask out, as Backdrop does
                mask = (result.confidence_masks or [result.category_mask])[0]
                mask.numpy_view().copy()
        figures[name] = {"wall_ms": (time.perf_counter() - wall) * 1e3 / frames,
                         "cpu_ms": (time.process_time() - cpu) * 1e3 / frames}
        task.close()
    return figures


def backdrop_figures(frame_path, frames, warmup):
    binary = os.path.join(ROOT, ".build/release/backdrop-bench")
    out = subprocess.run([binary, "speed", "--image", frame_path, "--frames", str(frames), "--warmup", str(warmup)],
                         check=True, capture_output=True, text=True).stdout
    return {row["task"]: row for row in map(json.loads, filter(None, out.splitlines()))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    frame = os.path.join(ROOT, ".cache/bench-1280x720.png")
    make_frame(frame)
    models = os.path.join(ROOT, "models")

    swift = backdrop_figures(frame, args.frames, args.warmup)
    python = python_figures(frame, args.frames, args.warmup, models)

    print(f"1280x720, VIDEO mode, {args.frames} frames after {args.warmup} warm-up, one process each; ms per frame")
    print(f"{'task':20} {'Backdrop wall':>13} {'Python wall':>12} {'ratio':>6}   {'Backdrop CPU':>12} {'Python CPU':>11} {'ratio':>6}")
    for name in ["segmenter", "segmenter+category", "face-landmarker"]:
        s, p = swift[name], python[name]
        print(f"{name:20} {s['wall_ms']:13.2f} {p['wall_ms']:12.2f} {s['wall_ms'] / p['wall_ms']:6.2f}   "
              f"{s['cpu_ms']:12.2f} {p['cpu_ms']:11.2f} {s['cpu_ms'] / p['cpu_ms']:6.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
