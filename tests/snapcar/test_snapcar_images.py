"""Untrusted uploads: corrupt, truncated, huge or bomb-like files are refused, and fast."""

import io
import time

import pytest
from PIL import Image

from snapcar.errors import PhotoTooLarge, PhotoUnreadable
from snapcar.images import WORK_SIDE, image_decode
from tests.images import png_header_claiming
from tests.snapcar.conftest import car_photo_bytes


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(buffer, "JPEG")
    return buffer.getvalue()


def refused_within(seconds: float, error: type[Exception], data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(error):
        image_decode(data)
    assert time.perf_counter() - started < seconds


def test_it_refuses_bytes_that_are_not_an_image_fast() -> None:
    refused_within(0.05, PhotoUnreadable, b"this is not a photo" * 100)


def test_it_refuses_a_truncated_jpeg() -> None:
    data = car_photo_bytes("00001.jpg")
    refused_within(0.5, PhotoUnreadable, data[: len(data) // 2])


def test_it_refuses_a_file_over_the_byte_limit_before_decoding(settings) -> None:
    settings.SNAPCAR_MAX_UPLOAD_BYTES = 1000
    refused_within(0.01, PhotoTooLarge, jpeg(200, 200) + b"\0" * 1000)


def test_it_refuses_a_small_file_declaring_a_huge_image_fast() -> None:
    refused_within(0.05, PhotoTooLarge, png_header_claiming(40_000, 40_000))


def test_it_refuses_formats_we_do_not_take() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buffer, "BMP")
    refused_within(0.05, PhotoUnreadable, buffer.getvalue())


def test_it_shrinks_a_phone_photo_to_the_working_size() -> None:
    rgb = image_decode(jpeg(4000, 3000))

    assert max(rgb.shape[:2]) == WORK_SIDE
    assert rgb.shape[2] == 3


def test_it_turns_a_photo_upright_from_its_exif_orientation() -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the camera was held upright
    Image.new("RGB", (400, 300), "#888888").save(buffer, "JPEG", exif=exif)

    rgb = image_decode(buffer.getvalue())

    assert rgb.shape[:2] == (400, 300)
