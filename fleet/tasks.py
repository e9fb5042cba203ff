"""Background work for the catalogue. Tasks take ids, re-load, and call the service; each is
idempotent, so a redelivered task changes nothing twice."""

from celery import shared_task

from fleet.photos import carphoto_list_without_renditions
from fleet.photos import carphoto_renditions_make as _renditions_make
from vendingstore.queueing import delay_safely

RETRY = {"autoretry_for": (Exception,), "max_retries": 3, "retry_backoff": True, "retry_jitter": True}
SWEEP_BATCH = 200


@shared_task(name="fleet.tasks.carphoto_renditions_make", ignore_result=True, acks_late=True, **RETRY)
def carphoto_renditions_make(photo_id: int) -> bool:
    return _renditions_make(photo_id=photo_id)


@shared_task(name="fleet.tasks.carphoto_renditions_sweep", ignore_result=True, acks_late=True)
def carphoto_renditions_sweep() -> int:
    """Beat: queue the photos still without copies (their upload's task was lost)."""
    ids = list(carphoto_list_without_renditions().values_list("pk", flat=True)[:SWEEP_BATCH])
    for photo_id in ids:
        delay_safely(carphoto_renditions_make, photo_id)
    return len(ids)
