"""MiniFASNet (deepface's anti-spoofing pair) on onnxruntime: no PyTorch at run time.

The two networks were exported to ONNX at set-up (``biometrics.antispoof_export``, run by the
set-up virtualenv): channels-last BGR crops in, softmax out. This module crops the face as
deepface's ``Fasnet`` does (its own ``crop``, twice: 2.7× and 4× the face box, 80×80) and sums the
two networks' probabilities the same way, so it gives deepface's PyTorch answer.
"""

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .weights import antispoof_onnx_paths

# Each network sees the face box widened by its own factor, as deepface's Fasnet crops it.
CROP_SCALES = (2.7, 4.0)
SIDE = 80
REAL_LABEL = 1  # the networks' classes: 0 a print, 1 real, 2 a screen replay


def antispoof_crops(bgr: np.ndarray, box: Sequence[int]) -> list[np.ndarray]:
    """The two 80×80 BGR uint8 crops of the face at ``box`` (x, y, width, height), in model order."""
    from deepface.models.spoofing.FasNetUtils import crop

    return [np.asarray(crop(bgr, tuple(box), scale, SIDE, SIDE)) for scale in CROP_SCALES]


class MiniFasNet:
    """Both networks, loaded once; ``analyze`` answers as deepface's ``Fasnet.analyze`` does."""

    def __init__(self, paths: Sequence[Path]) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One customer per worker process, processes for concurrency (as for SFace).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.sessions = [
            onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            for path in paths
        ]

    def probabilities(self, crops: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each network's softmax (n × 3) for its crops (n × 80 × 80 × 3, or one 80 × 80 × 3)."""
        answers = []
        for session, batch in zip(self.sessions, crops, strict=True):
            batch = np.asarray(batch, dtype=np.float32)
            if batch.ndim == 3:
                batch = batch[np.newaxis]
            answers.append(session.run(None, {session.get_inputs()[0].name: batch})[0])
        return answers

    def analyze(self, img: np.ndarray, facial_area: Sequence[int]) -> tuple[bool, float]:
        """(is real, confidence 0.5–1.0) for the face at ``facial_area`` (x, y, w, h) of BGR ``img``."""
        total = np.zeros((1, 3))  # float64, as deepface sums them
        for answer in self.probabilities(antispoof_crops(img, facial_area)):
            total += answer
        label = int(np.argmax(total[0]))
        return label == REAL_LABEL, float(total[0][label] / 2)


@functools.cache
def antispoof_model() -> Any:
    """The networks, loaded once per process. Raises FileNotFoundError when never exported here."""
    paths = antispoof_onnx_paths()
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)}: run `manage.py biometrics_export_antispoof`")
    return MiniFasNet(paths)
