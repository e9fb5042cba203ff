"""How a booked car reaches a delivery bay and goes back into storage.

The booking's services call ``dispatch_prefetch``, ``dispatch_retrieve`` and
``dispatch_store_back`` inside their transaction. Two dispatchers, chosen by ``TOWER_DISPATCHER``:

- ``"instant"`` (a store without a tower controller, and the tests): a worker moves the car in
  our records at once, after commit.
- ``"controller"``: a ``TowerCommand`` row is written in the caller's transaction (the outbox,
  ``tower.outbox``) and sent to the tower's controller after commit; the controller's
  events move the car in our records and make the booking ready.

Early retrieve: the car starts moving when the member checks in at the kiosk
(``dispatch_prefetch``), while their identity is checked, and waits behind the delivery bay's
closed door. The booking becomes ready only once it is ``dispatching`` (identity verified): at
once if the car is already in the bay, else when it arrives. One move per car: a retrieve asked
for again while one is open, or with the car already in a delivery bay, changes nothing.
"""

from django.conf import settings

from fleet.models import Bay, BayKind, Vehicle, VehicleStatus
from tower.models import OPEN, TowerCommand
from tower.outbox import retrieve_ensure, retrieve_unmoved, store_ensure
from vendingstore.queueing import delay_on_commit


def dispatch_prefetch(*, test_drive_id: int) -> None:
    """Start bringing a just checked-in booking's car to a delivery bay, before its identity is
    verified. Call inside the check-in's transaction (the booking's row locked). Never refuses:
    with every delivery bay taken the move simply waits, as a retrieve does."""
    _retrieve(test_drive_id)


def dispatch_retrieve(*, test_drive_id: int) -> None:
    """Bring the booking's car to a delivery bay. Call inside the transaction that made the
    booking ``dispatching`` (its row locked)."""
    _retrieve(test_drive_id)


def _retrieve(test_drive_id: int) -> None:
    if settings.TOWER_DISPATCHER == "controller":
        retrieve_ensure(test_drive_id=test_drive_id)
        return
    from testdrives import tasks  # tasks → instant → lifecycle → this module

    if settings.TOWER_DISPATCHER == "instant":
        delay_on_commit(tasks.instant_retrieve, test_drive_id)


def dispatch_car_in_delivery_bay(*, vehicle_id: int) -> Bay | None:
    """The delivery bay the car stands in, settled (no tower command moving it), or None."""
    vehicle = Vehicle.objects.select_related("bay").get(pk=vehicle_id)
    if vehicle.status != VehicleStatus.AT_DELIVERY_BAY or vehicle.bay is None:
        return None
    if vehicle.bay.kind != BayKind.DELIVERY:
        return None
    moving = TowerCommand.objects.filter(OPEN, vehicle_id=vehicle_id)
    if settings.TOWER_DISPATCHER == "controller" and moving.exists():
        return None
    return vehicle.bay


def dispatch_prefetch_failed(*, test_drive_id: int) -> str:
    """Why the move started at check-in ended without bringing the car ("" when it did not fail):
    the tower refused or gave up, and staff have its incident."""
    if settings.TOWER_DISPATCHER != "controller":
        return ""  # the instant dispatcher's early move either happens or is simply asked again
    return retrieve_unmoved(test_drive_id=test_drive_id)


def dispatch_store_back(*, vehicle_id: int) -> None:
    """Put a car standing in a delivery bay back into storage, after commit. Nothing to do when
    the car is elsewhere; a car still on its way to a delivery bay for a booking that ended is
    stored back when it arrives (``tower.inbox``; the instant dispatcher never moves it)."""
    if settings.TOWER_DISPATCHER == "controller":
        store_ensure(vehicle_id=vehicle_id)
        return
    from testdrives import tasks  # tasks → instant → lifecycle → this module

    if settings.TOWER_DISPATCHER == "instant":
        delay_on_commit(tasks.instant_store, vehicle_id)
