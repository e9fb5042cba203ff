"""Pictures of a returned car for tests: one small, valid PNG per side."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SIDES = ("front", "back", "left", "right")


def side_png(side: str, colour: str = "grey") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return SimpleUploadedFile(f"{side}.png", buffer.getvalue(), content_type="image/png")


def four_sides() -> dict[str, SimpleUploadedFile]:
    return {side: side_png(side) for side in SIDES}
