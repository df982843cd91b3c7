#!/usr/bin/env python3
"""The best-practice reference: a Python + MediaPipe background app written the best way one can
with the same wheel, so that Backdrop is compared with what Python can do, not only with the app
it replaces (bench/reference_app.py, the seed-style one).

Exactly what it does, per frame:
- decoding: a capture thread reads frames with OpenCV (cv2.VideoCapture) into a queue of 2 frames:
  offline, a blocking put (every frame is processed); live, paced at the clip's own rate like a
  camera, skipping and counting a frame when the queue is full (reference_app's Capture class);
- cv2.cvtColor BGR to RGB, wrapped in one mp.Image;
- the segmenter (ImageSegmenter, VIDEO mode, output_confidence_masks=True,
  output_category_mask=False) and the face landmarker (FaceLandmarker, VIDEO mode, num_faces=1,
  as Backdrop's default) run on that frame at the same time, each on a thread of a 2-thread
  concurrent.futures.ThreadPoolExecutor. MediaPipe's Python API calls its C library through
  ctypes.CDLL, which releases the GIL during the call, on one dispatcher thread per task
  (mediapipe/tasks/python/core/serial_dispatcher.py), so the two tasks' C calls can overlap;
  the summary's cpu_percent (and proof_bench.py's "CPU use" row) says whether more than one core
  was busy;
- the confidence mask (float32, 1.0 = person) is copied out of numpy_view() on the worker thread,
  before the result that owns the view is gone;
- with --effect blur: while the two tasks run, the main thread blurs the frame with
  cv2.GaussianBlur (the same kernel as reference_app, --blur-kernel, default 33x33), then
  composites in float32 numpy with the confidence mask as the weight:
  frame * m + blurred * (1 - m), back to uint8;
- no display, no writing (like Backdrop with --no-output); no gc tuning (nothing here leaks).

Live mode caps processing at --max-fps (60) like reference_app. The command line, the
"reference: ready" line on stderr and the JSON summary on stdout are reference_app's (the same
code): latency is capture (the frame leaving cv2.VideoCapture) to result (composite done).
"""
import concurrent.futures
import os
import sys

import cv2
import mediapipe as mp
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_app as shared  # noqa: E402


def main():
    args = shared.parse_arguments(__doc__)
    segmenter = shared.create_segmenter(args.models, confidence_masks=True)
    landmarker = shared.create_landmarker(args.models)
    workers = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="inference")
    print("reference: ready", file=sys.stderr, flush=True)

    def person_confidence(image, timestamp_ms):
        result = segmenter.segment_for_video(image, timestamp_ms)
        return result.confidence_masks[0].numpy_view().copy()  # the view dies with the result

    def face_landmarks(image, timestamp_ms):
        return shared.landmark_arrays(landmarker.detect_for_video(image, timestamp_ms))

    def process(frame, timestamp_ms):
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        mask = workers.submit(person_confidence, image, timestamp_ms)
        faces = workers.submit(face_landmarks, image, timestamp_ms)
        if args.effect == "blur":
            blurred = cv2.GaussianBlur(frame, (args.blur_kernel, args.blur_kernel), 0)
            weight = mask.result()  # (height, width, 1): broadcasts over the 3 channels
            frame = (frame.astype(np.float32) * weight + blurred.astype(np.float32) * (1.0 - weight)).astype(np.uint8)
        else:
            mask.result()
        return len(faces.result())

    shared.run_and_report("reference_best", args, process)
    workers.shutdown()
    segmenter.close()
    landmarker.close()


if __name__ == "__main__":
    main()
