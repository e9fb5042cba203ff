"""Embeddings and 1:1 comparison: the fast path of DESIGN.md §5.

One detection on a ≤ 640 px copy, landmarks and the aligned crop on the original, one forward
pass of the recognition model, loaded once per process: SFace (OpenCV dnn, cosine distance) by
default, or deepface's Dlib (Euclidean distance) by setting.
"""

import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.conf import settings

from .faces import Face, mean_eye_aspect_ratio, single_face
from .images import DETECTION_MAX_SIDE, ImageInput, load_reduced
from .quality import check_crop
from .sface import arcface_crop, cosine_distance, sface_vector
from .weights import ensure_recognition_weights, point_deepface_home

# A reduced decode (images.load_reduced) is used when its face is at least this wide; a smaller
# face is decoded again, finer: the aligned crops (150 px for the quality gate and Dlib, 112 px
# for SFace) are then always shrunk from real pixels, never enlarged, as from the full image.
FACE_DETAIL_PX = 150
# dlib's face recognition model was trained on 150 px crops with a quarter of padding around the
# landmarks' extent; other sizes or paddings cost accuracy.
CROP_SIZE = 150
CROP_PADDING = 0.25

SFACE = "SFace"
# Distance thresholds calibrated on the shared labelled pairs for our crops, each by the rule
# written in docs/BIOMETRICS.md: SFace in cosine distance, Dlib in Euclidean distance. A model
# without an entry falls back to deepface's published (Euclidean) threshold.
CALIBRATED_THRESHOLDS = {SFACE: 0.58, "Dlib": 0.60}
# The metric each model's vectors are compared with; deepface models not listed: Euclidean.
METRICS = {SFACE: "cosine"}


