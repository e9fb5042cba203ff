"""Weights come from installed packages and local folders, never from the network."""

import socket

import pytest
from PIL import Image

from biometrics.engine import AntiSpoofStatus, check_antispoof
from biometrics.engine.weights import (
    ANTISPOOF_FILES,
    ANTISPOOF_ONNX_FILES,
    RECOGNITION_FILES,
    ensure_antispoof_weights,
    ensure_recognition_weights,
)
from tests.fixtures.faces import FACES, needs_faces


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the face engine tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def empty_home(settings, tmp_path, monkeypatch):
    settings.BIOMETRICS_DEEPFACE_HOME = tmp_path / "deepface"
    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path / "deepface"))
    return tmp_path / "deepface" / ".deepface" / "weights"


def test_it_puts_the_dlib_weights_where_deepface_looks(empty_home) -> None:
    assert ensure_recognition_weights() == empty_home
    assert sorted(p.name for p in empty_home.iterdir()) == sorted(RECOGNITION_FILES)


def test_deepface_builds_the_dlib_model_and_detector_offline(empty_home, no_network) -> None:
    from deepface.models.face_detection.Dlib import DlibClient as DlibDetector
    from deepface.models.facial_recognition.dlib.Dlib import DlibResNet

    ensure_recognition_weights()

    assert DlibResNet().model is not None
    assert DlibDetector().model["sp"] is not None


def test_anti_spoofing_is_unavailable_without_its_weights(empty_home, settings, tmp_path, no_network) -> None:
    settings.BIOMETRICS_ANTISPOOF_WEIGHTS_DIR = tmp_path / "nowhere"

    assert ensure_antispoof_weights() is False
    assert check_antispoof(Image.new("RGB", (64, 64))).status == AntiSpoofStatus.UNAVAILABLE


def test_anti_spoofing_needs_the_exported_networks_not_the_pytorch_weights(
    empty_home, settings, tmp_path
) -> None:
    source = tmp_path / "antispoof"
    source.mkdir()
    for name in ANTISPOOF_FILES:
        (source / name).write_bytes(b"weights")
    settings.BIOMETRICS_ANTISPOOF_WEIGHTS_DIR = source

    assert ensure_antispoof_weights() is False  # PyTorch weights alone: exported at set-up only
    empty_home.mkdir(parents=True)
    for name in ANTISPOOF_ONNX_FILES:
        (empty_home / name).write_bytes(b"onnx")
    assert ensure_antispoof_weights() is True
    assert not any((empty_home / name).exists() for name in ANTISPOOF_FILES)


@needs_faces
def test_an_embedding_needs_no_network(embedding_of, no_network) -> None:
    from biometrics.engine import embed

    assert embed(FACES / "img5.jpg").vector.shape == (128,)
