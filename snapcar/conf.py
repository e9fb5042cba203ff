"""Snap-a-car settings, each with a default so a fresh clone needs none.

Override any of them in the Django settings module (``SNAPCAR_MODEL_DIR = ...``).
"""

from pathlib import Path

from django.conf import settings

from vendingstore.uploads import UploadLimits, limits

# Everything downstream works on at most this long side; more pixels only cost time.
WORK_SIDE = 640


def model_dir() -> Path:
    return Path(getattr(settings, "SNAPCAR_MODEL_DIR", settings.BASE_DIR / "var" / "snapcar"))


def max_upload_bytes() -> int:
    """Largest photo file accepted; phones send 2–8 MB JPEGs."""
    return int(getattr(settings, "SNAPCAR_MAX_UPLOAD_BYTES", 12 * 1024 * 1024))


def max_pixels() -> int:
    """Largest width × height decoded; beyond it a file is refused before decoding (bombs)."""
    return int(getattr(settings, "SNAPCAR_MAX_PIXELS", 50_000_000))


def upload_limits(*, in_worker: bool = False) -> UploadLimits:
    """A customer's photo, answered in the web request; ``in_worker`` for indexing catalogue photos."""
    return limits(max_bytes=max_upload_bytes(), max_pixels=max_pixels(), in_worker=in_worker)
