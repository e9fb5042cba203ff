"""YuNet as the store's detector (BIOMETRICS_DETECTOR=yunet, the default): its five points place
the box dlib's 68-point model expects, a face besides the customer's counts from YuNet's published
score, and anti-spoofing crops around YuNet's own box."""

import io

import numpy as np
import pytest
from PIL import ImageOps

from biometrics.engine import FaceRefused, QualityCode, frame_of, yunet
from biometrics.engine.faces import find_faces, single_face
from biometrics.engine.images import load_reduced
from biometrics.engine.quality import MIN_FACE_WIDTH_PX, count_faces
from tests.fixtures.faces import FACES, needs_faces, upright

PHOTOS = sorted(path.name for path in FACES.glob("*.jpg")) if FACES.is_dir() else []

# Five points of a face looking at the camera: eyes, nose tip, mouth corners (x, y).
POINTS = np.array([[100.0, 100.0], [160.0, 100.0], [130.0, 135.0], [108.0, 165.0], [152.0, 165.0]])


@pytest.fixture(autouse=True)
def yunet_detector(settings) -> None:
    settings.BIOMETRICS_DETECTOR = "yunet"
    settings.BIOMETRICS_YUNET_PROPOSALS = False


def kiosk_frame(name: str) -> bytes:
    out = io.BytesIO()
    ImageOps.pad(upright(name), (640, 480)).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_the_landmark_box_is_a_square_around_eyes_and_mouth() -> None:
    left, top, right, bottom = yunet.landmark_box(POINTS)

    side = yunet.BOX_SCALE * (60 + 65)  # eye distance + eyes-to-mouth distance
    assert right - left == pytest.approx(side)
    assert bottom - top == pytest.approx(side)
    assert ((left + right) / 2, (top + bottom) / 2) == pytest.approx((130, 100 + yunet.BOX_CENTRE * 65))


def test_the_landmark_box_moves_and_grows_with_the_face_only() -> None:
    # The same face moved and twice as near: the same box, moved and twice as large. (HOG's box
    # jumps with its pyramid's steps; this is what keeps a burst's landmarks comparable.)
    moved = np.array(yunet.landmark_box(POINTS * 2 + 40))

    assert moved == pytest.approx(np.array(yunet.landmark_box(POINTS)) * 2 + 40)


def test_a_blank_picture_has_no_face(engine) -> None:
    blank = np.full((480, 640, 3), 128, dtype=np.uint8)

    assert find_faces(blank) == []
    with pytest.raises(FaceRefused) as refused:
        single_face(blank)
    assert refused.value.code == QualityCode.NO_FACE


@needs_faces
@pytest.mark.parametrize("kiosk", [False, True], ids=["photo", "kiosk-frame"])
@pytest.mark.parametrize("name", PHOTOS)
def test_yunet_gives_the_count_and_size_answers_of_hog(engine, settings, name, kiosk) -> None:
    data = kiosk_frame(name) if kiosk else (FACES / name).read_bytes()
    rgb, scale = load_reduced(data)

    found = find_faces(rgb)
    settings.BIOMETRICS_DETECTOR = "dlib"
    by_hog = find_faces(rgb)

    def answer(faces: list) -> tuple[int, bool]:
        """The gate's answer: no face, one or several (2), and whether the largest is big enough."""
        widths = [face.width * scale for face in faces]
        return min(count_faces(widths), 2), bool(widths) and widths[0] >= MIN_FACE_WIDTH_PX

    assert answer(found) == answer(by_hog)


@needs_faces
def test_a_dim_face_far_behind_the_customer_does_not_count(engine) -> None:
    # img62: YuNet also sees a half-hidden face in the background (score under 0.9).
    rgb, _ = load_reduced(FACES / "img62.jpg")

    assert len(yunet.detections(rgb)) >= 2
    assert len(find_faces(rgb)) == 1


@needs_faces
def test_a_group_selfie_keeps_its_four_faces(engine) -> None:
    rgb, scale = load_reduced(FACES / "selfie-many-people.jpg")

    assert count_faces([face.width * scale for face in find_faces(rgb)]) == 4


@needs_faces
def test_anti_spoofing_crops_around_yunets_own_box(engine) -> None:
    frame = frame_of(kiosk_frame("img21.jpg"))
    x, y, width, height = frame.face.antispoof_area
    own = yunet.detections(frame.rgb)[0].box

    assert (x, y, x + width, y + height) == pytest.approx(own, abs=1)
    assert frame.face.detected != frame.face.box


@needs_faces
def test_a_finer_decode_keeps_both_boxes_of_the_face(engine) -> None:
    # img23 is decoded reduced for detection and again finer for its small face.
    frame = frame_of(FACES / "img23.jpg")
    rgb, _ = load_reduced((FACES / "img23.jpg").read_bytes(), scale=frame.scale)
    found = find_faces(rgb)[0]

    assert frame.face.detected is not None
    assert frame.face.box == pytest.approx(found.box, abs=3)
    assert frame.face.detected == pytest.approx(found.detected, abs=3)
