"""The catalogue index in memory, as a query reads it, reloaded only when the database changed.

Every query asks the database one cheap question (how many rows, the newest one, which
classifier); the vectors are read again only when that answer differs from the cached one.
"""

import threading
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Max

from snapcar.classifier import Classifier
from snapcar.keypoints import Features
from snapcar.models import CarPhotoIndex, SnapcarClassifier

EMBEDDING_SIZE = 1280


@dataclass
class LoadedIndex:
    """Rows of indexed photos of listed models: photo ids, their model ids and embeddings (N×D)."""

    version: tuple
    photo_ids: list[int]
    model_ids: np.ndarray
    embeddings: np.ndarray
    classifier: Classifier | None
    _keypoints: dict[int, bytes] = field(default_factory=dict)

    def keypoints(self, photo_id: int) -> Features:
        return Features.from_bytes(self._keypoints[photo_id])

    @property
    def is_empty(self) -> bool:
        return not self.photo_ids


_lock = threading.Lock()
_cached: LoadedIndex | None = None


def _version() -> tuple:
    stats = CarPhotoIndex.objects.filter(photo__car_model__is_listed=True).aggregate(
        n=Count("pk"), newest=Max("indexed_at")
    )
    classifier_id = SnapcarClassifier.objects.values_list("pk", flat=True).first()
    return (stats["n"], stats["newest"], classifier_id)


def index_load() -> LoadedIndex:
    """The current index, from the process cache when nothing changed since it was read."""
    global _cached
    version = _version()
    with _lock:
        if _cached is None or _cached.version != version:
            _cached = _read(version)
        return _cached


def _read(version: tuple) -> LoadedIndex:
    rows = list(
        CarPhotoIndex.objects.filter(photo__car_model__is_listed=True)
        .order_by("photo_id")
        .values_list("photo_id", "photo__car_model_id", "embedding", "keypoints")
    )
    embeddings = (
        np.stack([np.frombuffer(bytes(r[2]), dtype=np.float32) for r in rows])
        if rows
        else np.zeros((0, EMBEDDING_SIZE), np.float32)
    )
    return LoadedIndex(
        version=version,
        photo_ids=[r[0] for r in rows],
        model_ids=np.array([r[1] for r in rows], dtype=np.int64),
        embeddings=embeddings,
        classifier=_classifier(),
        _keypoints={r[0]: bytes(r[3]) for r in rows},
    )


def _classifier() -> Classifier | None:
    row = SnapcarClassifier.objects.first()
    if row is None:
        return None
    packed = np.frombuffer(bytes(row.weights), dtype=np.float32).reshape(
        len(row.model_ids), EMBEDDING_SIZE + 1
    )
    return Classifier(weights=packed[:, :-1], biases=packed[:, -1], model_ids=list(row.model_ids))
