"""Celery tasks of the tower link: thin, idempotent, keyed by primary keys (STYLE.md §4).

Retries of a command are the outbox row's (attempts, next_attempt_at with backoff and jitter);
the beat's ``tower_outbox_flush`` re-sends whatever is due, so a lost task loses nothing.
"""

import logging

from celery import shared_task

from fleet.models import Tower
from tower.client import client_for
from tower.inbox import catch_up
from tower.reconcile import tower_reconcile
from tower.selectors import towers_connected
from tower.sender import command_send, commands_due

logger = logging.getLogger(__name__)

TASK_OPTIONS = {"acks_late": True, "soft_time_limit": 30, "time_limit": 45, "ignore_result": True}


@shared_task(**TASK_OPTIONS)
def tower_command_send_task(command_pk: int) -> str:
    return command_send(command_pk=command_pk)


@shared_task(**TASK_OPTIONS)
def tower_catch_up_task(tower_pk: int) -> int:
    """Fill a seq gap from the controller's log (queued by the webhook when it sees one)."""
    tower = Tower.objects.get(pk=tower_pk)
    client = client_for(tower)
    return catch_up(tower=tower, client=client) if client else 0


@shared_task(**TASK_OPTIONS)
def tower_outbox_flush() -> int:
    """Beat: send every due pending command."""
    due = commands_due()
    for pk in due:
        command_send(command_pk=pk)
    return len(due)


@shared_task(**{**TASK_OPTIONS, "soft_time_limit": 50, "time_limit": 60})
def tower_reconcile_all() -> dict[str, str]:
    """Beat: catch up and compare every tower that has a controller."""
    return {tower.code: tower_reconcile(tower=tower) for tower in _connected_towers()}


def _connected_towers() -> list[Tower]:
    return towers_connected()
