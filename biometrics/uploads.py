"""Photos from members and kiosks: refused fast (size, format, dimensions, truncation) before any
face work, so a bad file gets a clear answer and nothing is stored."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from snapcar.errors import PhotoTooLarge
from snapcar.images import image_decode


def photo_bytes(upload: UploadedFile) -> bytes:
    """The upload's bytes once they decode as a photo; raises ``PhotoRefused`` (400) otherwise.

    The same checks as the snap-a-car upload (bytes, then header dimensions, then a decode that
    fails on truncation), with our own byte limit checked before reading the file.
    """
    if upload.size is not None and upload.size > settings.BIOMETRICS_MAX_UPLOAD_BYTES:
        raise PhotoTooLarge()
    data = upload.read()
    if len(data) > settings.BIOMETRICS_MAX_UPLOAD_BYTES:
        raise PhotoTooLarge()
    image_decode(data)
    return data
