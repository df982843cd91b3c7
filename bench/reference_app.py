#!/usr/bin/env python3
"""The reference: a Python + MediaPipe background app written the way the one Backdrop replaces was.

That app leaked 50 to 200 MB an hour and could not keep up. This is its structure with the fixes
that were published for it applied, so the comparison is with the best version of it, not a straw
man:

- a capture thread reads frames with OpenCV (cv2.VideoCapture) into a queue.Queue(maxsize=2);
  when the queue is full the new frame is skipped and counted (frame skipping);
- a processing loop, capped at 60 FPS (sleeps when early), runs MediaPipe Tasks on every frame it
  takes: ImageSegmenter with a category mask and FaceLandmarker, both in VIDEO mode;
- the mask is copied out of `numpy_view()` (the view dies with the result: fix #1);
- gc.set_threshold(700, 10, 10) and gc.collect() every 60 frames (fixes #2 and #3);
- optional background blur: cv2.GaussianBlur of the frame, composited by the mask;
- no display (like Backdrop with --no-output: the numbers are about processing).

Modes:
  live (default)  the capture thread reads at the clip's own frame rate, like a camera, and
                  skips frames when processing falls behind: latency is capture-to-result.
  --offline       no skipping (blocking put), no FPS cap: every frame is processed, as fast as
                  possible: throughput.
  --loop-frames N read the clip again and again until N frames were read (soak runs).

Prints "reference: ready" on stderr once both models are loaded, then one JSON object on stdout:
frames read/processed/skipped, seconds (first capture to last result), fps, p50/p99 per-frame
latency in ms (capture to result), CPU seconds per processed frame (time.process_time over the
processing window, all threads) and that CPU time over the window in percent (above 100: more
than one core busy), peak RSS (VmHWM) in MB. bench/reference_best.py shares this file's capture
thread, command line and summary.
"""
import argparse
import gc
import json
import os
import queue
import sys
import threading
import time

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import vision
from mediapipe.tasks.python.core.base_options import BaseOptions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vm_hwm_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Capture(threading.Thread):
    """Reads frames into a bounded queue; live: paced at the clip's rate, skipping when full."""

    def __init__(self, path, frames_queue, offline, loop_frames):
        super().__init__(daemon=True, name="capture")
        self.path = path
        self.queue = frames_queue
        self.offline = offline
        self.loop_frames = loop_frames
        self.read = 0
        self.skipped = 0
        self.fps = 0.0

    def run(self):
        capture = cv2.VideoCapture(self.path)
        self.fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        interval = 1.0 / self.fps
        started = time.perf_counter()
        while True:
            if self.loop_frames and self.read >= self.loop_frames:
                break
            ok, frame = capture.read()
            if not ok:
                if not self.loop_frames:
                    break
                capture.release()  # the clip ended: open it again (a camera app would reconnect)
                capture = cv2.VideoCapture(self.path)
                continue
            if not self.offline:
                due = started + self.read * interval  # a camera delivers frame N at N / fps
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            captured = time.perf_counter()
            index = self.read
            self.read += 1
            if self.offline:
                self.queue.put((index, captured, frame))
            else:
                try:
                    self.queue.put_nowait((index, captured, frame))
                except queue.Full:
                    self.skipped += 1
        capture.release()
        self.queue.put(None)


def parse_arguments(description):
    """The command line both reference apps take (bench/reference_best.py imports it)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="video file")
    parser.add_argument("--offline", action="store_true", help="every frame, as fast as possible (no skipping, no FPS cap)")
    parser.add_argument("--effect", choices=["none", "blur"], default="blur")
    parser.add_argument("--blur-kernel", type=int, default=33, help="GaussianBlur kernel size (odd)")
    parser.add_argument("--loop-frames", type=int, default=0, help="read the clip repeatedly until this many frames were read")
    parser.add_argument("--max-fps", type=float, default=60.0, help="processing cap (live mode)")
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    return parser.parse_args()


def create_segmenter(models, confidence_masks):
    """VIDEO-mode ImageSegmenter with either the confidence mask or the category mask."""
    return vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
        base_options=BaseOptions(model_asset_path=os.path.join(models, "selfie_segmenter.tflite")),
        running_mode=vision.RunningMode.VIDEO, output_confidence_masks=confidence_masks,
        output_category_mask=not confidence_masks))


def create_landmarker(models):
    """VIDEO-mode FaceLandmarker, one face (Backdrop's default too)."""
    return vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=os.path.join(models, "face_landmarker.task")),
        running_mode=vision.RunningMode.VIDEO, num_faces=1))


