"""Fleet's Celery tasks, where Celery's autodiscovery looks for them (``<app>.tasks``)."""

from fleet.snapcar.tasks import snapcar_index_photo_task, snapcar_train_task
from fleet.tower.tasks import (
    tower_catch_up_task,
    tower_command_send_task,
    tower_outbox_flush,
    tower_prestage_all,
    tower_reconcile_all,
)

__all__ = [
    "snapcar_index_photo_task",
    "snapcar_train_task",
    "tower_catch_up_task",
    "tower_command_send_task",
    "tower_outbox_flush",
    "tower_prestage_all",
    "tower_reconcile_all",
]
