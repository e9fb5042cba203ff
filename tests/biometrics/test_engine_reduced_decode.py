"""A large JPEG is decoded reduced (libjpeg's DCT scaling) for speed; a face too small at that
scale is decoded again finer, and sizes stay in the original picture's pixels."""

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from biometrics.engine import FaceRefused, QualityCode, compare, embed, frame_of
from biometrics.engine.embedding import FACE_DETAIL_PX, accept
from biometrics.engine.images import load_reduced, load_rgb
from tests.fixtures.faces import FACES, needs_faces


@needs_faces
def test_a_large_jpeg_is_decoded_at_the_coarsest_scale_that_keeps_640_px() -> None:
    rgb, scale = load_reduced(FACES / "img23.jpg")  # 2400 × 1702

    assert scale == 2
    assert rgb.shape == (851, 1200, 3)


@needs_faces
def test_a_small_picture_and_a_png_are_decoded_in_full(tmp_path) -> None:
    png = io.BytesIO()
    Image.open(FACES / "img23.jpg").save(png, format="PNG")

    assert load_reduced(FACES / "img10.jpg")[1] == 1  # 408 × 594
    rgb, scale = load_reduced(png.getvalue())
    assert scale == 1
    assert rgb.shape == load_rgb(FACES / "img23.jpg").shape


@needs_faces
def test_a_reduced_decode_keeps_the_decision_and_the_face_size_in_original_pixels(engine) -> None:
    data = (FACES / "img23.jpg").read_bytes()
    full = load_rgb(data)
    frame = frame_of(data)

    assert frame.scale == 2
    assert frame.face.width >= FACE_DETAIL_PX
    # The face's width in the original's pixels: what the full decode's box says, within a pixel
    # or two of rounding per decoded pixel (563 px with HOG on the whole copy, 607 with proposals).
    assert abs(accept(data).measures["face_width_px"] - frame_of(Image.fromarray(full)).face_width_px) <= 6
    assert frame.rgb.shape[0] * 2 == full.shape[0]
    # The same person's template from the same photo, decoded either way: far inside the threshold.
    assert compare(frame.embedding, embed(Image.fromarray(full))).distance < 0.05


@needs_faces
def test_a_face_too_small_at_the_reduced_scale_is_decoded_again_finer(engine) -> None:
    # img57: 2048 × 1365, a 230 px face; at half size it would be 115 px, under FACE_DETAIL_PX.
    frame = frame_of((FACES / "img57.jpg").read_bytes())

    assert frame.scale == 1
    assert frame.face.width >= FACE_DETAIL_PX
    assert np.array_equal(frame.rgb, load_rgb(FACES / "img57.jpg"))


def pillow_decode(data: bytes, scale: int) -> np.ndarray:
    """The reference: Pillow's reduced decode (``draft``), turned upright, as RGB."""
    picture = Image.open(io.BytesIO(data))
    picture.draft("RGB", (picture.width // scale, picture.height // scale))
    return np.asarray(ImageOps.exif_transpose(picture).convert("RGB"))


@needs_faces
@pytest.mark.parametrize("scale", [1, 2, 4, 8])
def test_a_colour_jpeg_is_decoded_to_the_same_pixels_as_pillow_gives(scale) -> None:
    data = (FACES / "img23.jpg").read_bytes()

    rgb, used = load_reduced(data, scale=scale)

    assert used == scale
    assert np.array_equal(rgb, pillow_decode(data, scale))


@needs_faces
def test_a_sideways_jpeg_is_turned_upright_by_its_exif_tag_at_a_reduced_scale() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    out = io.BytesIO()
    Image.open(FACES / "img23.jpg").transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", exif=exif)

    rgb, scale = load_reduced(out.getvalue())

    assert scale == 2
    assert rgb.shape == (851, 1200, 3)  # upright again: landscape, as the photo was taken
    assert np.array_equal(rgb, pillow_decode(out.getvalue(), 2))


@needs_faces
@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_a_grey_or_cmyk_jpeg_is_decoded_by_pillow_as_before(mode) -> None:
    out = io.BytesIO()
    Image.open(FACES / "img10.jpg").convert(mode).save(out, "JPEG")

    rgb, scale = load_reduced(out.getvalue())

    assert scale == 1
    assert np.array_equal(rgb, load_rgb(out.getvalue()))


@needs_faces
def test_a_cut_short_jpeg_is_refused_as_unreadable_not_filled_in() -> None:
    data = (FACES / "img10.jpg").read_bytes()

    with pytest.raises(FaceRefused) as refused:
        load_reduced(data[: len(data) // 2])

    assert refused.value.code == QualityCode.UNREADABLE_IMAGE
