"""Fleet's Celery tasks, where Celery's autodiscovery looks for them (``<app>.tasks``)."""

from fleet.tower.tasks import (
    tower_catch_up_task,
    tower_command_send_task,
    tower_outbox_flush,
    tower_prestage_all,
    tower_reconcile_all,
)

__all__ = [
    "tower_catch_up_task",
    "tower_command_send_task",
    "tower_outbox_flush",
    "tower_prestage_all",
    "tower_reconcile_all",
]
