"""Every picture a customer or kiosk uploads, checked before its pixels are decoded.

One module for faces (enrolment page and API), kiosk bursts, snap-a-car (page and API) and
return photos. The order is what keeps a small hostile file cheap:

1. a burst's frame count, before any frame is read;
2. the byte size, from the upload's declared size, before the file is read into memory;
3. the header only (format allow-list, width × height, smallest side): microseconds, however
   many pixels the file claims, so a 160 KB PNG declaring 7071 × 7071 costs nothing;
4. pixels, and only as many as the caller needs: JPEG decodes straight to 1/2 … 1/8 of its size
   (libjpeg's DCT scaling), so a 50-MP phone photo is cheap; PNG and WebP cannot be decoded
   reduced, so they have their own, lower pixel limit.

Callers whose work runs in a Celery worker (faces, kiosk frames, return photos) keep only the
bytes here after ``upload_read``'s cheap integrity check; the worker decodes with ``image_decode``
or its own engine. Snap-a-car answers within its request and decodes with ``image_decode``.
"""

import contextlib
import io
import struct
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from vendingstore.api_errors import ApplicationError

ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})  # MPO: some phones' name for JPEG
# Formats Pillow decodes reduced (``Image.draft``); every other one costs its full pixel count.
REDUCED_FORMATS = frozenset({"JPEG", "MPO"})
# Below this a picture cannot show a face or a car (the default smallest side).
MIN_SIDE = 32
MEGABYTE = 1024 * 1024
# Every format plugin loaded now, at import, rather than inside the first upload's request.
Image.init()
# What Pillow raises for a file that is not (or no longer) a well-formed picture.
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)


class PhotoRefused(ApplicationError):
    status_code = 400


class PhotoTooLarge(PhotoRefused):
    code = "photo_too_large"


class PhotoUnreadable(PhotoRefused):
    code = "photo_unreadable"
    default_message = _("We could not read this file as a photo. Please send a JPEG, PNG or WebP picture.")


class TooManyFrames(PhotoRefused):
    code = "too_many_frames"


