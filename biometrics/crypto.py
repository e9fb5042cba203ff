"""Face templates at rest: Fernet under ``BIOMETRICS_TEMPLATE_KEYS`` (newest first; all decrypt).

A key of its own, not the members' one: a leak or a rotation of one does not touch the other.
"""

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

from biometrics.engine import Embedding


def fernet() -> MultiFernet:
    """The face-template keys (templates, and kiosk frames while they exist)."""
    return MultiFernet(
        [Fernet(key.encode() if isinstance(key, str) else key) for key in settings.BIOMETRICS_TEMPLATE_KEYS]
    )


def template_encrypt(embedding: Embedding) -> bytes:
    return fernet().encrypt(embedding.to_bytes())


def template_decrypt(token: bytes, *, model: str) -> Embedding:
    return Embedding.from_bytes(fernet().decrypt(bytes(token)), model)


def template_rotate(token: bytes) -> bytes:
    """The same template encrypted under the newest key (after a new key was put first)."""
    return fernet().rotate(bytes(token))
