"""Phones store portraits sideways with an EXIF orientation tag; the engine turns them upright."""

import io

from PIL import Image

from biometrics.engine import compare, embed
from tests.fixtures.faces import needs_faces, upright

ORIENTATION = 0x0112


def sideways_with_tag(picture: Image.Image) -> bytes:
    """The picture stored rotated 90° anticlockwise, tagged 6 ("rotate 90° clockwise to view")."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    picture.transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", quality=95, exif=exif)
    return buffer.getvalue()


@needs_faces
def test_it_honours_the_exif_orientation(embedding_of) -> None:
    sideways = embed(sideways_with_tag(upright("img1.jpg")))

    assert compare(sideways, embedding_of("img1.jpg")).distance < 0.15
