"""Fleet's Celery tasks, where Celery's autodiscovery looks for them (``<app>.tasks``)."""

from fleet.snapcar.tasks import snapcar_index_photo_task, snapcar_train_task

__all__ = [
    "snapcar_index_photo_task",
    "snapcar_train_task",
]
