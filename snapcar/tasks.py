"""Celery tasks: thin, idempotent, by primary key (found by Celery's autodiscovery of ``snapcar.tasks``)."""

from celery import shared_task

from snapcar.services import snapcar_index_photo, snapcar_train

TASK_OPTIONS = {
    "acks_late": True,
    "max_retries": 3,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="snapcar.index_photo", autoretry_for=(OSError,), **TASK_OPTIONS)
def snapcar_index_photo_task(photo_id: int) -> None:
    """Index one photo, then fit the classifier to the index as it now is."""
    if snapcar_index_photo(photo_id=photo_id) is not None:
        snapcar_train_task.delay()


@shared_task(name="snapcar.train", **TASK_OPTIONS)
def snapcar_train_task() -> None:
    snapcar_train()
