"""The image model at query time: onnxruntime, one thread, EfficientNet-Lite0 (ImageNet).

Three things come out of one network: how likely the picture shows a vehicle (ImageNet's car
classes), where it is (the vehicle rows of the class map, a class-activation map), and a
1280-number embedding of the car's region that the catalogue index compares.
"""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import onnxruntime as ort

from snapcar.classifier import softmax
from snapcar.model_file import model_path_or_raise

# ImageNet classes that are a road vehicle or part of one (wheel, grille, mirror). Buses,
# trains and bikes are left out: we sell cars, and a bus is not one of them.
VEHICLE_CLASSES = np.array(
    [
        407,  # ambulance
        436,  # beach wagon (estate)
        468,  # cab
        475,  # car mirror
        479,  # car wheel
        511,  # convertible
        555,  # fire engine
        569,  # garbage truck
        581,  # grille
        609,  # jeep
        627,  # limousine
        656,  # minivan
        661,  # Model T
        675,  # moving van
        717,  # pickup
        734,  # police van
        751,  # racer
        817,  # sports car
        864,  # tow truck
        867,  # trailer truck
    ]
)
EMBED_SIDE = 224
# The locating pass sees the whole photo at this long side: a 10×7 class map for a 4:3 photo.
LOCATE_SIDE = 320


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the image it was found in: x1, y1 inclusive, x2, y2 exclusive."""

    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Look:
    """What the locating pass saw in a whole photo."""

    vehicle_probability: float
    box: Box


@functools.cache
def _session() -> "ort.InferenceSession":
    # OpenCV and onnxruntime load with the first photo, not in every web process (~80 MB each).
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread per query: two cores serve two customers at once better than one faster.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(model_path_or_raise()), options, providers=["CPUExecutionProvider"])


def _tensor(rgb: np.ndarray) -> np.ndarray:
    """uint8 H×W×3 -> float32 1×3×H×W, normalised the way the weights were trained."""
    x = (rgb.astype(np.float32) - 127.0) / 128.0
    return x.transpose(2, 0, 1)[None]


def _run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    features, class_map = _session().run(None, {"image": batch})
    return features, class_map


def _resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def look(rgb: np.ndarray) -> Look:
    """Is there a vehicle in this photo, and where is the largest one?

    The photo is scaled (aspect kept, sides rounded to the network's stride of 32) so its long
    side is LOCATE_SIDE. The box is the largest connected region of the vehicle activation
    above a third of its peak, in the coordinates of ``rgb``; the whole photo when nothing stands out.
    """
    h, w = rgb.shape[:2]
    scale = LOCATE_SIDE / max(h, w)
    th, tw = (max(32, round(h * scale / 32) * 32), max(32, round(w * scale / 32) * 32))
    _, class_map = _run(_tensor(_resize(rgb, tw, th)))
    cmap = class_map[0]
    probabilities = softmax(cmap.mean(axis=(1, 2)))
    vehicle = probabilities[VEHICLE_CLASSES]
    # Weight each vehicle class's map by how sure the network is of that class.
    activation = np.tensordot(vehicle, cmap[VEHICLE_CLASSES], axes=1)
    return Look(
        vehicle_probability=float(vehicle.sum()),
        box=_activation_box(activation, w, h),
    )


def _activation_box(activation: np.ndarray, width: int, height: int) -> Box:
    import cv2

    peak = float(activation.max())
    if peak <= 0:
        return Box(0, 0, width, height)
    mask = (activation >= peak / 3).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if count > 1 else 0
    x, y, bw, bh = stats[largest, :4]
    gh, gw = activation.shape
    # A map cell is 32 px of the scaled photo; widen by half a cell, as activations peak inside.
    sx, sy = width / gw, height / gh
    return Box(
        max(0, int((x - 0.5) * sx)),
        max(0, int((y - 0.5) * sy)),
        min(width, int((x + bw + 0.5) * sx)),
        min(height, int((y + bh + 0.5) * sy)),
    )


def embed(rgb: np.ndarray) -> np.ndarray:
    """The L2-normalised 1280-float embedding of a (cropped) car, mean of it and its mirror image.

    Mirroring makes a car facing left and one facing right look alike to the index. Pooling is
    generalised-mean (p=3), between average and max: it favours the strongest part responses
    (lights, grille), which told models apart better than plain averaging (bench/snapcar.py).
    """
    square = _resize(rgb, EMBED_SIDE, EMBED_SIDE)
    batch = np.concatenate([_tensor(square), _tensor(square[:, ::-1])])
    features, _ = _run(np.ascontiguousarray(batch))
    pooled = np.cbrt((features.astype(np.float64) ** 3).mean(axis=(2, 3))).mean(axis=0)
    return (pooled / (np.linalg.norm(pooled) + 1e-12)).astype(np.float32)
