"""Smaller copies (renditions) of the catalogue's photos, for responsive images.

A phone showing a card 390 px wide should not download a 4000 px original. After an upload,
``renditions_make`` writes WebP copies at the widths below that are narrower than the original,
next to each other under ``renditions/`` in the same storage, named after the original (a replaced
image has a new name, so browsers and caches never see a stale copy under an old address). The
catalogue then lists them in ``srcset`` and lets the browser choose; the original stays the
widest candidate and the ``src`` for browsers without ``srcset``.
"""

import io
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models import F, QuerySet
from PIL import ExifTags, Image, ImageOps

from fleet.models import CarPhoto

logger = logging.getLogger(__name__)

# Card on a phone, card or gallery on a phone at 2x, gallery at 2-3x.
RENDITION_WIDTHS = (360, 720, 1080)
WEBP_QUALITY = 80
# EXIF orientations that turn the picture a quarter: width and height swap on screen.
QUARTER_TURNS = frozenset({5, 6, 7, 8})


@dataclass(frozen=True)
class Renditions:
    width: int  # of the original as shown (EXIF orientation applied), pixels
    height: int
    widths: tuple[int, ...]  # the copies made


def rendition_widths(original_width: int | None) -> tuple[int, ...]:
    """The copies an original of this width has: only narrower ones (no upscaling)."""
    if not original_width:
        return ()
    return tuple(w for w in RENDITION_WIDTHS if w < original_width)


def rendition_name(image_name: str, width: int) -> str:
    """``catalogue/2026/12/seal.jpg`` at 360 -> ``renditions/catalogue/2026/12/seal.w360.webp``."""
    path = PurePosixPath(image_name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}.w{width}.webp")


def renditions_make(*, image_name: str, storage: Storage) -> Renditions:
    """Write the copies of ``image_name`` into ``storage`` (replacing any), and return the original's
    displayed size. Raises OSError (or Pillow's errors) for a missing or unreadable file."""
    with storage.open(image_name, "rb") as file, Image.open(file) as image:
        width, height = image.size
        if image.getexif().get(ExifTags.Base.Orientation) in QUARTER_TURNS:
            width, height = height, width
        widths = rendition_widths(width)
        if widths:
            # A JPEG decodes straight to the smallest scale still at least as large as the widest
            # copy (libjpeg's DCT scaling): a 50 MP photo does not cost 50 MP of memory.
            widest = widths[-1]
            image.draft("RGB", (widest, widest))
            upright = ImageOps.exif_transpose(image).convert("RGB")
            for copy_width in widths:
                copy_height = max(1, round(height * copy_width / width))
                copy = upright.resize((copy_width, copy_height), Image.Resampling.LANCZOS)
                _save(storage, rendition_name(image_name, copy_width), copy)
    return Renditions(width=width, height=height, widths=widths)


def _save(storage: Storage, name: str, image: Image.Image) -> None:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    if storage.exists(name):
        storage.delete(name)  # a rerun replaces its copy instead of adding "_abc123" variants
    storage.save(name, ContentFile(buffer.getvalue()))


def carphoto_renditions_make(*, photo_id: int) -> bool:
    """Make the copies of a photo's current image and record its size. Idempotent: False when the
    photo is gone or its image already has copies. A missing or unreadable file is recorded as
    done without copies (the catalogue then shows the original alone), so sweeps do not retry it
    forever; a new upload starts again."""
    photo = CarPhoto.objects.filter(pk=photo_id).first()
    if photo is None or not photo.image or photo.renditions_of == photo.image.name:
        return False
    name = photo.image.name
    try:
        made = renditions_make(image_name=name, storage=photo.image.storage)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("car photo %s: no renditions of %s (%s)", photo_id, name, error)
        CarPhoto.objects.filter(pk=photo_id, image=name).update(width=None, height=None, renditions_of=name)
        return False
    # Only if the image is still the one read: a replaced image has its own task queued.
    updated = CarPhoto.objects.filter(pk=photo_id, image=name).update(
        width=made.width, height=made.height, renditions_of=name
    )
    if updated and photo.renditions_of:
        renditions_delete(image_name=photo.renditions_of, storage=photo.image.storage)  # the replaced image's
    return bool(updated)


def renditions_delete(*, image_name: str, storage: Storage) -> None:
    """Remove the copies of ``image_name`` (those that exist)."""
    for width in RENDITION_WIDTHS:
        name = rendition_name(image_name, width)
        if storage.exists(name):
            storage.delete(name)


def carphoto_list_without_renditions() -> QuerySet[CarPhoto]:
    """Photos whose current image has no copies yet (uploaded while the queue was down)."""
    return CarPhoto.objects.exclude(image="").exclude(renditions_of=F("image")).order_by("pk")
