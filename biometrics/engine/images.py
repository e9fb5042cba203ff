"""Decoding an uploaded or captured image into pixels, the way a camera meant it."""

import io
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .quality import FaceRefused, QualityCode

# What embed() and the liveness checks accept: raw bytes, a path, an open binary file or a
# Pillow image.
ImageInput = bytes | str | Path | BinaryIO | Image.Image

# Detection runs on a copy no larger than this (longest side, pixels): dlib's HOG detector costs
# time in proportion to the pixels, and a kiosk or phone face is far larger than its 80 px minimum.
DETECTION_MAX_SIDE = 640
# libjpeg decodes straight to 1/2, 1/4 or 1/8 of the size (DCT scaling), several times faster
# than a full decode; Pillow exposes it as ``Image.draft``.
JPEG_SCALES = (8, 4, 2, 1)


def load_rgb(image: ImageInput) -> np.ndarray:
    """The image as an H×W×3 uint8 RGB array, turned upright by its EXIF orientation tag.

    Phones store portraits sideways with an orientation tag; without honouring it the face is
    lying on its side and the detector finds nothing. Raises FaceRefused(UNREADABLE_IMAGE) for
    anything Pillow cannot decode.
    """
    try:
        if isinstance(image, Image.Image):
            picture = image
        elif isinstance(image, bytes):
            picture = Image.open(io.BytesIO(image))
        else:
            picture = Image.open(image)
        picture = ImageOps.exif_transpose(picture)
        return np.asarray(picture.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FaceRefused(QualityCode.UNREADABLE_IMAGE, detail={"error": str(exc)[:200]}) from exc


def _source(image: ImageInput) -> bytes | Image.Image:
    """Bytes (read once, so a second, finer decode needs no second read) or the Pillow image."""
    if isinstance(image, bytes | Image.Image):
        return image
    if isinstance(image, str | Path):
        try:
            return Path(image).read_bytes()
        except OSError as exc:
            raise FaceRefused(QualityCode.UNREADABLE_IMAGE, detail={"error": str(exc)[:200]}) from exc
    return image.read()


def load_reduced(
    image: ImageInput, *, long_side: int = DETECTION_MAX_SIDE, scale: int | None = None
) -> tuple[np.ndarray, int]:
    """The image as ``load_rgb`` gives it, decoded smaller when that is cheap, and the scale.

    A JPEG is decoded at the coarsest DCT scale (1/2, 1/4, 1/8) whose longest side still has
    ``long_side`` pixels, or at ``scale`` when given; other formats, and Pillow images, in full
    (scale 1). The returned scale is how many original pixels one decoded pixel stands for.
    """
    source = _source(image)
    if isinstance(source, Image.Image):
        return load_rgb(source), 1
    try:
        picture = Image.open(io.BytesIO(source))
        if picture.format not in {"JPEG", "MPO"}:
            return load_rgb(picture), 1
        width, height = picture.size
        if scale is None:
            scale = next(s for s in JPEG_SCALES if max(width, height) // s >= long_side or s == 1)
        if scale > 1:
            # Asking for 1/scale of each side (rounded down) makes Pillow pick that scale.
            picture.draft("RGB", (width // scale, height // scale))
            scale = round(width / picture.size[0])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FaceRefused(QualityCode.UNREADABLE_IMAGE, detail={"error": str(exc)[:200]}) from exc
    return load_rgb(picture), scale


def downscaled(rgb: np.ndarray, max_side: int = DETECTION_MAX_SIDE) -> tuple[np.ndarray, float]:
    """A copy whose longest side is at most ``max_side`` px, and the factor back to the original.

    Multiply a coordinate in the copy by the returned factor (≥ 1.0) to get original pixels.
    """
    height, width = rgb.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return rgb, 1.0
    import cv2

    factor = longest / max_side
    size = (round(width / factor), round(height / factor))
    # Area averaging: as smooth as Pillow's antialiased bilinear for shrinking, and about three
    # times faster on a 2,400 px photo (3 ms against 10 ms here), which a pickup waits for.
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), factor
