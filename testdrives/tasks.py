"""Background work for test drives. Tasks take ids, re-load, and call a service; each is
idempotent, so a redelivered task (late acknowledgement) changes nothing twice."""

from celery import shared_task

from testdrives.notify import notification_deliver as _deliver
from testdrives.services import instant
from testdrives.services.sweeps import testdrives_sweep as _sweep

RETRY = {"autoretry_for": (Exception,), "max_retries": 5, "retry_backoff": True, "retry_jitter": True}


@shared_task(name="testdrives.tasks.notification_deliver", ignore_result=True, **RETRY)
def notification_deliver(notification_id: int) -> bool:
    return _deliver(notification_id=notification_id)


@shared_task(name="testdrives.tasks.instant_retrieve", ignore_result=True, **RETRY)
def instant_retrieve(test_drive_id: int) -> bool:
    return instant.instant_retrieve(test_drive_id=test_drive_id)


@shared_task(name="testdrives.tasks.instant_store", ignore_result=True, **RETRY)
def instant_store(vehicle_id: int) -> bool:
    return instant.instant_store(vehicle_id=vehicle_id)


@shared_task(name="testdrives.tasks.testdrives_sweep", ignore_result=True)
def testdrives_sweep() -> dict[str, int]:
    """Every minute, by beat: no-shows, check-ins left, overdue cars, reminders, unpaid fee bookings."""
    return _sweep()
