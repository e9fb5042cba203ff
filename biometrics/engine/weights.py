"""Model weights on local disk, so that deepface never downloads anything at run time.

deepface looks for every weight file in ``$DEEPFACE_HOME/.deepface/weights/`` and downloads the
missing ones from the internet; our machines have no internet. The Dlib face model and dlib's
landmark predictors ship in the ``face_recognition_models`` package. The MiniFASNet anti-spoofing
networks are exported to ONNX at set-up (``manage.py biometrics_export_antispoof``, with PyTorch in
the set-up virtualenv) from the PyTorch weights in a directory named by a setting, into the same
folder; the store only reads the ONNX files.
"""

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from biometrics.antispoof_export import NETWORKS

# Files of face_recognition_models that deepface's Dlib model and detector, and our landmark
# checks, load by these exact names.
RECOGNITION_FILES = (
    "dlib_face_recognition_resnet_model_v1.dat",
    "shape_predictor_5_face_landmarks.dat",
    "shape_predictor_68_face_landmarks.dat",
)
# MiniFASNet's PyTorch weights, by the names deepface gives them; no package ships them. Read from
# BIOMETRICS_ANTISPOOF_WEIGHTS_DIR by the set-up step only.
ANTISPOOF_FILES = tuple(pth for pth, _onnx, _class in NETWORKS)
# What the store loads: the same networks as ONNX, exported at set-up into weights_dir().
ANTISPOOF_ONNX_FILES = tuple(onnx for _pth, onnx, _class in NETWORKS)


class WeightsMissing(RuntimeError):
    """A weight file is neither in place nor anywhere we may copy it from."""


def deepface_home() -> Path:
    """The DEEPFACE_HOME directory from settings (deepface adds ``.deepface/weights`` to it)."""
    return Path(settings.BIOMETRICS_DEEPFACE_HOME)


def weights_dir() -> Path:
    """Where deepface looks for weight files."""
    return deepface_home() / ".deepface" / "weights"


def point_deepface_home() -> None:
    """Make deepface use our DEEPFACE_HOME.

    Must run before ``deepface`` is first imported: the import creates its folders under the
    home it finds then, and every weight lookup reads the variable again.
    """
    os.environ["DEEPFACE_HOME"] = str(deepface_home())


def _copy_into_place(source: Path, target: Path) -> None:
    """Copy atomically, so that a second worker starting at the same time never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _face_recognition_models_dir() -> Path:
    """The package's data folder, found without importing it: its __init__ needs pkg_resources,
    which new setuptools no longer ships, and we only want its files."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise ImportError("face_recognition_models is not installed")
    return Path(spec.origin).resolve().parent / "models"


def ensure_recognition_weights() -> Path:
    """Put the Dlib model and landmark predictors in deepface's weights folder; return the folder.

    Idempotent and cheap once done (one ``stat`` per file). Raises WeightsMissing when the
    ``face_recognition_models`` package is not installed.
    """
    point_deepface_home()
    target_dir = weights_dir()
    missing = [name for name in RECOGNITION_FILES if not (target_dir / name).is_file()]
    if missing:
        try:
            source_dir = _face_recognition_models_dir()
        except ImportError as exc:
            raise WeightsMissing("install face_recognition_models (requirements.txt)") from exc
        for name in missing:
            _copy_into_place(source_dir / name, target_dir / name)
    return target_dir


def antispoof_onnx_paths() -> list[Path]:
    """The exported MiniFASNet networks, in the order their answers are summed."""
    return [weights_dir() / name for name in ANTISPOOF_ONNX_FILES]


def ensure_antispoof_weights() -> bool:
    """True when the anti-spoofing networks were exported to ONNX here (at set-up).

    False means anti-spoofing is unavailable here (no PyTorch weights to export them from, or the
    set-up step never ran); callers report that instead of letting deepface download anything.
    Nothing is converted here: exporting needs PyTorch, which only the set-up virtualenv has.
    """
    point_deepface_home()
    return all(path.is_file() for path in antispoof_onnx_paths())


def landmarks_68_path() -> Path:
    """dlib's 68-point landmark predictor (eyes for blink and eyes-closed, nose for head turn)."""
    return ensure_recognition_weights() / "shape_predictor_68_face_landmarks.dat"
