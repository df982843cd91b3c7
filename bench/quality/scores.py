"""The quality figures, accumulated one frame at a time (definitions: ../shared/quality/README.md).

Masks (a soft mask p against the true alpha g, both 0..1):
- IoU: of p >= 0.5 against g >= 0.5, pixels summed over all frames;
- boundary F: the DAVIS measure, each frame's mask boundary against the true one within a tolerance
  of 0.008 x the frame's diagonal, F of precision and recall, averaged over frames;
- MAE x1000: mean |p - g|;
- temporal x1000: mean |(p_t - p_t-1) - (g_t - g_t-1)| (RVM's dtSSD idea: change the truth does not have);
- still flicker x1000: mean |p_t - p_t-1| over the frames where the person holds still.
Halo (an effect's output against its exact ideal: the source where the person is, the same effect on
the plate elsewhere), mean error in grey levels: in a ring up to 30 px outside the person, inside the
person (alpha >= 0.98), and over the whole frame.
"""
import cv2
import numpy as np

BOUNDARY_TOLERANCE = 0.008          # of the frame's diagonal
HALO_RING_PIXELS = 30
PERSON_PRESENT = 0.02               # alpha above this is the person, for the ring
PERSON_INSIDE = 0.98                # alpha from this up is inside the person

MASK_FIGURES = ("iou", "boundary_f", "mae", "temporal", "still_flicker")
HALO_FIGURES = ("halo_ring", "person", "overall")


class MaskScores:
    def __init__(self, height, width, still_frames):
        radius = int(round(BOUNDARY_TOLERANCE * np.hypot(height, width)))
        self.tolerance = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
        self.edge_kernel = np.ones((3, 3), np.uint8)
        self.still_frames = still_frames
        self.frame = 0
        self.previous = None
        self.intersection = self.union = 0
        self.boundary = []
        self.absolute_error = self.temporal_error = self.still_change = 0.0
        self.pixels = self.temporal_pixels = self.still_pixels = 0

    def _edge(self, binary):
        return binary - cv2.erode(binary, self.edge_kernel)

    def _boundary_f(self, predicted, true):
        predicted_edge, true_edge = self._edge(predicted), self._edge(true)
        near_true = cv2.dilate(true_edge, self.tolerance)
        near_predicted = cv2.dilate(predicted_edge, self.tolerance)
        precision = (predicted_edge & near_true).sum() / max(1, predicted_edge.sum())
        recall = (true_edge & near_predicted).sum() / max(1, true_edge.sum())
        return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)

    def add(self, predicted, true):
        """One frame: `predicted` and `true` as float32 0..1, the frame's size."""
        predicted_in, true_in = predicted >= 0.5, true >= 0.5
        self.intersection += int(np.count_nonzero(predicted_in & true_in))
        self.union += int(np.count_nonzero(predicted_in | true_in))
        self.boundary.append(self._boundary_f(predicted_in.astype(np.uint8), true_in.astype(np.uint8)))
        self.absolute_error += float(np.abs(predicted - true).sum(dtype=np.float64))
        self.pixels += predicted.size
        if self.previous is not None:
            previous_predicted, previous_true = self.previous
            change = predicted - previous_predicted
            self.temporal_error += float(np.abs(change - (true - previous_true)).sum(dtype=np.float64))
            self.temporal_pixels += predicted.size
            if self.frame - 1 in self.still_frames and self.frame in self.still_frames:
                self.still_change += float(np.abs(change).sum(dtype=np.float64))
                self.still_pixels += predicted.size
        self.previous = (predicted, true)
        self.frame += 1

    def result(self):
        return {"iou": self.intersection / max(1, self.union),
                "boundary_f": float(np.mean(self.boundary)),
                "mae": 1000 * self.absolute_error / max(1, self.pixels),
                "temporal": 1000 * self.temporal_error / max(1, self.temporal_pixels),
                "still_flicker": 1000 * self.still_change / max(1, self.still_pixels)}


class HaloScores:
    def __init__(self):
        size = 2 * HALO_RING_PIXELS + 1
        self.ring_kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        self.ring, self.inside, self.overall = [], [], []

    def add(self, output, plate_output, source, true_alpha):
        """One frame: the effect on the clip (`output`), the same effect on the plate, the clip's own
        frame (all BGR uint8) and the true alpha (uint8)."""
        alpha = true_alpha.astype(np.float32) / 255
        weight = alpha[..., None]
        ideal = source.astype(np.float32) * weight + plate_output.astype(np.float32) * (1 - weight)
        error = np.abs(output.astype(np.float32) - ideal).mean(axis=2)
        person = (alpha > PERSON_PRESENT).astype(np.uint8)
        ring = (cv2.dilate(person, self.ring_kernel) > 0) & (alpha <= 0.0)
        inside = alpha >= PERSON_INSIDE
        if ring.any():
            self.ring.append(float(error[ring].mean()))
        if inside.any():
            self.inside.append(float(error[inside].mean()))
        self.overall.append(float(error.mean()))

    def result(self):
        mean = lambda values: float(np.mean(values)) if values else float("nan")
        return {"halo_ring": mean(self.ring), "person": mean(self.inside), "overall": mean(self.overall)}
