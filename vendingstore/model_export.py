"""Running a set-up export step in the set-up virtualenv, the one place PyTorch is installed.

The store's own environment has no torch (it runs the image networks with onnxruntime). Exporting
them to ONNX needs it, so ``bin/lib.sh`` keeps a second virtualenv for that step alone
(``requirements-export.txt``, at ``MODEL_EXPORT_PYTHON``), and the export commands run a
Django-free module of ours in it (``python -m <module> ...``).
"""

import subprocess
from pathlib import Path

from django.conf import settings


class ExportEnvironmentMissing(RuntimeError):
    """The set-up virtualenv is not there: bin/run and bin/test create it when an export is due."""


def export_python() -> Path:
    return Path(settings.MODEL_EXPORT_PYTHON)


def export_run(*, module: str, args: list[str]) -> str:
    """Run ``python -m module *args`` in the set-up virtualenv from the project folder; its stdout.

    Raises ExportEnvironmentMissing without that virtualenv, CalledProcessError (with the step's
    stderr) when the step fails.
    """
    python = export_python()
    if not python.exists():
        raise ExportEnvironmentMissing(
            f"{python} is missing: the export needs the set-up virtualenv with PyTorch "
            "(bin/run and bin/test create it, bin/lib.sh setup_export_python)"
        )
    done = subprocess.run(
        [str(python), "-W", "ignore::DeprecationWarning", "-m", module, *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return done.stdout
