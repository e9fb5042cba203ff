"""Anti-spoofing on onnxruntime decides as deepface's PyTorch MiniFASNet did.

The set-up step (``manage.py biometrics_export_antispoof``) exported the networks with PyTorch in
the set-up virtualenv and recorded PyTorch's answers on the store's own crops of the shared spoof
samples and labelled real photos (``antispoof-reference.npz`` beside the ONNX files). PyTorch is
not installed here; these tests compare against that record.
"""

from pathlib import Path

import numpy as np
import pytest

from biometrics.antispoof_export import REFERENCE_FILE
from biometrics.engine import AntiSpoofStatus, check_antispoof
from biometrics.engine.antispoof import REAL_LABEL, antispoof_model
from biometrics.engine.faces import detection_name
from biometrics.engine.weights import ensure_antispoof_weights, weights_dir
from tests.fixtures.faces import FACES, needs_faces


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    path = weights_dir() / REFERENCE_FILE
    if not ensure_antispoof_weights() or not path.is_file():
        pytest.skip(
            f"no anti-spoofing export with PyTorch's answers here ({path}): manage.py biometrics_export_antispoof"
        )
    return dict(np.load(path))


def decisions(first: np.ndarray, second: np.ndarray) -> list[bool]:
    """Real or not per row, from the two networks' probabilities summed, as deepface decides."""
    return [bool(label == REAL_LABEL) for label in np.argmax(first + second, axis=1)]


def test_onnxruntime_gives_pytorchs_probabilities_on_the_same_crops(reference) -> None:
    first, second = antispoof_model().probabilities([reference["crops_0"], reference["crops_1"]])

    np.testing.assert_allclose(first, reference["torch_0"], atol=1e-4)
    np.testing.assert_allclose(second, reference["torch_1"], atol=1e-4)
    assert decisions(first, second) == decisions(reference["torch_0"], reference["torch_1"])


def test_the_record_covers_the_spoof_samples_and_the_real_photos(reference) -> None:
    names = list(reference["names"])
    torch_says = dict(zip(names, decisions(reference["torch_0"], reference["torch_1"]), strict=True))

    assert torch_says["spoof/image_T1.jpg"] is True
    assert torch_says["spoof/image_F1.jpg"] is False
    assert torch_says["spoof/image_F2.jpg"] is False
    assert len(names) >= 20  # the labelled real photos with one face, not only the three samples


@needs_faces
def test_the_store_decides_every_recorded_photo_as_pytorch_did(reference, engine) -> None:
    # The crops follow the face boxes, so the record holds only for the search it was made with
    # (a record without the key predates YuNet's proposals: HOG's boxes).
    recorded = str(reference.get("detection", "dlib"))
    assert recorded == detection_name(), (
        f"PyTorch's answers were recorded on {recorded}'s boxes, the store now uses {detection_name()}'s:"
        " record them again with manage.py biometrics_export_antispoof --force"
    )
    torch_total = reference["torch_0"] + reference["torch_1"]
    for name, total in zip(reference["names"], torch_total, strict=True):
        result = check_antispoof(Path(FACES) / str(name))

        label = int(np.argmax(total))
        expected = AntiSpoofStatus.REAL if label == REAL_LABEL else AntiSpoofStatus.FAKE
        assert result.status == expected, name
        assert result.score == pytest.approx(total[label] / 2, abs=1e-4), name
