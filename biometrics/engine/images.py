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
# libjpeg's end-of-image marker: a JPEG without it was cut short.
JPEG_END = b"\xff\xd9"


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


def _jpeg_flags(scale: int) -> int:
    """OpenCV's imdecode flags for an RGB decode at 1/``scale`` (1, 2, 4 or 8)."""
    import cv2

    reduced = {1: 0, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4}
    # The REDUCED_GRAYSCALE_n values are only the scale bits; IMREAD_COLOR_RGB makes it colour.
    return reduced.get(scale, cv2.IMREAD_REDUCED_GRAYSCALE_8) | cv2.IMREAD_COLOR_RGB


def _opencv_jpeg(data: bytes, picture: Image.Image, scale: int) -> np.ndarray | None:
    """The JPEG in ``data`` decoded by OpenCV at 1/``scale``, upright; None when Pillow must do it.

    OpenCV and Pillow both decode with libjpeg-turbo and turn the picture by its EXIF
    orientation, so the pixels are the same (tested), but OpenCV writes them straight into the
    RGB array: no Pillow image, no conversion copy, no second copy into numpy (a quarter less
    time at the median on the shared photos). Only for colour (YCbCr) JPEGs that end properly:
    Pillow converts grey and CMYK its own way and refuses a cut-short file, where OpenCV could
    fill the missing rows with grey.
    """
    if picture.mode != "RGB" or not data.rstrip(b"\x00\r\n ").endswith(JPEG_END):
        return None
    import cv2

    rgb = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), _jpeg_flags(scale))
    width, height = picture.size
    expected = {(-(-width // scale), -(-height // scale)), (-(-height // scale), -(-width // scale))}
    if rgb is None or rgb.ndim != 3 or (rgb.shape[1], rgb.shape[0]) not in expected:
        return None
    return rgb


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
        fast = _opencv_jpeg(source, picture, scale)
        if fast is not None:
            return fast, scale
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
