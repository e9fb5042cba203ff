"""The quality gate: whether a photo is good enough to decide on, and if not, what to retake.

A refusal is an answer for the customer ("retake"), not an error: each has a stable machine code
for the API and the attempt log, and a message in the customer's language.
"""

from enum import StrEnum
from typing import Any

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Limits, measured on the shared labelled photos (docs/BIOMETRICS.md) with a margin.
# The face box (dlib HOG, about chin to brows) must be this wide in original pixels: below it the
# 150 px aligned crop the model sees is mostly upsampling.
MIN_FACE_WIDTH_PX = 80
# A second face counts when at least this fraction of the largest face's width: someone at the
# customer's shoulder does, a poster far behind does not.
SECOND_FACE_MIN_FRACTION = 0.4
# Mean luminance (0–255) of the aligned face crop below which it is too dark to trust.
MIN_BRIGHTNESS = 50.0
# Variance of the Laplacian of the grey 150 px crop: sharp photos score in the hundreds.
MIN_SHARPNESS = 40.0
# Mean eye aspect ratio below which the eyes count as closed (open is about 0.25–0.35).
MIN_EYE_ASPECT_RATIO = 0.17


class QualityCode(StrEnum):
    UNREADABLE_IMAGE = "unreadable_image"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    FACE_TOO_SMALL = "face_too_small"
    TOO_DARK = "too_dark"
    TOO_BLURRED = "too_blurred"
    EYES_CLOSED = "eyes_closed"


MESSAGES: dict[QualityCode, Promise] = {
    QualityCode.UNREADABLE_IMAGE: _("We could not read this picture. Please take a new photo."),
    QualityCode.NO_FACE: _("We could not find a face. Please look at the camera and retake the photo."),
    QualityCode.MULTIPLE_FACES: _(
        "We see more than one face. Please make sure only you are in the picture and retake it."
    ),
    QualityCode.FACE_TOO_SMALL: _("Your face is too small in the picture. Please come closer and retake it."),
    QualityCode.TOO_DARK: _("The picture is too dark. Please find more light and retake it."),
    QualityCode.TOO_BLURRED: _("The picture is blurred. Please hold still and retake it."),
    QualityCode.EYES_CLOSED: _("Your eyes seem closed. Please open your eyes and retake the photo."),
}


class FaceRefused(Exception):
    """The photo cannot be decided on; ``code`` says why and ``message`` what to retake.

    ``detail`` holds the measured values (face width in px, brightness, sharpness, eye ratio)
    for the attempt log; it never holds pixels or an embedding.
    """

    def __init__(self, code: QualityCode, detail: dict[str, Any] | None = None) -> None:
        super().__init__(code.value)
        self.code = code
        self.detail = detail or {}

    @property
    def message(self) -> Promise:
        return MESSAGES[self.code]


def count_faces(widths: list[int]) -> int:
    """How many of the detected faces (box widths in px, largest first) count as people present."""
    if not widths:
        return 0
    return sum(1 for width in widths if width >= SECOND_FACE_MIN_FRACTION * widths[0])


def brightness(grey: np.ndarray) -> float:
    """Mean luminance, 0 (black) to 255 (white)."""
    return float(grey.mean())


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian: high for crisp edges, near zero for a smeared picture."""
    import cv2

    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def check_face_count_and_size(widths: list[int]) -> None:
    """Refuse unless exactly one face counts and it is large enough. ``widths`` largest first."""
    present = count_faces(widths)
    if present == 0:
        raise FaceRefused(QualityCode.NO_FACE)
    if present > 1:
        raise FaceRefused(QualityCode.MULTIPLE_FACES, {"faces": present})
    if widths[0] < MIN_FACE_WIDTH_PX:
        raise FaceRefused(QualityCode.FACE_TOO_SMALL, {"face_width_px": widths[0]})


def check_crop(grey_crop: np.ndarray, eye_ratio: float) -> dict[str, float]:
    """Refuse a too dark, too blurred or eyes-closed face; return the measures when it passes.

    ``grey_crop`` is the aligned face crop in grey levels (uint8); ``eye_ratio`` the mean eye
    aspect ratio.
    """
    measures = {
        "brightness": brightness(grey_crop),
        "sharpness": sharpness(grey_crop),
        "eye_ratio": eye_ratio,
    }
    if measures["brightness"] < MIN_BRIGHTNESS:
        raise FaceRefused(QualityCode.TOO_DARK, measures)
    if measures["sharpness"] < MIN_SHARPNESS:
        raise FaceRefused(QualityCode.TOO_BLURRED, measures)
    if eye_ratio < MIN_EYE_ASPECT_RATIO:
        raise FaceRefused(QualityCode.EYES_CLOSED, measures)
    return measures
