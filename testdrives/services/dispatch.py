"""How a booked car reaches a delivery bay and goes back into storage.

The booking's services call ``dispatch_retrieve`` and ``dispatch_store_back`` inside their
transaction; the move starts after commit. With ``TOWER_DISPATCHER = "instant"`` (a store without
a tower controller, and the demo) a worker moves the car in our records at once; the tower
controller integration replaces these two entry points with its command outbox.
"""

from django.conf import settings
from django.db import transaction


def dispatch_retrieve(*, test_drive_id: int) -> None:
    """Bring the booking's car to a delivery bay, after the current transaction commits."""
    from testdrives import tasks

    if settings.TOWER_DISPATCHER == "instant":
        transaction.on_commit(lambda: tasks.instant_retrieve.delay(test_drive_id))


def dispatch_store_back(*, vehicle_id: int) -> None:
    """Put a car standing in a delivery bay back into storage, after commit."""
    from testdrives import tasks

    if settings.TOWER_DISPATCHER == "instant":
        transaction.on_commit(lambda: tasks.instant_store.delay(vehicle_id))
