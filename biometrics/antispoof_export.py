"""Export deepface's MiniFASNet anti-spoofing pair to ONNX, with PyTorch, at set-up only.

Run by the set-up virtualenv (``var/export-venv``, ``requirements-export.txt``), never by the
store: no Django, no project imports, so it runs where only torch and deepface's layer code are::

    python -m biometrics.antispoof_export --weights DIR --out DIR [--crops FILE]

``manage.py biometrics_export_antispoof`` runs it. Each network becomes one ONNX file named as
deepface names its own ONNX exports, taking what deepface's PyTorch ``Fasnet.analyze`` feeds it
(an 80×80 BGR crop, pixels 0–255, not normalised) but channels last, and giving the softmax: the
store runs them with onnxruntime (``biometrics.engine.antispoof``).

``--crops`` (an ``.npz`` of the store's own crops of the shared samples, made by the command)
records PyTorch's probabilities on them next to the ONNX files (``REFERENCE_FILE``), so a test can
check that onnxruntime decides as PyTorch did, on the machine where the files were made.
"""

import argparse
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

# (the .pth file deepface loads, the ONNX file written, the backbone class in deepface)
NETWORKS = (
    ("2.7_80x80_MiniFASNetV2.pth", "2.7_80x80_MiniFASNetV2.onnx", "MiniFASNetV2"),
    ("4_0_0_80x80_MiniFASNetV1SE.pth", "4_0_0_80x80_MiniFASNetV1SE.onnx", "MiniFASNetV1SE"),
)
REFERENCE_FILE = "antispoof-reference.npz"
SIDE = 80


def _network(weights: Path, class_name: str) -> Any:
    """The backbone with its weights, in eval mode, as deepface's PyTorch ``Fasnet`` builds it."""
    import torch
    from deepface.models.spoofing.pytorch import FasNetBackbone

    network = getattr(FasNetBackbone, class_name)(conv6_kernel=(5, 5))
    state = torch.load(weights, map_location="cpu", weights_only=True)
    # Saved from DataParallel, the keys may carry a "module." prefix (deepface strips it too).
    state = OrderedDict((key.removeprefix("module."), value) for key, value in state.items())
    network.load_state_dict(state)
    return network.eval()


def _deployed(network: Any) -> Any:
    """Channels-last input and the softmax inside the graph: the runtime needs no transposes."""
    import torch

    class Deployed(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, crops: torch.Tensor) -> torch.Tensor:
            return torch.softmax(self.network(crops.permute(0, 3, 1, 2)), dim=1)

    return Deployed().eval()


def _write_onnx(model: Any, path: Path) -> None:
    """Written to a temporary file and renamed, so a reader never sees half a model."""
    import torch

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        torch.onnx.export(
            model,
            (torch.zeros(1, SIDE, SIDE, 3),),
            tmp,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a plain graph
            input_names=["crops"],
            output_names=["probabilities"],
            dynamic_axes={"crops": {0: "batch"}, "probabilities": {0: "batch"}},
            opset_version=17,
        )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; web and worker may run as other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _probabilities(model: Any, crops: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model(torch.from_numpy(crops.astype(np.float32))).numpy()


def export(*, weights: Path, out: Path, crops: Path | None = None) -> list[Path]:
    """Write both ONNX files into ``out`` (and the reference when ``crops`` is given)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    reference: dict[str, np.ndarray] = {}
    samples = dict(np.load(crops)) if crops else None
    for index, (pth, onnx_name, class_name) in enumerate(NETWORKS):
        model = _deployed(_network(weights / pth, class_name))
        _write_onnx(model, out / onnx_name)
        written.append(out / onnx_name)
        if samples is not None:
            reference[f"crops_{index}"] = samples[f"crops_{index}"]
            reference[f"torch_{index}"] = _probabilities(model, samples[f"crops_{index}"])
    if samples is not None:
        reference["names"] = samples["names"]
        if "detection" in samples:  # the search whose boxes the crops follow
            reference["detection"] = samples["detection"]
        np.savez(out / REFERENCE_FILE, allow_pickle=False, **reference)
        written.append(out / REFERENCE_FILE)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, required=True, help="folder with the two .pth files")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the ONNX files into")
    parser.add_argument("--crops", type=Path, help=".npz of crops to record PyTorch's answers on")
    args = parser.parse_args()
    for path in export(weights=args.weights, out=args.out, crops=args.crops):
        print(path)


if __name__ == "__main__":
    main()
