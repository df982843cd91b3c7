#!/usr/bin/env python3
"""MediaPipe Python API reference outputs for Backdrop's comparison tests.

Runs MediaPipe's own Python Tasks API on the given images and writes, into --out:
  results.json        per image: size, label names, mask files, faces (landmark x/y/z lists)
  <i>.conf<k>.f32     confidence mask k of image i, raw float32, row-major
  <i>.cat.u8          category mask of image i (with --category-mask), raw uint8
  <i>.rgb             the pixels MediaPipe decoded, raw 8-bit RGB, so the Swift side can feed the same pixels

--mode video feeds the images as frames 0, 40, 80, ... ms of one video (VIDEO running mode).
"""
import argparse
import json
import os

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import vision
from mediapipe.tasks.python.core.base_options import BaseOptions
from mediapipe.tasks.python.vision.core.image_processing_options import ImageProcessingOptions


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("images", nargs="+")
    parser.add_argument("--models", required=True, help="folder with selfie_segmenter.tflite and face_landmarker.task")
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", choices=["image", "video"], default="image")
    parser.add_argument("--category-mask", action="store_true")
    parser.add_argument("--faces", type=int, default=1, help="max faces (0: no face landmarker)")
    parser.add_argument("--rotation", type=int, default=0, help="ImageProcessingOptions rotation, degrees")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    mode = vision.RunningMode.IMAGE if args.mode == "image" else vision.RunningMode.VIDEO
    segmenter = vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
        base_options=BaseOptions(model_asset_path=os.path.join(args.models, "selfie_segmenter.tflite")),
        running_mode=mode, output_confidence_masks=True, output_category_mask=args.category_mask))
    landmarker = None
    if args.faces > 0:
        landmarker = vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=os.path.join(args.models, "face_landmarker.task")),
            running_mode=mode, num_faces=args.faces))

    processing = ImageProcessingOptions(rotation_degrees=args.rotation) if args.rotation else None
    results = []
    for index, path in enumerate(args.images):
        image = mp.Image.create_from_file(path)
        timestamp = index * 40
        seg = (segmenter.segment(image, processing) if mode == vision.RunningMode.IMAGE
               else segmenter.segment_for_video(image, timestamp, processing))
        mask_height, mask_width = seg.confidence_masks[0].numpy_view().shape[:2]
        entry = {"image": path, "width": image.width, "height": image.height,
                 "mask_width": mask_width, "mask_height": mask_height, "timestamp_ms": timestamp,
                 "labels": segmenter.labels, "confidence_masks": [], "category_mask": None, "faces": []}
        pixels = np.ascontiguousarray(image.numpy_view(), dtype=np.uint8)
        if pixels.ndim != 3 or pixels.shape[2] != 3:
            raise SystemExit(f"{path}: expected an RGB image, got shape {pixels.shape}")
        pixels.tofile(os.path.join(args.out, f"{index}.rgb"))
        entry["pixels"] = f"{index}.rgb"
        for k, mask in enumerate(seg.confidence_masks or []):
            name = f"{index}.conf{k}.f32"
            np.ascontiguousarray(mask.numpy_view(), dtype=np.float32).tofile(os.path.join(args.out, name))
            entry["confidence_masks"].append(name)
        if seg.category_mask is not None:
            name = f"{index}.cat.u8"
            np.ascontiguousarray(seg.category_mask.numpy_view(), dtype=np.uint8).tofile(os.path.join(args.out, name))
            entry["category_mask"] = name
        if landmarker is not None:
            faces = (landmarker.detect(image, processing) if mode == vision.RunningMode.IMAGE
                     else landmarker.detect_for_video(image, timestamp, processing))
            entry["faces"] = [[[p.x, p.y, p.z] for p in face] for face in faces.face_landmarks]
        results.append(entry)

    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f)
    segmenter.close()
    if landmarker is not None:
        landmarker.close()


if __name__ == "__main__":
    main()
