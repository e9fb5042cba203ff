"""The quality gate on real photos: each "retake" answer, with its message in both languages."""

import numpy as np
import pytest
from django.utils import translation
from PIL import Image, ImageEnhance, ImageFilter

from biometrics.engine import MESSAGES, FaceRefused, QualityCode, embed
from biometrics.engine.embedding import accept, aligned_crop
from biometrics.engine.faces import find_faces, mean_eye_aspect_ratio
from biometrics.engine.images import load_rgb
from biometrics.engine.quality import (
    MIN_BRIGHTNESS,
    MIN_EYE_ASPECT_RATIO,
    MIN_FACE_WIDTH_PX,
    MIN_SHARPNESS,
    check_crop,
)
from tests.fixtures.faces import FACES, needs_faces, png_bytes, upright


def refusal(image) -> QualityCode:
    with pytest.raises(FaceRefused) as refused:
        embed(image)
    return refused.value.code


@needs_faces
@pytest.mark.parametrize("name", ["couple.jpg", "selfie-many-people.jpg"])
def test_it_refuses_more_than_one_face(engine, name: str) -> None:
    assert refusal(FACES / name) == QualityCode.MULTIPLE_FACES


def test_it_refuses_a_picture_without_a_face(engine) -> None:
    assert refusal(png_bytes(Image.new("RGB", (800, 600), (120, 130, 140)))) == QualityCode.NO_FACE


def test_it_refuses_bytes_that_are_not_an_image(engine) -> None:
    assert refusal(b"not an image at all") == QualityCode.UNREADABLE_IMAGE


@needs_faces
def test_it_refuses_a_face_too_small(engine) -> None:
    photo = upright("img2.jpg")  # the face is about 430 px wide; a tenth of it is below 80

    assert (
        refusal(png_bytes(photo.resize((photo.width // 10, photo.height // 10))))
        == QualityCode.FACE_TOO_SMALL
    )


@needs_faces
def test_it_refuses_a_blurred_photo(engine) -> None:
    photo = upright("img2.jpg")

    assert refusal(png_bytes(photo.filter(ImageFilter.GaussianBlur(8)))) == QualityCode.TOO_BLURRED


@needs_faces
def test_it_refuses_a_dark_photo(engine) -> None:
    photo = upright("img1.jpg")

    assert refusal(png_bytes(ImageEnhance.Brightness(photo).enhance(0.2))) == QualityCode.TOO_DARK


@needs_faces
def test_it_refuses_closed_eyes_on_a_real_face_crop(engine) -> None:
    # No shared photo has closed eyes and painting them shut does not fool the landmark model, so
    # the real crop goes through the gate with the eye ratio a closed eye gives.
    rgb = load_rgb(FACES / "img1.jpg")
    crop = aligned_crop(rgb, find_faces(rgb)[0])
    grey = np.asarray(crop.mean(axis=2), dtype=np.uint8)

    with pytest.raises(FaceRefused) as refused:
        check_crop(grey, eye_ratio=0.1)

    assert refused.value.code == QualityCode.EYES_CLOSED


@needs_faces
@pytest.mark.parametrize("name", ["img1.jpg", "img15.jpg", "img17.jpg", "img21.jpg"])
def test_open_eyes_on_real_photos_pass_the_eye_check(engine, name: str) -> None:
    rgb = load_rgb(FACES / name)

    assert mean_eye_aspect_ratio(find_faces(rgb)[0]) > MIN_EYE_ASPECT_RATIO


@needs_faces
def test_a_good_photo_passes_with_its_measures(engine) -> None:
    accepted = accept(FACES / "img2.jpg")

    assert set(accepted.measures) == {"brightness", "sharpness", "eye_ratio", "face_width_px"}
    assert accepted.measures["brightness"] >= MIN_BRIGHTNESS
    assert accepted.measures["sharpness"] >= MIN_SHARPNESS
    assert accepted.measures["eye_ratio"] >= MIN_EYE_ASPECT_RATIO
    assert accepted.measures["face_width_px"] >= MIN_FACE_WIDTH_PX
    assert accepted.embedding.vector.shape == (128,)


def test_every_refusal_has_a_retake_message_in_english_and_chinese() -> None:
    for code in QualityCode:
        with translation.override("en"):
            english = str(MESSAGES[code])
        with translation.override("zh-hans"):
            chinese = str(MESSAGES[code])

        assert "retake" in english or "new photo" in english
        assert chinese != english
        assert "重新" in chinese
