"""How a booked car reaches a delivery bay and goes back into storage.

The booking's services call ``dispatch_retrieve`` and ``dispatch_store_back`` inside their
transaction. Two dispatchers, chosen by ``TOWER_DISPATCHER``:

- ``"instant"`` (a store without a tower controller, and the tests): a worker moves the car in
  our records at once, after commit.
- ``"controller"``: a ``TowerCommand`` row is written in the caller's transaction (the outbox,
  ``fleet.tower.outbox``) and sent to the tower's controller after commit; the controller's
  events move the car in our records and make the booking ready.
"""

from django.conf import settings

from vendingstore.queueing import delay_on_commit


def dispatch_retrieve(*, test_drive_id: int) -> None:
    """Bring the booking's car to a delivery bay. Call inside the transaction that made the
    booking ``dispatching`` (its row locked)."""
    if settings.TOWER_DISPATCHER == "controller":
        from fleet.tower.outbox import retrieve_ensure

        retrieve_ensure(test_drive_id=test_drive_id)
        return
    from testdrives import tasks

    if settings.TOWER_DISPATCHER == "instant":
        delay_on_commit(tasks.instant_retrieve, test_drive_id)


def dispatch_store_back(*, vehicle_id: int) -> None:
    """Put a car standing in a delivery bay back into storage, after commit."""
    if settings.TOWER_DISPATCHER == "controller":
        from fleet.tower.outbox import store_ensure

        store_ensure(vehicle_id=vehicle_id)
        return
    from testdrives import tasks

    if settings.TOWER_DISPATCHER == "instant":
        delay_on_commit(tasks.instant_store, vehicle_id)
