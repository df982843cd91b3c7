# Set-up's clean cut-out of the demo's person: MediaPipe's selfie segmenter (the venv's wheel, the
# checkout's model) run once on the astronaut photo, its confidence written as a gray PNG the size of
# the photo (255: person). The synthetic scene uses it as the person's alpha instead of two ellipses
# that would carry the photo's grey backdrop along as an oval around the head.
#   python make_cutout.py PHOTO.png MODEL.tflite OUT.png
import sys
import cv2
import numpy as np
import mediapipe as mp
from mediapipe.tasks import python as tasks
from mediapipe.tasks.python import vision

photo_path, model_path, out_path = sys.argv[1:4]
photo = cv2.imread(photo_path, cv2.IMREAD_COLOR)
if photo is None:
    sys.exit(f"make_cutout: cannot read {photo_path}")
segmenter = vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
    base_options=tasks.BaseOptions(model_asset_path=model_path), output_confidence_masks=True))
image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB)))
confidence = segmenter.segment(image).confidence_masks[0].numpy_view().reshape(photo.shape[:2]).copy()
segmenter.close()  # now: closing at interpreter exit fails inside MediaPipe's dispatcher
# Solid inside and out, soft only across the edge (a smoothstep from 0.3 to 0.7).
t = np.clip((confidence - 0.3) / 0.4, 0, 1)
alpha = np.round(t * t * (3 - 2 * t) * 255).astype(np.uint8)
if not cv2.imwrite(out_path, alpha):
    sys.exit(f"make_cutout: cannot write {out_path}")