def landmark_arrays(detection):
    """The face landmarks as one float32 (x, y, z) array per face, as an app would keep them."""
    return [np.array([(p.x, p.y, p.z) for p in face], dtype=np.float32) for face in detection.face_landmarks]


def run_and_report(app, args, process, after_result=None):
    """Reads the clip on a capture thread and calls process(frame, timestamp_ms) -> faces found on
    every frame it takes (capped at --max-fps in live mode), then after_result(frames processed)
    outside the latency window, and at the end prints the JSON summary."""
    frames_queue = queue.Queue(maxsize=2)
    capture = Capture(args.input, frames_queue, args.offline, args.loop_frames)
    capture.start()

    cap_interval = 0.0 if args.offline or args.max_fps <= 0 else 1.0 / args.max_fps
    latencies = []
    processed = 0
    faces_found = 0
    first_capture = None
    last_result = None
    last_start = None
    cpu_start = None
    last_timestamp_ms = -1
    while True:
        item = frames_queue.get()
        if item is None:
            break
        index, captured, frame = item
        if first_capture is None:
            first_capture = captured
            cpu_start = time.process_time()
        if cap_interval and last_start is not None:  # the 60 FPS cap
            early = cap_interval - (time.perf_counter() - last_start)
            if early > 0:
                time.sleep(early)
        last_start = time.perf_counter()

        timestamp_ms = max(int(index * 1000 / (capture.fps or 30.0)), last_timestamp_ms + 1)
        last_timestamp_ms = timestamp_ms
        faces_found += process(frame, timestamp_ms)

        last_result = time.perf_counter()
        latencies.append((last_result - captured) * 1000)
        processed += 1
        if after_result:
            after_result(processed)

    cpu = time.process_time() - (cpu_start or 0)
    seconds = (last_result - first_capture) if processed else 0.0
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] if latencies else 0.0

    print(json.dumps({
        "app": app, "mode": "offline" if args.offline else "live", "effect": args.effect,
        "frames_read": capture.read, "frames_processed": processed, "frames_skipped": capture.skipped,
        "faces_found": faces_found, "seconds": seconds, "fps": processed / seconds if seconds else 0.0,
        "latency_p50_ms": percentile(50), "latency_p99_ms": percentile(99),
        "cpu_s_per_frame": cpu / processed if processed else 0.0,
        "cpu_percent": 100 * cpu / seconds if seconds else 0.0, "peak_rss_mb": vm_hwm_mb(),
    }), flush=True)


def main():
    args = parse_arguments(__doc__)
    gc.set_threshold(700, 10, 10)
    segmenter = create_segmenter(args.models, confidence_masks=False)
    landmarker = create_landmarker(args.models)
    print("reference: ready", file=sys.stderr, flush=True)

    def process(frame, timestamp_ms):
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        segmentation = segmenter.segment_for_video(image, timestamp_ms)
        mask = segmentation.category_mask.numpy_view().copy()  # fix #1: copy out of the view
        detection = landmarker.detect_for_video(image, timestamp_ms)
        landmarks = landmark_arrays(detection)
        if args.effect == "blur":
            blurred = cv2.GaussianBlur(frame, (args.blur_kernel, args.blur_kernel), 0)
            person = (mask.reshape(mask.shape[0], mask.shape[1]) == 0)[:, :, None]  # 0: the person, 255: background
            frame = np.where(person, frame, blurred)
        del segmentation, detection, image
        return len(landmarks)

    def collect_garbage(processed):
        if processed % 60 == 0:  # fix #3
            gc.collect()

    run_and_report("reference", args, process, collect_garbage)
    segmenter.close()
    landmarker.close()


if __name__ == "__main__":
    main()
