"""Exact-truth clips: a person cut-out (RGBA) composited over a slowly panning photo; the alpha used to
composite is the true mask, and the background alone (the plate) is the truth for an effect.

The construction is the quality kit's (../shared/quality/make_clip.py), so figures compare with the
kit's: 1280x720, 30 fps, 120 frames; the cut-out scaled to 660 px high and standing on the bottom edge;
40 frames moving right 4 px a frame, 40 holding still, 40 moving left; the background (scaled to
1480x780) pans 1 px a frame throughout. Clips are cached under WORK/clips/<hash of the inputs' bytes>.
"""
import hashlib
import json
import os
import shutil

import cv2
import numpy as np

from video import LosslessWriter

WIDTH, HEIGHT, FPS, FRAMES = 1280, 720, 30, 120
PERSON_HEIGHT = 660
PAN_MARGIN_X, PAN_MARGIN_Y = 200, 60          # the background is this much larger than the frame
START_X, STEP_X, MOVE_FRAMES = 140, 4, 40
# Frames whose mask should not change: inside the hold (frames 40-80 share a position; as the kit, the
# flicker is taken between consecutive frames of 41..79, away from the motion's ends).
STILL_FRAMES = range(MOVE_FRAMES + 1, 2 * MOVE_FRAMES)
MIDDLE_STILL_FRAME = (STILL_FRAMES.start + STILL_FRAMES.stop) // 2
# Bumped whenever the construction changes, so cached clips are rebuilt.
CONSTRUCTION = "kit-make_clip-v1"


class ClipError(Exception):
    pass


class Clip:
    """A built clip: `source` (clip.mkv), `plate` (plate.mkv), `truth_path` (gt.npy, uint8 alpha per
    frame; the kit's scripts read the same folder)."""

    def __init__(self, name, folder, person, background):
        self.name, self.folder, self.person, self.background = name, folder, person, background
        self.source = os.path.join(folder, "clip.mkv")
        self.plate = os.path.join(folder, "plate.mkv")
        self.truth_path = os.path.join(folder, "gt.npy")
        self.width, self.height, self.frames = WIDTH, HEIGHT, FRAMES

    def truth(self):
        """The true alpha, frames x height x width uint8, memory-mapped."""
        return np.load(self.truth_path, mmap_mode="r")

    def describe(self):
        return f"{self.name} ({os.path.basename(self.person)} over {os.path.basename(self.background)})"


def person_x(frame):
    """Left edge of the cut-out in `frame`: right, hold, left."""
    return START_X + STEP_X * min(frame, MOVE_FRAMES) - STEP_X * max(0, frame - 2 * MOVE_FRAMES)


def load_cutout(path):
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ClipError(f"cannot read {path} as an image")
    if image.ndim != 3 or image.shape[2] != 4:
        raise ClipError(f"{path} has no alpha channel: the person must be an RGBA cut-out")
    scale = PERSON_HEIGHT / image.shape[0]
    image = cv2.resize(image, (int(image.shape[1] * scale), PERSON_HEIGHT), interpolation=cv2.INTER_AREA)
    return image[..., :3].astype(np.float32), image[..., 3].astype(np.float32) / 255


def load_background(path):
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ClipError(f"cannot read {path} as an image")
    size = (WIDTH + PAN_MARGIN_X, HEIGHT + PAN_MARGIN_Y)
    return cv2.resize(image, size, interpolation=cv2.INTER_CUBIC).astype(np.float32)


def to_bytes(values):
    return np.clip(values + 0.5, 0, 255).astype(np.uint8)


def write_clip(person, background, folder):
    colour, alpha = load_cutout(person)
    scene = load_background(background)
    cut_height, cut_width = alpha.shape
    top = HEIGHT - cut_height
    truth = np.zeros((FRAMES, HEIGHT, WIDTH), np.uint8)
    source = LosslessWriter(os.path.join(folder, "clip.mkv"), WIDTH, HEIGHT, FPS)
    plate = LosslessWriter(os.path.join(folder, "plate.mkv"), WIDTH, HEIGHT, FPS)
    for frame in range(FRAMES):
        x = person_x(frame)
        left, right = max(0, x), min(WIDTH, x + cut_width)
        back = scene[PAN_MARGIN_Y // 2:PAN_MARGIN_Y // 2 + HEIGHT, frame:frame + WIDTH]
        frame_alpha = np.zeros((HEIGHT, WIDTH), np.float32)
        frame_colour = np.zeros((HEIGHT, WIDTH, 3), np.float32)
        if left < right:
            frame_alpha[top:, left:right] = alpha[:, left - x:right - x]
            frame_colour[top:, left:right] = colour[:, left - x:right - x]
        weight = frame_alpha[..., None]
        source.write(to_bytes(frame_colour * weight + back * (1 - weight)))
        plate.write(to_bytes(back))
        truth[frame] = to_bytes(frame_alpha * 255)
    source.close()
    plate.close()
    np.save(os.path.join(folder, "gt.npy"), truth)


def content_key(person, background):
    digest = hashlib.sha256(CONSTRUCTION.encode())
    for path in (person, background):
        with open(path, "rb") as file:
            digest.update(hashlib.sha256(file.read()).digest())
    return digest.hexdigest()[:16]


def build(name, person, background, work, say=print):
    """The clip for (person, background), built once and cached under WORK/clips/KEY."""
    folder = os.path.join(work, "clips", content_key(person, background))
    if not os.path.exists(os.path.join(folder, "meta.json")):
        say(f"building clip {name}: {person} over {background}")
        partial = folder + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(partial)
        try:
            write_clip(person, background, partial)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        with open(os.path.join(partial, "meta.json"), "w") as meta:
            json.dump({"person": os.path.abspath(person), "background": os.path.abspath(background),
                       "construction": CONSTRUCTION}, meta)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)
    return Clip(name, folder, person, background)


def clip_names(count):
    """a, b, ..., z, aa, ab, ... (the kit calls background-1's clip a and background-2's b)."""
    names = []
    for index in range(count):
        name = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(ord("a") + rest) + name
        names.append(name)
    return names
