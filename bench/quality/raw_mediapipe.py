"""The anchor: MediaPipe's own selfie segmenter from Python (VIDEO mode, the confidence mask at the
frame's full size, as the kit's score_masks.py), and a plain blur composite with that mask (a Gaussian
of the reach of Backdrop's default blur, weighted by the raw confidence)."""
import math
import os

import cv2
import numpy as np

FRAME_INTERVAL_MS = 33
BACKDROP_DEFAULT_BLUR_STRENGTH = 16


def gaussian_sigma(strength=BACKDROP_DEFAULT_BLUR_STRENGTH):
    """The sigma of Backdrop's blur: three box passes of radius b = round(strength / 3), whose variance
    is 3 x ((2b + 1)^2 - 1) / 12 = b (b + 1) (5.48 px for the default 16)."""
    box = max(1, round(strength / 3))
    return math.sqrt(box * (box + 1))


class Segmenter:
    def __init__(self, models):
        import mediapipe as mp
        from mediapipe.tasks import python as tasks
        from mediapipe.tasks.python import vision
        self.mp = mp
        options = vision.ImageSegmenterOptions(
            base_options=tasks.BaseOptions(model_asset_path=os.path.join(models, "selfie_segmenter.tflite")),
            running_mode=vision.RunningMode.VIDEO, output_confidence_masks=True, output_category_mask=False)
        self.segmenter = vision.ImageSegmenter.create_from_options(options)

    def mask(self, frame_bgr, index):
        """The person's confidence (float32 0..1, the frame's size) for frame `index` of the clip."""
        rgb = np.ascontiguousarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB))
        image = self.mp.Image(image_format=self.mp.ImageFormat.SRGB, data=rgb)
        result = self.segmenter.segment_for_video(image, index * FRAME_INTERVAL_MS)
        height, width = frame_bgr.shape[:2]
        return result.confidence_masks[-1].numpy_view().astype(np.float32).reshape(height, width)

    def close(self):
        self.segmenter.close()


def blurred(frame, sigma):
    return cv2.GaussianBlur(frame, (0, 0), sigma)


def composite(frame, background, mask):
    """frame over background by mask (float 0..1), rounded to bytes."""
    weight = mask[..., None]
    mixed = frame.astype(np.float32) * weight + background.astype(np.float32) * (1 - weight)
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
