"""Untrusted uploads: corrupt, truncated, huge or bomb-like files are refused, and fast; the
limits come from settings and the answer states them; only the pixels needed are decoded."""

import io
import time
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from tests.fixtures.snapcar import car_photo_bytes
from tests.images import png_header_claiming
from vendingstore import uploads
from vendingstore.uploads import (
    PhotoTooLarge,
    PhotoUnreadable,
    TooManyFrames,
    burst_read,
    image_check,
    image_decode,
    limits,
    upload_read,
)

WORK_SIDE = 640


def picture(width: int, height: int, kind: str = "JPEG", colour: str = "#336699") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, kind)
    return buffer.getvalue()


def decode(data: bytes) -> object:
    return image_decode(data=data, limits=limits(), max_side=WORK_SIDE)


def refused_within(seconds: float, error: type[Exception], call: Callable[[], object]) -> Exception:
    started = time.perf_counter()
    with pytest.raises(error) as refused:
        call()
    assert time.perf_counter() - started < seconds
    return refused.value


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "image/jpeg")


class UnreadableUpload(SimpleUploadedFile):
    """An upload that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        pytest.fail("a frame was read")


def test_it_refuses_bytes_that_are_not_an_image_fast() -> None:
    refused_within(0.05, PhotoUnreadable, lambda: decode(b"this is not a photo" * 100))


def test_it_refuses_a_truncated_jpeg() -> None:
    data = car_photo_bytes("00001.jpg")
    refused_within(0.5, PhotoUnreadable, lambda: decode(data[: len(data) // 2]))


def test_it_refuses_a_truncated_jpeg_upload_without_decoding_it_in_full() -> None:
    data = picture(800, 600)
    refused_within(0.05, PhotoUnreadable, lambda: upload_read(upload=upload(data[:-300]), limits=limits()))


def test_it_refuses_a_truncated_png_upload_from_its_chunks() -> None:
    data = picture(800, 600, "PNG")
    with pytest.raises(PhotoUnreadable):
        upload_read(upload=upload(data[: len(data) - 20], "x.png"), limits=limits())


def test_it_refuses_a_file_over_the_byte_limit_before_decoding(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    refused_within(0.01, PhotoTooLarge, lambda: decode(picture(200, 200) + b"\0" * 1000))


def test_it_refuses_an_upload_by_its_declared_size_before_reading_it() -> None:
    big = UnreadableUpload("big.jpg", b"", "image/jpeg")
    big.size = 13 * 1024 * 1024

    with pytest.raises(PhotoTooLarge):
        upload_read(upload=big, limits=limits(max_bytes=12 * 1024 * 1024))


def test_it_refuses_an_upload_larger_than_it_declared() -> None:
    liar = upload(picture(200, 200) + b"\0" * 5000)
    liar.size = 10

    with pytest.raises(PhotoTooLarge):
        upload_read(upload=liar, limits=limits(max_bytes=4000))


def test_it_refuses_a_small_file_declaring_a_huge_image_fast() -> None:
    refused_within(0.05, PhotoTooLarge, lambda: decode(png_header_claiming(40_000, 40_000)))


def test_it_refuses_a_png_declaring_7071_square_without_decoding_it() -> None:
    # Under the 50-MP limit, but a PNG cannot be decoded reduced: 150 MB and over a second.
    error = refused_within(0.05, PhotoTooLarge, lambda: decode(png_header_claiming(7071, 7071)))

    assert "PNG" in str(error.message)


def test_a_worker_may_decode_a_large_png_in_full(settings) -> None:
    settings.UPLOAD_MAX_FULL_DECODE_PIXELS = 100 * 100
    data = picture(400, 300, "PNG")
    with pytest.raises(PhotoTooLarge):
        decode(data)

    rgb = image_decode(data=data, limits=limits(in_worker=True), max_side=WORK_SIDE)

    assert rgb.shape == (300, 400, 3)


def test_it_decodes_a_50_megapixel_jpeg_reduced(monkeypatch) -> None:
    data = picture(8660, 5773)
    full_size = []
    monkeypatch.setattr(
        Image.Image, "load", lambda self, load=Image.Image.load: full_size.append(self.size) or load(self)
    )

    rgb = decode(data)

    assert max(rgb.shape[:2]) == WORK_SIDE
    assert all(w * h <= 8660 * 5773 / 4 for w, h in full_size)


def test_it_refuses_formats_we_do_not_take() -> None:
    refused_within(0.05, PhotoUnreadable, lambda: decode(picture(100, 100, "BMP")))


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_it_takes_jpeg_png_and_webp(kind: str) -> None:
    checked = upload_read(upload=upload(picture(120, 90, kind)), limits=limits())

    assert (checked.format, checked.width, checked.height) == (kind, 120, 90)
    assert decode(checked.data).shape == (90, 120, 3)


def test_it_refuses_a_picture_too_small_to_show_anything() -> None:
    with pytest.raises(PhotoUnreadable):
        image_check(data=picture(20, 400), limits=limits())


def test_the_too_large_answer_states_the_configured_limits(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    settings.UPLOAD_MAX_PIXELS = 8_000_000
    data = png_header_claiming(4000, 3000)

    error = refused_within(0.05, PhotoTooLarge, lambda: decode(data))
    with translation.override("zh-hans"):
        chinese = refused_within(0.05, PhotoTooLarge, lambda: decode(data))

    assert "2 MB" in str(error.message)
    assert "8 megapixels" in str(error.message)
    assert "2 MB" in str(chinese.message)
    assert "8 百万像素" in str(chinese.message)


def test_it_refuses_a_burst_over_the_frame_limit_before_reading_a_frame() -> None:
    frames = [UnreadableUpload(f"f{i}.jpg", b"", "image/jpeg") for i in range(100)]

    error = refused_within(
        0.01, TooManyFrames, lambda: burst_read(uploads=frames, max_frames=8, limits=limits())
    )

    assert error.status_code == 400
    assert "100" in str(error.message)
    assert "at most 8" in str(error.message)


def test_it_reads_a_burst_within_the_frame_limit() -> None:
    frames = [upload(picture(64, 64)) for _ in range(3)]

    burst = burst_read(uploads=frames, max_frames=3, limits=limits())

    assert [frame.format for frame in burst] == ["JPEG"] * 3


def test_it_shrinks_a_phone_photo_to_the_working_size() -> None:
    rgb = decode(picture(4000, 3000))

    assert max(rgb.shape[:2]) == WORK_SIDE
    assert rgb.shape[2] == 3


def test_it_turns_a_photo_upright_from_its_exif_orientation() -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the camera was held upright
    Image.new("RGB", (400, 300), "#888888").save(buffer, "JPEG", exif=exif)

    rgb = decode(buffer.getvalue())

    assert rgb.shape[:2] == (400, 300)


def test_limits_are_read_from_settings(settings) -> None:
    settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_PIXELS = 5, 6
    settings.UPLOAD_MAX_FULL_DECODE_PIXELS = 4

    assert uploads.limits() == uploads.UploadLimits(max_bytes=5, max_pixels=6, max_full_decode_pixels=4)
