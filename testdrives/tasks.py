"""Background work for test drives. Tasks take ids, re-load, and call a service; each is
idempotent, so a redelivered task (late acknowledgement) changes nothing twice."""

from celery import shared_task
from django.db import transaction

from testdrives.notify import notification_deliver as _deliver
from testdrives.services import instant, operator, tower_moves
from testdrives.services.sweeps import testdrives_sweep as _sweep
from tower.conf import controller_mode
from tower.selectors import towers_connected

RETRY = {"autoretry_for": (Exception,), "max_retries": 5, "retry_backoff": True, "retry_jitter": True}


@shared_task(name="testdrives.tasks.notification_deliver", ignore_result=True, **RETRY)
def notification_deliver(notification_id: int) -> bool:
    return _deliver(notification_id=notification_id)


@shared_task(name="testdrives.tasks.instant_retrieve", ignore_result=True, **RETRY)
def instant_retrieve(test_drive_id: int) -> bool:
    return instant.instant_retrieve(test_drive_id=test_drive_id)


@shared_task(name="testdrives.tasks.instant_stow", ignore_result=True, **RETRY)
def instant_stow(vehicle_id: int) -> bool:
    return instant.instant_stow(vehicle_id=vehicle_id)


@shared_task(name="testdrives.tasks.dispatching_sweep", ignore_result=True, acks_late=True)
def dispatching_sweep() -> int:
    """Beat (with the tower's outbox flush): bookings waiting for their car get their retrieve."""
    return tower_moves.dispatching_sweep() if controller_mode() else 0


@shared_task(name="testdrives.tasks.prestage_all", ignore_result=True, acks_late=True)
def prestage_all() -> dict[str, int]:
    """Beat: in idle lift time, ask each tower to bring its next bookings' cars nearer the bays."""
    result = {}
    for tower in towers_connected():
        with transaction.atomic():
            result[tower.code] = len(tower_moves.testdrives_prestage(tower=tower))
    return result


@shared_task(name="testdrives.tasks.testdrives_sweep", ignore_result=True)
def testdrives_sweep() -> dict[str, int]:
    """Every minute, by beat: no-shows, check-ins left, overdue cars, reminders, unpaid fee bookings."""
    return _sweep()


@shared_task(name="testdrives.tasks.overdue_reminder_send", ignore_result=True, **RETRY)
def overdue_reminder_send(test_drive_id: int, asked_at: str) -> bool:
    """An operator's reminder to a member whose car is overdue (sent once per click)."""
    return operator.overdue_reminder_send(test_drive_id=test_drive_id, asked_at=asked_at)
