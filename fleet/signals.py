"""What fleet tells the rest of the store, without knowing who listens.

``vehicles_changed``: these cars may have become bookable or stopped being so (a car was placed in
or taken out of a bay, created, edited, imported; a hold on it was released). Sent with
``vehicle_ids``, inside the transaction that made the change: a receiver that acts on it should do
so on commit. The booking side (testdrives) sends it too when it releases a hold, so the cars'
watchers (members' saved cars) need not know bookings exist.
"""

from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

from fleet.models import Vehicle

vehicles_changed = Signal()


def vehicles_changed_send(*, vehicle_ids: Iterable[int]) -> None:
    ids = sorted({pk for pk in vehicle_ids if pk is not None})
    if ids:
        vehicles_changed.send(sender=Vehicle, vehicle_ids=ids)


def vehicle_saved(sender: type[Vehicle], instance: Vehicle, created: bool = False, **kwargs: Any) -> None:
    """post_save of a Vehicle: announce it when the car may have become bookable (not on every
    move inside the tower, which frees nothing), then remember what was saved."""
    if instance.may_have_freed_up(created=created):
        vehicles_changed_send(vehicle_ids=[instance.pk])
    instance._loaded = instance._watched_state()
