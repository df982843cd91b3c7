"""--check-against-kit: the quality kit's own scripts (../shared/quality) run on the same clips and
outputs, and their printed figures compared with this benchmark's at the precision they print. The
kit's make_clip.py also rebuilds each clip, which must be identical frame for frame."""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from video import frames

# The kit's printed names, this benchmark's names.
KIT_NAMES = {"iou": "iou", "boundaryF": "boundary_f", "mae": "mae", "temporal": "temporal",
             "still_flicker": "still_flicker", "halo_ring": "halo_ring", "person": "person", "overall": "overall"}
FIGURE = re.compile(r"(\w+) (-?[0-9.]+|nan)")


class KitCheck:
    def __init__(self, kit_folder, models, say):
        self.kit, self.models, self.say = kit_folder, models, say
        self.rows = []          # (clip, what, figure, kit text, ours text, agree)
        for script in ("make_clip.py", "score_masks.py", "score_halo.py"):
            if not os.path.exists(os.path.join(kit_folder, script)):
                raise FileNotFoundError(f"--check-against-kit: no {script} in {kit_folder}")

    def _kit(self, script, *arguments):
        env = dict(os.environ, MODELS=self.models)
        finished = subprocess.run([sys.executable, os.path.join(self.kit, script), *arguments], env=env,
                                  capture_output=True, text=True)
        if finished.returncode != 0:
            raise RuntimeError(f"kit {script} failed:\n{finished.stderr[-2000:]}")
        return finished.stdout.strip().splitlines()[-1]

    def _compare(self, clip, what, kit_line, ours):
        for kit_name, text in FIGURE.findall(kit_line):
            name = KIT_NAMES.get(kit_name)
            if name is None or name not in ours:
                continue
            decimals = len(text.split(".")[1]) if "." in text else 0
            mine = f"{ours[name]:.{decimals}f}"
            self.rows.append((clip.name, what, name, text, mine, text == mine))

    def masks(self, clip, what, ours, mask_video=None):
        """The kit's score_masks.py on `mask_video` (None: its own raw MediaPipe run)."""
        self.say(f"  kit check: score_masks.py {what}")
        self._compare(clip, what, self._kit("score_masks.py", clip.folder, mask_video or "mediapipe"), ours)

    def halo(self, clip, what, ours, output, plate_output):
        self.say(f"  kit check: score_halo.py {what}")
        self._compare(clip, what, self._kit("score_halo.py", clip.folder, output, plate_output), ours)

    def construction(self, clip, work):
        """Rebuilds the clip with the kit's make_clip.py and compares truth, clip and plate exactly."""
        self.say(f"  kit check: make_clip.py for clip {clip.name}")
        with tempfile.TemporaryDirectory(dir=work) as folder:
            self._kit("make_clip.py", clip.person, clip.background, folder)
            truth_same = bool(np.array_equal(np.load(os.path.join(folder, "gt.npy")), clip.truth()))
            self.rows.append((clip.name, "clip", "gt alpha", "kit", "identical" if truth_same else "DIFFERENT", truth_same))
            for name in ("clip.mkv", "plate.mkv"):
                largest = 0
                count = 0
                pairs = zip(frames(os.path.join(folder, name), clip.width, clip.height),
                            frames(os.path.join(clip.folder, name), clip.width, clip.height))
                for theirs, mine in pairs:
                    largest = max(largest, int(np.abs(theirs.astype(np.int16) - mine).max()))
                    count += 1
                same = largest == 0 and count == clip.frames
                self.rows.append((clip.name, "clip", name, "kit", "identical" if same else
                                  f"max difference {largest} over {count} frames", same))

    def table(self):
        lines = ["| clip | what | figure | kit's script | this benchmark | agree |", "|---|---|---|---:|---:|---|"]
        for clip, what, name, kit, ours, agree in self.rows:
            lines.append(f"| {clip} | {what} | {name} | {kit} | {ours} | {'yes' if agree else '**NO**'} |")
        agreed = sum(1 for row in self.rows if row[5])
        lines.append("")
        lines.append(f"{agreed} of {len(self.rows)} agree with the kit's scripts at their printed precision.")
        return "\n".join(lines)

    def as_json(self):
        return [dict(zip(("clip", "what", "figure", "kit", "ours", "agree"), row)) for row in self.rows]