@dataclass(frozen=True)
class Embedding:
    """A face template: the model's vector and the name of the model that made it.

    Vectors from different models are not comparable; compare() refuses them.
    """

    vector: np.ndarray = field(repr=False)
    model: str

    def to_bytes(self) -> bytes:
        """Little-endian float32, for storage (encrypt it: it is biometric data)."""
        return self.vector.astype("<f4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, model: str) -> "Embedding":
        return cls(np.frombuffer(data, dtype="<f4").astype(float), model)


class Comparison(NamedTuple):
    """Distance between two embeddings in their model's metric (cosine for SFace, Euclidean for
    Dlib), the threshold used, and whether it is a match."""

    distance: float
    threshold: float
    match: bool


@dataclass(frozen=True)
class AcceptedFace:
    """A photo that passed the quality gate: its face, embedding and quality measures."""

    face: Face
    embedding: Embedding
    measures: dict[str, float]


def model_name() -> str:
    return settings.BIOMETRICS_MODEL


def metric_for(model: str) -> str:
    return METRICS.get(model, "euclidean")


def threshold_for(model: str) -> float:
    """The match threshold (in the model's metric) for ``model``: the setting, else calibrated."""
    if settings.BIOMETRICS_THRESHOLD is not None:
        return float(settings.BIOMETRICS_THRESHOLD)
    if model in CALIBRATED_THRESHOLDS:
        return CALIBRATED_THRESHOLDS[model]
    point_deepface_home()  # importing deepface creates folders under the home it finds
    from deepface.modules.verification import find_threshold

    return float(find_threshold(model, "euclidean"))


@functools.cache
def _recognition_model() -> Any:
    """deepface's model client, built once per process from local weights only."""
    ensure_recognition_weights()
    from deepface.modules import modeling

    return modeling.build_model(task="facial_recognition", model_name=model_name())


def aligned_crop(rgb: np.ndarray, face: Face) -> np.ndarray:
    """The face rotated upright and scaled to CROP_SIZE px square, RGB uint8."""
    import dlib

    return np.asarray(dlib.get_face_chip(rgb, face.shape, size=CROP_SIZE, padding=CROP_PADDING))


def vector_of(crop_rgb: np.ndarray) -> np.ndarray:
    """A deepface model's embedding of dlib's aligned crop (deepface wants BGR)."""
    model = _recognition_model()
    bgr = np.ascontiguousarray(crop_rgb[:, :, ::-1])
    if model.model_name == "Dlib":
        # Its client takes the uint8 crop as is: skipping represent()'s resize and normalise
        # round trip saves ~20 ms and gives the same vector.
        return np.asarray(model.forward(bgr), dtype=float)
    from deepface import DeepFace

    found = DeepFace.represent(bgr, model_name=model.model_name, detector_backend="skip", align=False)
    return np.asarray(found[0]["embedding"], dtype=float)


@dataclass(eq=False)
class Frame:
    """A decoded picture and its one face, with the aligned crop and embedding computed on first
    use: a pickup's quality gate, anti-spoofing and challenge all look at its first frame, which is
    decoded, detected and embedded once."""

    rgb: np.ndarray = field(repr=False)
    face: Face
    # Original pixels per pixel of ``rgb`` (2, 4 or 8 for a JPEG decoded reduced); ``face`` is in
    # ``rgb``'s pixels.
    scale: int = 1

    @property
    def face_width_px(self) -> int:
        """The face box's width in the original picture's pixels (the quality gate's unit)."""
        return self.face.width * self.scale

    @functools.cached_property
    def crop(self) -> np.ndarray:
        return aligned_crop(self.rgb, self.face)

    @functools.cached_property
    def arcface_crop(self) -> np.ndarray:
        return arcface_crop(self.rgb, self.face)

    @functools.cached_property
    def embedding(self) -> Embedding:
        model = model_name()
        if model == SFACE:
            return Embedding(sface_vector(self.arcface_crop), model)
        return Embedding(vector_of(self.crop), model)


def frame_of(image: ImageInput | Frame) -> Frame:
    """``image`` decoded with its one face found (a Frame as it is); raises FaceRefused.

    A large JPEG is decoded reduced (a 2,400 px photo at half size costs a third of a full
    decode), which is all detection needs; when the face found is narrower than FACE_DETAIL_PX
    there, the picture is decoded again at the scale that gives it that many pixels.
    """
    if isinstance(image, Frame):
        return image
    source = image.read() if hasattr(image, "read") else image  # read a file once for two decodes
    rgb, scale = load_reduced(source, long_side=DETECTION_MAX_SIDE)
    face = single_face(rgb, scale=scale)
    if scale > 1 and face.width < FACE_DETAIL_PX:
        finer = scale
        while finer > 1 and face.width * scale / finer < FACE_DETAIL_PX:
            finer //= 2
        finer_rgb, finer = load_reduced(source, scale=finer)
        face = face.scaled(finer_rgb, scale / finer)
        rgb, scale = finer_rgb, finer
    return Frame(rgb, face, scale)


def accept(image: ImageInput | Frame) -> AcceptedFace:
    """Decode, run the quality gate and embed; raises FaceRefused with the retake reason."""
    frame = frame_of(image)
    grey = np.asarray(np.dot(frame.crop[..., :3], [0.299, 0.587, 0.114]), dtype=np.uint8)
    measures = check_crop(grey, mean_eye_aspect_ratio(frame.face))
    measures["face_width_px"] = float(frame.face_width_px)
    return AcceptedFace(frame.face, frame.embedding, measures)


def embed(image: ImageInput | Frame) -> Embedding:
    """The template of the one face in ``image``; raises FaceRefused when it should be retaken."""
    return accept(image).embedding


def compare(a: Embedding, b: Embedding) -> Comparison:
    """1:1 decision: match when the distance is at or below the model's threshold.

    Vectors of different models live in different spaces: comparing them is a bug, refused.
    """
    if a.model != b.model:
        raise ValueError(f"cannot compare a {a.model} embedding with a {b.model} one")
    if metric_for(a.model) == "cosine":
        distance = cosine_distance(a.vector, b.vector)
    else:
        distance = float(np.linalg.norm(a.vector - b.vector))
    threshold = threshold_for(a.model)
    return Comparison(distance, threshold, distance <= threshold)
