"""The edge picture: one crop of the blurred output where the true alpha is softest (hair against the
background) in the still middle frame, from each source side by side, labelled, 2x nearest-neighbour
so single pixels of halo are visible; a row per clip."""
import cv2
import numpy as np

CROP = 200
ZOOM = 2
LABEL_HEIGHT = 26
GAP = 4


# Soft: alpha within 5-95%. A cut-out's interior is often a little translucent (about a tenth of the
# kit's person is at 95-99.6%), and counting that would pick the middle of a sleeve instead of hair.
SOFT_LOW, SOFT_HIGH = 13, 242


def softest_window(alpha, size=CROP):
    """Top-left (y, x) of the size x size window holding the most soft pixels of alpha (uint8)."""
    soft = ((alpha >= SOFT_LOW) & (alpha <= SOFT_HIGH)).astype(np.uint8)
    sums = cv2.integral(soft, sdepth=cv2.CV_64F)
    height, width = alpha.shape
    counts = sums[size:, size:] - sums[:-size, size:] - sums[size:, :-size] + sums[:-size, :-size]
    y, x = np.unravel_index(int(np.argmax(counts)), counts.shape)
    assert y + size <= height and x + size <= width
    return int(y), int(x)


def crop(frame, corner, size=CROP):
    y, x = corner
    return frame[y:y + size, x:x + size].copy()


def labelled(panel, label):
    zoomed = cv2.resize(panel, None, fx=ZOOM, fy=ZOOM, interpolation=cv2.INTER_NEAREST)
    strip = np.full((LABEL_HEIGHT, zoomed.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, label[:40], (6, LABEL_HEIGHT - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([strip, zoomed])


def picture(rows):
    """rows: [(clip title, [(label, crop), ...]), ...] -> one BGR image."""
    built = []
    for title, panels in rows:
        tiles = [labelled(image, f"{title}: {label}") for label, image in panels]
        spacer = np.full((tiles[0].shape[0], GAP, 3), 255, np.uint8)
        row = tiles[0]
        for tile in tiles[1:]:
            row = np.hstack([row, spacer, tile])
        built.append(row)
    width = max(row.shape[1] for row in built)
    padded = [np.pad(row, ((0, GAP), (0, width - row.shape[1]), (0, 0)), constant_values=255) for row in built]
    return np.vstack(padded)


def save(path, image):
    if not cv2.imwrite(path, image, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise RuntimeError(f"cannot write {path}")
