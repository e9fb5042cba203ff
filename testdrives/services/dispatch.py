"""How a booked car reaches a delivery bay and goes back into storage.

The booking's services call ``dispatch_prefetch``, ``dispatch_retrieve`` and
``dispatch_stow_back`` inside their transaction. They go to the one ``Dispatcher`` that
``TOWER_DISPATCHER`` names (validated by ``tower.conf.dispatcher_name`` at start-up); the two
implementations are in ``testdrives.services.dispatchers`` and registered by
``TestdrivesConfig.ready``:

- ``"instant"`` (a store without a tower controller, and the tests): a worker moves the car in
  our records at once, after commit.
- ``"controller"``: the tower link is asked for the move in the caller's transaction
  (``tower.moves``; the outbox) and sends it after commit; the controller's events move the car
  in our records, and ``testdrives.services.tower_moves`` makes the booking ready.

Early retrieve: the car starts moving when the member checks in at the kiosk
(``dispatch_prefetch``), while their identity is checked, and waits behind the delivery bay's
closed door. The booking becomes ready only once it is ``dispatching`` (identity verified): at
once if the car is already in the bay, else when it arrives. One move per car: a retrieve asked
for again while one is open, or with the car already in a delivery bay, changes nothing.
"""

from datetime import datetime
from typing import Protocol

from fleet.models import Bay, BayKind, Vehicle, VehicleStatus
from tower.conf import dispatcher_name


class Dispatcher(Protocol):
    def retrieve(self, *, test_drive_id: int, early: bool) -> None:
        """Bring the booking's car to a delivery bay (``early``: at check-in, before verification)."""

    def car_is_moving(self, *, vehicle_id: int) -> bool:
        """Whether a move of the car is still under way."""

    def prefetch_failed(self, *, test_drive_id: int) -> str:
        """Why the move started at check-in ended without the car ("" when it did not fail)."""

    def stow_back(self, *, vehicle_id: int) -> None:
        """Put a car standing in a delivery bay back into storage, after commit."""

    def requeue_lost(self, *, stale: datetime) -> int:
        """Ask again for moves whose message may have been lost; returns how many."""

    def gate_reported(self) -> bool:
        """Whether the tower reports a delivery bay's gate closing behind the member (``gate_closed``
        events): if not, a recorded return counts as the member having left the bay."""


_DISPATCHERS: dict[str, Dispatcher] = {}


def dispatcher_register(name: str, implementation: Dispatcher) -> None:
    _DISPATCHERS[name] = implementation


def dispatcher() -> Dispatcher:
    """The dispatcher ``TOWER_DISPATCHER`` names (ImproperlyConfigured for an unknown name)."""
    return _DISPATCHERS[dispatcher_name()]


def dispatch_prefetch(*, test_drive_id: int) -> None:
    """Start bringing a just checked-in booking's car to a delivery bay, before its identity is
    verified. Call inside the check-in's transaction (the booking's row locked). Never refuses:
    with every delivery bay taken the move simply waits, as a retrieve does."""
    dispatcher().retrieve(test_drive_id=test_drive_id, early=True)


def dispatch_retrieve(*, test_drive_id: int) -> None:
    """Bring the booking's car to a delivery bay. Call inside the transaction that made the
    booking ``dispatching`` (its row locked)."""
    dispatcher().retrieve(test_drive_id=test_drive_id, early=False)


def dispatch_car_in_delivery_bay(*, vehicle_id: int) -> Bay | None:
    """The delivery bay the car stands in, settled (no tower command moving it), or None."""
    vehicle = Vehicle.objects.select_related("bay").get(pk=vehicle_id)
    if vehicle.status != VehicleStatus.AT_DELIVERY_BAY or vehicle.bay is None:
        return None
    if vehicle.bay.kind != BayKind.DELIVERY:
        return None
    if dispatcher().car_is_moving(vehicle_id=vehicle_id):
        return None
    return vehicle.bay


def dispatch_prefetch_failed(*, test_drive_id: int) -> str:
    """Why the move started at check-in ended without bringing the car ("" when it did not fail):
    the tower refused or gave up, and staff have its incident."""
    return dispatcher().prefetch_failed(test_drive_id=test_drive_id)


def dispatch_stow_back(*, vehicle_id: int) -> None:
    """Put a car standing in a delivery bay back into storage, after commit. Nothing to do when
    the car is elsewhere; a car still on its way to a delivery bay for a booking that ended is
    stowed back when it arrives (``tower_moves``; the instant dispatcher never moves it)."""
    dispatcher().stow_back(vehicle_id=vehicle_id)
