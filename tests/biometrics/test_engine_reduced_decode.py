"""A large JPEG is decoded reduced (libjpeg's DCT scaling) for speed; a face too small at that
scale is decoded again finer, and sizes stay in the original picture's pixels."""

import io

import numpy as np
from PIL import Image

from biometrics.engine import compare, embed, frame_of
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
    assert abs(accept(data).measures["face_width_px"] - 563) <= 6  # the full decode's box: 563 px
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
