"""Finding faces and their 68 landmarks, with the geometry the quality and liveness checks use.

Faces are found by YuNet (``BIOMETRICS_DETECTOR=yunet``, the default; yunet.py), or by dlib's HOG
detector (``dlib``, the store's detector until 2026-12), or by a deepface detector; the 68
landmarks are always dlib's, in a box of the kind its model was trained on.
"""

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

# YuNet proposes, HOG confirms (``proposed_faces``). A proposal narrower than this fraction of the
# widest is not looked at: a second face counts from 0.4 of the customer's width in HOG's boxes,
# and YuNet's widths differ from HOG's by up to a fifth, so 0.25 leaves room.
PROPOSAL_MIN_FRACTION = 0.25
# A proposal is confirmed by HOG on a crop around it, shrunk so that the face is at most this wide
# (HOG's window is 80 px; never enlarged past the 640 px copy, so a face too small for the full
# detection cannot be confirmed either) ...
CONFIRM_FACE_PX = 120
# ... and reaching this many proposal widths from its centre on each side.
CONFIRM_REACH = 1.3


@dataclass(frozen=True)
class Face:
    """One detected face in original-image pixels.

    ``box`` is (left, top, right, bottom), the box the 68 landmarks were taken in (HOG's, or of
    HOG's kind); ``landmarks`` is a 68×2 float array of (x, y); ``shape`` is dlib's own landmark
    object, which dlib.get_face_chip needs for alignment. ``detected``: the detector's own box
    when it is another kind (YuNet's, brow to chin and forehead), else None.
    """

    box: tuple[int, int, int, int]
    landmarks: np.ndarray
    shape: Any
    detected: tuple[int, int, int, int] | None = None

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def antispoof_area(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the box the anti-spoofing networks crop around.

        The detector's own box when there is one: MiniFASNet's authors cropped around a detector
        trained on WIDER FACE boxes, as YuNet is, not around HOG's tighter box. On the shared
        photos and their kiosk frames that called 59 of 68 real pictures real against 45 of 68
        with HOG's kind of box, and the spoof samples fake either way (docs/BIOMETRICS.md).
        """
        left, top, right, bottom = self.detected or self.box
        return (left, top, right - left, bottom - top)

    def scaled(self, rgb: np.ndarray, ratio: float) -> "Face":
        """The same face in ``rgb``, the picture decoded ``ratio`` times larger."""
        detected = tuple(v * ratio for v in self.detected) if self.detected else None
        return face_at(rgb, tuple(v * ratio for v in self.box), detected=detected)  # type: ignore[arg-type]


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


def _boxes_on(small: np.ndarray, *, upsample: bool = True) -> list[tuple[float, float, float, float]]:
    """Face boxes (left, top, right, bottom) in the pixels of ``small``.

    ``upsample``: HOG only; YuNet finds faces far smaller than the size limit anyway.
    """
    if settings.BIOMETRICS_DETECTOR == "yunet":
        from .yunet import counted_faces

        return [face.landmark_box for face in counted_faces(small)]
    if settings.BIOMETRICS_DETECTOR == "dlib":
        detector, _ = _dlib_models()
        found = detector(small, 0)
        if not found and upsample:
            # One upsampling finds faces down to about 40 px: enough to tell "too small" from "none".
            found = detector(small, 1)
        return [(r.left(), r.top(), r.right(), r.bottom()) for r in found]
    regions = _deepface_detector().detect_faces(np.ascontiguousarray(small[:, :, ::-1]))
    return [(r.x, r.y, r.x + r.w, r.y + r.h) for r in regions]


def face_at(
    rgb: np.ndarray,
    box: tuple[float, float, float, float],
    *,
    detected: tuple[float, float, float, float] | None = None,
) -> Face:
    """The 68 landmarks of the face in ``box`` (left, top, right, bottom; pixels of ``rgb``);
    ``detected``: the detector's own box, when it is not ``box``."""
    import dlib

    _, predictor = _dlib_models()
    rect = dlib.rectangle(*(round(v) for v in box))
    shape = predictor(rgb, rect)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=float)
    own = tuple(round(v) for v in detected) if detected is not None else None
    return Face((rect.left(), rect.top(), rect.right(), rect.bottom()), points, shape, own)  # type: ignore[arg-type]


def find_faces(
    rgb: np.ndarray, *, detection_side: int = DETECTION_MAX_SIDE, upsample: bool = True
) -> list[Face]:
    """Every face in the image, largest first, with landmarks taken on ``rgb`` itself.

    Detection runs once, on a copy at most ``detection_side`` px long; the landmark predictor is
    cheap at any size, so it runs on ``rgb`` for sharp landmarks and a sharp aligned crop.
    ``upsample``: when nothing is found, look again at twice the size (faces down to ~40 px).
    """
    small, factor = downscaled(rgb, detection_side)
    if settings.BIOMETRICS_DETECTOR == "yunet":
        from .yunet import counted_faces

        found = [
            face_at(rgb, _times(face.landmark_box, factor), detected=_times(face.box, factor))
            for face in counted_faces(small)
        ]
    else:
        found = [face_at(rgb, _times(box, factor)) for box in _boxes_on(small, upsample=upsample)]
    return sorted(found, key=lambda face: face.width, reverse=True)


