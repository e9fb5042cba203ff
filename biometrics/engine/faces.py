"""Finding faces and their 68 landmarks, with the geometry the quality and liveness checks use."""

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings

from .images import DETECTION_MAX_SIDE, downscaled
from .quality import check_face_count_and_size
from .weights import ensure_recognition_weights, landmarks_68_path

# dlib's 68-point indices (iBUG 300-W layout): each eye is six points around the lid.
RIGHT_EYE = slice(36, 42)  # the subject's right eye, on the left of the picture
LEFT_EYE = slice(42, 48)
NOSE_TIP = 30


@dataclass(frozen=True)
class Face:
    """One detected face in original-image pixels.

    ``box`` is (left, top, right, bottom); ``landmarks`` is a 68×2 float array of (x, y);
    ``shape`` is dlib's own landmark object, which dlib.get_face_chip needs for alignment.
    """

    box: tuple[int, int, int, int]
    landmarks: np.ndarray
    shape: Any

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


@functools.cache
def _dlib_models() -> tuple[Any, Any]:
    """dlib's HOG detector and 68-point predictor, loaded once per process."""
    import dlib

    ensure_recognition_weights()
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(str(landmarks_68_path()))


def _deepface_detector() -> Any:
    ensure_recognition_weights()  # also points DEEPFACE_HOME at ours before deepface is imported
    from deepface.modules import modeling

    return modeling.build_model(task="face_detector", model_name=settings.BIOMETRICS_DETECTOR)


def _boxes_on(small: np.ndarray, *, upsample: bool = True) -> list[tuple[int, int, int, int]]:
    """Face boxes (left, top, right, bottom) in the pixels of ``small``."""
    if settings.BIOMETRICS_DETECTOR == "dlib":
        detector, _ = _dlib_models()
        found = detector(small, 0)
        if not found and upsample:
            # One upsampling finds faces down to about 40 px: enough to tell "too small" from "none".
            found = detector(small, 1)
        return [(r.left(), r.top(), r.right(), r.bottom()) for r in found]
    regions = _deepface_detector().detect_faces(np.ascontiguousarray(small[:, :, ::-1]))
    return [(r.x, r.y, r.x + r.w, r.y + r.h) for r in regions]


def face_at(rgb: np.ndarray, box: tuple[float, float, float, float]) -> Face:
    """The 68 landmarks of the face in ``box`` (left, top, right, bottom; pixels of ``rgb``)."""
    import dlib

    _, predictor = _dlib_models()
    rect = dlib.rectangle(*(round(v) for v in box))
    shape = predictor(rgb, rect)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=float)
    return Face((rect.left(), rect.top(), rect.right(), rect.bottom()), points, shape)


def find_faces(
    rgb: np.ndarray, *, detection_side: int = DETECTION_MAX_SIDE, upsample: bool = True
) -> list[Face]:
    """Every face in the image, largest first, with landmarks taken on ``rgb`` itself.

    Detection runs once, on a copy at most ``detection_side`` px long; the landmark predictor is
    cheap at any size, so it runs on ``rgb`` for sharp landmarks and a sharp aligned crop.
    ``upsample``: when nothing is found, look again at twice the size (faces down to ~40 px).
    """
    small, factor = downscaled(rgb, detection_side)
    faces = [
        face_at(rgb, tuple(v * factor for v in box))  # type: ignore[arg-type]
        for box in _boxes_on(small, upsample=upsample)
    ]
    return sorted(faces, key=lambda face: face.width, reverse=True)


def single_face(rgb: np.ndarray, *, scale: float = 1.0) -> Face:
    """The one face of the image; raises FaceRefused when none, several or a too small one.

    ``scale``: original pixels per pixel of ``rgb`` (a reduced decode), for the size limit.
    """
    faces = find_faces(rgb)
    check_face_count_and_size([round(face.width * scale) for face in faces])
    return faces[0]


def eye_aspect_ratio(eye: np.ndarray) -> float:
    """Lid opening over eye width for six eye landmarks (Soukupová & Čech, 2016).

    About 0.25–0.35 for an open eye, under about 0.15 for a closed one; unitless.
    """
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    horizontal = np.linalg.norm(eye[0] - eye[3])
    return float(vertical / (2.0 * horizontal)) if horizontal else 0.0


def mean_eye_aspect_ratio(face: Face) -> float:
    """Both eyes' aspect ratio, averaged (a wink is not a closed-eye photo)."""
    return (eye_aspect_ratio(face.landmarks[RIGHT_EYE]) + eye_aspect_ratio(face.landmarks[LEFT_EYE])) / 2


def yaw_ratio(face: Face) -> float:
    """Where the nose tip sits between the outer eye corners: 0.5 facing the camera.

    Moves towards 0 or 1 as the head turns; a proxy for yaw that needs no 3-D model.
    """
    outer_right, outer_left = face.landmarks[36], face.landmarks[45]
    span = outer_left[0] - outer_right[0]
    return float((face.landmarks[NOSE_TIP][0] - outer_right[0]) / span) if span else 0.5
