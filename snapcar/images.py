"""Decode an untrusted photo safely and fast, or refuse it with a reason.

Limits are checked before any pixel is decoded: the byte size first, then the dimensions from
the header, so a decompression bomb (a small file declaring a huge image) costs microseconds.
"""

import io
import warnings

import numpy as np
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from snapcar.conf import max_pixels, max_upload_bytes
from snapcar.errors import PhotoTooLarge, PhotoUnreadable

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: what some phone cameras call their JPEGs
# Everything downstream works on at most this long side; more pixels only cost time.
WORK_SIDE = 640


def upload_read(upload: UploadedFile) -> bytes:
    """The uploaded file's bytes; refused by its declared size before a large one is read into memory."""
    if upload.size is not None and upload.size > max_upload_bytes():
        raise PhotoTooLarge()
    return upload.read()


def image_decode(data: bytes) -> np.ndarray:
    """The photo as uint8 RGB (H×W×3, long side ≤ WORK_SIDE), upright as the camera held it.

    Raises PhotoTooLarge (bytes or pixels over the limits) or PhotoUnreadable (not an image,
    truncated, or a format we do not take).
    """
    if len(data) > max_upload_bytes():
        raise PhotoTooLarge()
    # A truncated file must fail, not decode as half a grey picture.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, above its own pixel limit; ours is checked first.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                _check_header(image)
                # JPEG decodes straight to 1/2, 1/4 or 1/8 size: phones send 12 MP we never need.
                image.draft("RGB", (WORK_SIDE * 2, WORK_SIDE * 2))
                upright = ImageOps.exif_transpose(image) or image
                rgb = upright.convert("RGB")
                rgb.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BILINEAR)
                return np.asarray(rgb)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoTooLarge() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise PhotoUnreadable() from None


def _check_header(image: Image.Image) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoUnreadable()
    width, height = image.size
    if width * height > max_pixels():
        raise PhotoTooLarge()
    if min(width, height) < 32:
        raise PhotoUnreadable()
