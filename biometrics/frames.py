"""Kiosk probe frames at rest: encrypted, in a folder no URL serves, for the seconds of a decision.

A frame is a picture of a customer's face: it never goes under ``MEDIA_ROOT`` (which the web
server serves) and is never named by anything guessable. Each file is a Fernet token under the
face-template keys (``BIOMETRICS_TEMPLATE_KEYS``), so even a leaked folder shows no face.
``BIOMETRICS_FRAMES_DIR`` must be storage every web and worker machine sees, like ``MEDIA_ROOT``.
"""

import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from biometrics.crypto import fernet


def frames_storage() -> FileSystemStorage:
    """The frames folder; refuses one inside MEDIA_ROOT or STATIC_ROOT, which URLs serve."""
    location = Path(settings.BIOMETRICS_FRAMES_DIR).resolve()
    for served in (settings.MEDIA_ROOT, getattr(settings, "STATIC_ROOT", None)):
        if served and location.is_relative_to(Path(served).resolve()):
            raise ImproperlyConfigured(
                f"BIOMETRICS_FRAMES_DIR ({location}) is inside {served}, which is served"
            )
    return FileSystemStorage(location=location, base_url=None, file_permissions_mode=0o600)


def frame_save(data: bytes) -> str:
    """Encrypt and store one frame; returns its random name."""
    return frames_storage().save(f"{uuid.uuid4().hex}.frame", ContentFile(fernet().encrypt(data)))


def frame_read(name: str) -> bytes:
    with frames_storage().open(name, "rb") as handle:
        return fernet().decrypt(handle.read())


def frame_delete(name: str) -> None:
    frames_storage().delete(name)


def frame_names_older_than(moment: datetime) -> list[str]:
    """Every stored frame last written before ``moment`` (for the sweep of orphans)."""
    storage = frames_storage()
    if not Path(storage.location).is_dir():
        return []
    _, files = storage.listdir("")
    return [name for name in files if storage.get_modified_time(name) < moment]


def private_picture_save(data: bytes, *, folder: str) -> str:
    """Encrypt and store one picture that is not a face-check frame (an ID card held to the kiosk
    camera, say) in a subfolder of the same private storage; returns its name, which
    ``frame_read`` and ``frame_delete`` accept. The owner deletes it: the orphan sweep of frames
    looks at the top folder only, so a picture waiting hours for a person is not swept away."""
    if not folder.isidentifier():
        raise ValueError(f"not a folder name: {folder!r}")
    return frames_storage().save(f"{folder}/{uuid.uuid4().hex}.pic", ContentFile(fernet().encrypt(data)))