@dataclass(frozen=True)
class UploadLimits:
    """What one kind of upload may cost. Every number comes from settings (see ``limits``)."""

    max_bytes: int
    max_pixels: int  # formats decoded reduced (JPEG)
    max_full_decode_pixels: int  # formats decoded at full size (PNG, WebP)
    min_side: int = MIN_SIDE

    def too_large(self) -> PhotoTooLarge:
        return PhotoTooLarge(
            _("This photo is too large. Please send a photo under %(mb)s MB and %(mp)s megapixels.")
            % {"mb": _number(self.max_bytes / MEGABYTE), "mp": _number(self.max_pixels / 1e6)}
        )

    def too_many_pixels_for_full_decode(self) -> PhotoTooLarge:
        return PhotoTooLarge(
            _(
                "PNG and WebP pictures may have at most %(mp)s megapixels. "
                "Please send a JPEG, or a smaller picture."
            )
            % {"mp": _number(self.max_full_decode_pixels / 1e6)}
        )


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed every check short of a full decode."""

    data: bytes
    format: str
    width: int
    height: int


def limits(
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    in_worker: bool = False,
    min_side: int = MIN_SIDE,
) -> UploadLimits:
    """The limits from settings; a caller with its own byte or pixel setting passes it.

    ``in_worker``: decoding in a Celery worker, where a slow full decode delays no web request,
    PNG and WebP may have as many pixels as a JPEG.
    """
    pixels = max_pixels if max_pixels is not None else settings.UPLOAD_MAX_PIXELS
    return UploadLimits(
        max_bytes=max_bytes if max_bytes is not None else settings.UPLOAD_MAX_BYTES,
        max_pixels=pixels,
        max_full_decode_pixels=pixels if in_worker else min(pixels, settings.UPLOAD_MAX_FULL_DECODE_PIXELS),
        min_side=min_side,
    )


def upload_read(*, upload: UploadedFile, limits: UploadLimits) -> CheckedImage:
    """The upload's bytes once size, header and integrity pass; raises ``PhotoRefused`` (400).

    Integrity without the full cost: a JPEG is decoded at 1/8 scale (a truncated one fails), a
    PNG's chunks are walked with their checksums (no inflating), a WebP (small, by its own limit)
    is decoded. Nothing is kept but the bytes.
    """
    checked = image_check(data=upload_bytes(upload=upload, limits=limits), limits=limits)
    _integrity_check(checked)
    return checked


def upload_bytes(*, upload: UploadedFile, limits: UploadLimits) -> bytes:
    """The upload's bytes, for a caller that decodes them next (``image_decode`` checks them);
    refused by its declared size before a large file is read, and never read past the limit."""
    if upload.size is not None and upload.size > limits.max_bytes:
        raise limits.too_large()
    data = upload.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise limits.too_large()
    return data


def burst_read(
    *, uploads: Sequence[UploadedFile], max_frames: int, limits: UploadLimits
) -> list[CheckedImage]:
    """A camera burst, refused as a whole when it has more frames than allowed, before any is read."""
    if len(uploads) > max_frames:
        raise TooManyFrames(
            _("The camera sent %(count)s pictures; at most %(max)s are accepted. Please try again.")
            % {"count": len(uploads), "max": max_frames}
        )
    return [upload_read(upload=upload, limits=limits) for upload in uploads]


def image_check(*, data: bytes, limits: UploadLimits) -> CheckedImage:
    """Bytes, format and dimensions, read from the header alone; no pixel is decoded."""
    if len(data) > limits.max_bytes:
        raise limits.too_large()
    try:
        with _strict(), Image.open(io.BytesIO(data)) as image:
            return _header_check(image, data, limits)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise limits.too_large() from None
    except _UNREADABLE:
        raise PhotoUnreadable() from None


def image_decode(*, data: bytes, limits: UploadLimits, max_side: int) -> np.ndarray:
    """The picture as uint8 RGB (H×W×3, long side ≤ ``max_side``), upright as the camera held it.

    Checked as ``image_check`` first. A JPEG is decoded at the smallest DCT scale that still has
    twice ``max_side`` (the final resize then has real pixels to average); other formats are
    decoded in full, within ``max_full_decode_pixels``. Raises ``PhotoRefused``.
    """
    image_check(data=data, limits=limits)
    try:
        with _strict(), Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (max_side * 2, max_side * 2))
            upright = ImageOps.exif_transpose(image) or image
            rgb = upright.convert("RGB")
            rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
            return np.asarray(rgb)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise limits.too_large() from None
    except _UNREADABLE:
        raise PhotoUnreadable() from None


def _header_check(image: Image.Image, data: bytes, limits: UploadLimits) -> CheckedImage:
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoUnreadable()
    width, height = image.size
    if width * height > limits.max_pixels:
        raise limits.too_large()
    if image.format not in REDUCED_FORMATS and width * height > limits.max_full_decode_pixels:
        raise limits.too_many_pixels_for_full_decode()
    if min(width, height) < limits.min_side:
        raise PhotoUnreadable()
    return CheckedImage(data=data, format=str(image.format), width=width, height=height)


def _integrity_check(checked: CheckedImage) -> None:
    try:
        with _strict(), Image.open(io.BytesIO(checked.data)) as image:
            if checked.format == "PNG":
                image.verify()  # chunk CRCs up to IEND; the pixels stay compressed
            else:
                image.draft("RGB", (1, 1))  # JPEG: 1/8 scale; WebP: full, within its pixel limit
                image.load()
    except _UNREADABLE:
        raise PhotoUnreadable() from None


@contextlib.contextmanager
def _strict() -> Iterator[None]:
    """Pillow's own bomb warning raised as an error, and truncated files refused, in this block."""
    # A truncated file must fail, not decode as half a grey picture (a process-wide flag that
    # some library could have flipped; ours stays False).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _number(value: float) -> str:
    """12.0 -> "12", 0.01 -> "0.01", 11.444 -> "11.44": limits as people write them."""
    return f"{round(value, 2):g}"
