"""Pictures for remote ID check tests: small real JPEGs, as a kiosk camera would send."""

import io

from PIL import Image

from testdrives.services.idcheck import IdPictures


def jpeg(colour: str = "navy", size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def id_pictures() -> IdPictures:
    return IdPictures(licence=jpeg("navy"), id_card=jpeg("teal"), live=jpeg("peru"))


def picture(name: str, colour: str) -> dict[str, object]:
    """A JPEG as Playwright's ``set_input_files`` takes it."""
    return {"name": f"{name}.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colour)}
