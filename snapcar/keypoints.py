"""ORB keypoints: recognise a photo of one of our own catalogue pictures.

A customer who photographs our poster, brochure or a screen showing our site gets the very
picture back, cropped, tilted, with glare and JPEG noise. ORB features with a RANSAC homography
re-find such a picture reliably; they do not match a different photo of the same model.
OpenCV is imported when a photo is analysed, not when a web process starts.
"""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import cv2

# Long side the features are computed at: enough detail for 500 corners, cheap to match.
FEATURE_SIDE = 480
MAX_FEATURES = 500
# Lowe's ratio test: the best match must be clearly better than the second best.
RATIO = 0.75
# RANSAC inliers above which two pictures are taken to be the same picture. Different photos
# of cars give well under 15 (measured in bench/snapcar.py); re-photographed pictures give 40+.
SAME_PICTURE_INLIERS = 20


@dataclass(frozen=True)
class Features:
    """Keypoint positions (N×2 float32, in FEATURE_SIDE-scaled pixels) and ORB descriptors (N×32 uint8)."""

    points: np.ndarray
    descriptors: np.ndarray

    def to_bytes(self) -> bytes:
        count = np.array([len(self.points)], dtype=np.int32)
        return count.tobytes() + self.points.astype(np.float32).tobytes() + self.descriptors.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Features":
        count = int(np.frombuffer(data[:4], dtype=np.int32)[0])
        points_end = 4 + count * 8
        points = np.frombuffer(data[4:points_end], dtype=np.float32).reshape(count, 2)
        descriptors = np.frombuffer(data[points_end:], dtype=np.uint8).reshape(count, 32)
        return cls(points=points, descriptors=descriptors)


def features_of(rgb: np.ndarray) -> Features:
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, FEATURE_SIDE / max(h, w))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        gray = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    orb = cv2.ORB.create(nfeatures=MAX_FEATURES)
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    if descriptors is None:
        return Features(points=np.zeros((0, 2), np.float32), descriptors=np.zeros((0, 32), np.uint8))
    points = np.array([k.pt for k in keypoints], dtype=np.float32)
    return Features(points=points, descriptors=descriptors)


@functools.cache
def _matcher() -> "cv2.BFMatcher":
    import cv2

    return cv2.BFMatcher(cv2.NORM_HAMMING)


def same_picture_inliers(query: Features, candidate: Features) -> int:
    """How many keypoint matches agree on one homography (0 when too few to fit one)."""
    import cv2

    if len(query.points) < 8 or len(candidate.points) < 8:
        return 0
    pairs = _matcher().knnMatch(query.descriptors, candidate.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 8:
        return 0
    src = query.points[[m.queryIdx for m in good]]
    dst = candidate.points[[m.trainIdx for m in good]]
    _, inlier_mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
    return 0 if inlier_mask is None else int(inlier_mask.sum())