def _times(box: tuple[float, ...], factor: float) -> tuple[float, float, float, float]:
    return tuple(v * factor for v in box)  # type: ignore[return-value]


def _confirmed_box(
    small: np.ndarray, proposal: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """HOG's box for the face YuNet proposed, in ``small``'s pixels, or None when HOG finds none.

    HOG runs on a crop around the proposal only, shrunk so that the face is about
    CONFIRM_FACE_PX wide; of what it finds, the widest box whose centre lies in the proposal.
    """
    import cv2

    left, top, right, bottom = proposal
    width = right - left
    centre_x, centre_y, reach = (left + right) / 2, (top + bottom) / 2, CONFIRM_REACH * width
    x0, y0 = int(max(0, centre_x - reach)), int(max(0, centre_y - reach))
    x1, y1 = int(min(small.shape[1], centre_x + reach)), int(min(small.shape[0], centre_y + reach))
    crop = small[y0:y1, x0:x1]
    shrink = min(1.0, CONFIRM_FACE_PX / max(width, 1.0))
    if shrink < 1.0:
        size = (max(1, round(crop.shape[1] * shrink)), max(1, round(crop.shape[0] * shrink)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    best = None
    for box in _boxes_on(np.ascontiguousarray(crop), upsample=False):
        found = tuple(v / shrink + offset for v, offset in zip(box, (x0, y0, x0, y0), strict=True))
        inside = left <= (found[0] + found[2]) / 2 <= right and top <= (found[1] + found[3]) / 2 <= bottom
        if inside and (best is None or found[2] - found[0] > best[2] - best[0]):
            best = found
    return best  # type: ignore[return-value]


def _same_face(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Two boxes of one face (two proposals confirmed by the same HOG box): they overlap by half."""
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - width * height
    return union > 0 and width * height / union > 0.5


def proposals_in_use() -> bool:
    """Whether faces are found by YuNet's proposals confirmed by HOG (``proposed_faces``) first."""
    return settings.BIOMETRICS_DETECTOR == "dlib" and bool(settings.BIOMETRICS_YUNET_PROPOSALS)


def detection_name() -> str:
    """Which search gives the face boxes: what a record made on the store's crops depends on."""
    return f"yunet+{settings.BIOMETRICS_DETECTOR}" if proposals_in_use() else settings.BIOMETRICS_DETECTOR


def proposed_faces(rgb: np.ndarray) -> list[Face]:
    """The faces of ``rgb``, largest first, found by YuNet and confirmed by HOG; empty when YuNet
    proposes none or HOG confirms none (then ``find_faces`` looks at the whole picture), and
    unless ``BIOMETRICS_YUNET_PROPOSALS`` is on.

    The same count and size answers as ``find_faces`` on the shared photos, their kiosk frames and
    the several-faces cases (tested), in about a third less time: HOG runs only where YuNet sees a
    face, on a small crop, so a face counts only when HOG finds it too, and the boxes are HOG's,
    which the 68-point model was trained on. They are not the same boxes as on the whole copy
    (HOG's grid falls elsewhere on a crop): up to a fifth wider or narrower on the shared photos.
    """
    if not proposals_in_use():
        return []
    from .yunet import proposals

    small, factor = downscaled(rgb, DETECTION_MAX_SIDE)
    proposed = proposals(small)
    boxes: list[tuple[float, float, float, float]] = []
    for proposal in proposed:
        if proposal[2] - proposal[0] < PROPOSAL_MIN_FRACTION * (proposed[0][2] - proposed[0][0]):
            break  # widest first: the rest are narrower still
        box = _confirmed_box(small, proposal)
        if box is not None and not any(_same_face(box, kept) for kept in boxes):
            boxes.append(box)
    faces = [face_at(rgb, tuple(v * factor for v in box)) for box in boxes]  # type: ignore[arg-type]
    return sorted(faces, key=lambda face: face.width, reverse=True)


def single_face(rgb: np.ndarray, *, scale: float = 1.0) -> Face:
    """The one face of the image; raises FaceRefused when none, several or a too small one.

    ``scale``: original pixels per pixel of ``rgb`` (a reduced decode), for the size limit.
    YuNet's proposals confirmed by HOG first when they are on; the full HOG detection otherwise
    and when that finds nothing.
    """
    faces = proposed_faces(rgb) or find_faces(rgb)
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
