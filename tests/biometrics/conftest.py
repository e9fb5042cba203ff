"""Shared photos and a warmed-up engine for the face engine's tests.

The photos live in ../shared/faces (never copied into the repository); without them the tests
that need them skip with the reason.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageOps

from biometrics.engine import Embedding, embed, warm_up

# The booking fixtures, for the enrolment and pickup flow tests. Tasks run in-process there.
from tests.testdrives.conftest import (  # noqa: F401
    book,
    car_model,
    cars,
    clock,
    eager_tasks,
    paint,
    staff,
    store,
    super_member,
    tower,
)

FACES = Path(settings.SHARED_DIR) / "faces"
needs_faces = pytest.mark.skipif(not FACES.is_dir(), reason=f"the shared face photos are absent ({FACES})")


@pytest.fixture(scope="session")
def engine() -> None:
    """Weights in place and models loaded once for the whole session."""
    warm_up()


@pytest.fixture(scope="session")
def embedding_of(engine: None):
    """embedding_of("img1.jpg"): each shared photo embedded at most once per session."""
    cache: dict[str, Embedding] = {}

    def get(name: str) -> Embedding:
        if name not in cache:
            cache[name] = embed(FACES / name)
        return cache[name]

    return get


def upright(name: str) -> Image.Image:
    """A shared photo as RGB, turned upright by its EXIF tag, for synthesising variants."""
    return ImageOps.exif_transpose(Image.open(FACES / name)).convert("RGB")


def photo(name: str, *, mirror: bool = False) -> bytes:
    """A shared photo as a JPEG, as a phone or the kiosk camera would send it (optionally mirrored)."""
    image = ImageOps.mirror(upright(name)) if mirror else upright(name)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def burst(name: str) -> list[bytes]:
    """A face looking to one side, then its mirror image: the sweep of a head turn (img59 looks
    clearly sideways, so the challenge passes on it; still photos of others do not)."""
    return [photo(name), photo(name), photo(name, mirror=True)]


def png_bytes(picture: Image.Image) -> bytes:
    """Lossless bytes of a synthesised picture (JPEG would add its own blur)."""
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()
