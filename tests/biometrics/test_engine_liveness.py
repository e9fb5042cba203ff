"""Liveness: anti-spoofing on the shared samples, and the active challenge over a burst."""

from pathlib import Path

import pytest
from django.conf import settings
from PIL import ImageOps

from biometrics.engine import AntiSpoofStatus, ChallengeCode, ChallengeKind, check_antispoof, check_challenge
from biometrics.engine.liveness import blink_frames, blinked, turn_frames, turned
from biometrics.engine.weights import ANTISPOOF_FILES
from tests.fixtures.faces import FACES, needs_faces, png_bytes, upright


def antispoof_weights_present() -> bool:
    return all((Path(settings.BIOMETRICS_ANTISPOOF_WEIGHTS_DIR) / name).is_file() for name in ANTISPOOF_FILES)


needs_antispoof = pytest.mark.skipif(
    not antispoof_weights_present(), reason="anti-spoofing weights absent (FACE_ANTISPOOF_WEIGHTS_DIR)"
)


@needs_faces
@needs_antispoof
@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("image_T1.jpg", AntiSpoofStatus.REAL),
        ("image_F1.jpg", AntiSpoofStatus.FAKE),
        ("image_F2.jpg", AntiSpoofStatus.FAKE),
    ],
)
def test_anti_spoofing_tells_the_shared_real_sample_from_the_attacks(engine, name, status) -> None:
    result = check_antispoof(FACES / "spoof" / name)

    assert result.status == status
    assert 0.5 <= result.score <= 1.0


def test_a_blink_is_open_closed_open() -> None:
    assert blinked([0.31, 0.30, 0.12, 0.29, 0.31])
    assert not blinked([0.31, 0.30, 0.31, 0.30])  # a still photo
    assert not blinked([0.12, 0.11, 0.30])  # opening alone is not a blink
    assert not blinked([0.10, 0.09, 0.10])  # never open


def test_a_turn_is_a_wide_enough_sweep_of_the_nose() -> None:
    assert turned([0.50, 0.42, 0.31])
    assert not turned([0.50, 0.51, 0.49])


def test_a_burst_needs_a_few_frames() -> None:
    assert check_challenge([b"one", b"two"]).code == ChallengeCode.TOO_FEW_FRAMES


@needs_faces
def test_a_still_photo_held_to_the_camera_does_not_pass(engine) -> None:
    frame = (FACES / "img1.jpg").read_bytes()

    result = check_challenge([frame] * 4)

    assert not result.passed
    assert result.code == ChallengeCode.NO_MOVEMENT


@needs_faces
def test_a_head_turn_by_the_same_person_passes(engine, embedding_of) -> None:
    # img59 looks to one side; its mirror image looks to the other: the sweep of a head turn.
    photo = upright("img59.jpg")
    frames = [png_bytes(photo), png_bytes(photo), png_bytes(ImageOps.mirror(photo))]

    result = check_challenge(frames, kind=ChallengeKind.TURN, reference=embedding_of("img59.jpg"))

    assert result.passed, result.detail
    assert result.code == ChallengeCode.PASSED


@needs_faces
def test_a_face_swapped_during_the_burst_does_not_pass(engine) -> None:
    frames = [(FACES / name).read_bytes() for name in ("img1.jpg", "img59.jpg", "img1.jpg")]

    result = check_challenge(frames, kind=ChallengeKind.TURN)

    assert result.code == ChallengeCode.IDENTITY_CHANGED


@needs_faces
def test_a_second_face_entering_the_burst_refuses_it(engine) -> None:
    frames = [(FACES / name).read_bytes() for name in ("img1.jpg", "couple.jpg", "img1.jpg")]

    result = check_challenge(frames)

    assert result.code == ChallengeCode.FRAME_REFUSED
    assert result.detail == {"frame": 1, "reason": "multiple_faces"}


def test_the_frames_that_show_a_turn_start_from_the_first_when_they_can() -> None:
    assert turn_frames([0.30, 0.31, 0.30, 0.72, 0.70]) == [0, 3]
    assert turn_frames([0.50, 0.40, 0.55, 0.60]) == [1, 3]  # the first frame is mid-way
    assert turn_frames([0.50, 0.51, 0.49]) == []


def test_the_frames_that_show_a_blink_are_open_closed_open() -> None:
    assert blink_frames([0.31, 0.30, 0.12, 0.10, 0.29, 0.31]) == [1, 3, 4]
    assert blink_frames([0.31, 0.30, 0.31]) == []
