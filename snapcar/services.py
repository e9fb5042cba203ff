"""Writing the snap-a-car index: embed catalogue photos, fit the classifier.

Tasks and commands call these (``receivers`` queues the tasks when fleet's photos change); each
is idempotent, because Celery acks late and may run a task twice.
"""

import hashlib

import numpy as np

from fleet.models import CarPhoto
from snapcar.classifier import classifier_fit
from snapcar.conf import WORK_SIDE, upload_limits
from snapcar.models import CarPhotoIndex, SnapcarClassifier
from vendingstore.uploads import image_decode


def snapcar_index_photo(*, photo_id: int, force: bool = False) -> CarPhotoIndex | None:
    """Index one photo; None when it no longer exists. Skips a photo already indexed from the
    same image file unless ``force``. A photo that does not decode is left unindexed and the
    error raised (the task logs it; the photo stays visible in the catalogue)."""
    # Imported here for start-up time, not for a cycle: the task registry imports this module in every process at
    # start-up, and the analysis pulls in onnxruntime and OpenCV (about 0.2 s) that only
    # indexing needs.
    from snapcar.analysis import photo_analyse

    photo = CarPhoto.objects.filter(pk=photo_id).first()
    if photo is None or not photo.image:
        return None
    current = CarPhotoIndex.objects.filter(photo=photo, image_name=photo.image.name).first()
    if current is not None and not force:
        return current
    with photo.image.open("rb") as f:
        rgb = image_decode(data=f.read(), limits=upload_limits(in_worker=True), max_side=WORK_SIDE)
    analysis = photo_analyse(rgb)
    row, _ = CarPhotoIndex.objects.update_or_create(
        photo=photo,
        defaults={
            "image_name": photo.image.name,
            "embedding": analysis.embedding.astype(np.float32).tobytes(),
            "keypoints": analysis.keypoints.to_bytes(),
            "vehicle_probability": analysis.vehicle_probability,
            "paint_family": analysis.paint.family,
        },
    )
    return row


def _index_fingerprint(rows: list[tuple[int, int, str]]) -> str:
    digest = hashlib.sha256()
    for photo_id, model_id, image_name in rows:
        digest.update(f"{photo_id}:{model_id}:{image_name}\n".encode())
    return digest.hexdigest()


def snapcar_train() -> SnapcarClassifier | None:
    """Fit the classifier to every indexed photo of a listed model; None with fewer than two
    such models. Returns the existing row when the index has not changed since it was fitted."""
    rows = list(
        CarPhotoIndex.objects.filter(photo__car_model__is_listed=True)
        .order_by("photo_id")
        .values_list("photo_id", "photo__car_model_id", "image_name", "embedding")
    )
    if len({row[1] for row in rows}) < 2:
        return None
    fingerprint = _index_fingerprint([row[:3] for row in rows])
    existing = SnapcarClassifier.objects.filter(fingerprint=fingerprint).first()
    if existing is not None:
        return existing
    embeddings = np.stack([np.frombuffer(bytes(row[3]), dtype=np.float32) for row in rows])
    fitted = classifier_fit(embeddings, [row[1] for row in rows])
    packed = np.concatenate([fitted.weights, fitted.biases[:, None]], axis=1).astype(np.float32)
    classifier, _ = SnapcarClassifier.objects.get_or_create(
        fingerprint=fingerprint,
        defaults={"weights": packed.tobytes(), "model_ids": fitted.model_ids, "photo_count": len(rows)},
    )
    # Only the newest is ever read; older rows would just take space.
    SnapcarClassifier.objects.exclude(pk=classifier.pk).delete()
    return classifier


def snapcar_reindex_all(*, force: bool = False) -> tuple[int, int]:
    """Index every photo (again with ``force``), then fit. Returns (indexed, failed)."""
    indexed = failed = 0
    for photo_id in CarPhoto.objects.order_by("pk").values_list("pk", flat=True):
        try:
            snapcar_index_photo(photo_id=photo_id, force=force)
            indexed += 1
        except Exception:  # one bad file must not stop the others; the command reports it
            failed += 1
    snapcar_train()
    return indexed, failed
