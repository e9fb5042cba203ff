"""The one way into the tower link for the rest of the store: ask for a car to be moved.

``move_request`` knows vehicles and bays only; the caller's ``ref`` comes back with the move's
outcome (``tower.signals``). Which bay: a free delivery bay for ``DELIVERY``, a storage bay above
the staging levels for ``STORAGE`` (``tower.bays``); staging moves are pre-staging's own
(``tower.prestage``).
"""

from django.contrib.auth.models import User
from django.db import IntegrityError
from django.db.models import TextChoices

from fleet.models import Vehicle, VehicleStatus
from tower.bays import delivery_bay_for_retrieve, delivery_bays_free, storage_bay_for_stow
from tower.commands import command_create
from tower.incidents import incident_raise
from tower.models import OPEN, CommandKind, IncidentKind, TowerCommand
from tower.priorities import BACKGROUND_PRIORITY, stow_priority
from tower.signals import MoveOutcome


class MoveTarget(TextChoices):
    DELIVERY = "delivery"
    STORAGE = "storage"


def move_request(
    *,
    vehicle: Vehicle,
    to: MoveTarget,
    priority: int = 0,
    ref: str = "",
    reason: str = "",
    by: User | None = None,
) -> TowerCommand | None:
    """Record a move of ``vehicle`` (its row locked by the caller, inside the caller's transaction;
    sent after commit). Returns None when there is nothing to do now: the car is already moving,
    is not where such a move starts (in storage for a delivery, in a delivery bay for storage),
    no bay is free (for storage, staff also get an incident), or another command took the bay
    meanwhile. Callers who wait for the car ask again later."""
    if vehicle.bay is None or TowerCommand.objects.filter(OPEN, vehicle=vehicle).exists():
        return None
    tower = vehicle.bay.tower
    if to == MoveTarget.DELIVERY:
        if vehicle.status != VehicleStatus.STORED:
            return None
        kind, bay = CommandKind.RETRIEVE, delivery_bay_for_retrieve(tower)
    else:
        if vehicle.status != VehicleStatus.AT_DELIVERY_BAY:
            return None
        kind, bay = CommandKind.STOW, storage_bay_for_stow(tower)
        if bay is None:
            incident_raise(
                tower=tower,
                kind=IncidentKind.COMMAND_FAILED,
                summary=f"No storage bay free for {vehicle.vin}",
            )
    if bay is None:
        return None
    try:
        return command_create(
            kind=kind,
            vehicle=vehicle,
            source_bay=vehicle.bay,
            target_bay=bay,
            ref=ref,
            priority=priority,
            reason=reason,
            by=by,
        )
    except IntegrityError:
        return None  # raced with another command for the bay: the caller asks again later


def stow_ensure(*, vehicle_id: int, reason: str = "back into storage") -> TowerCommand | None:
    """Send a car standing in a delivery bay back into storage. Call inside a transaction.

    Its priority (``tower.priorities.stow_priority``): background work while another delivery
    bay is free, a customer's when this car holds up the last one."""
    vehicle = Vehicle.objects.select_for_update(of=("self",)).select_related("bay__tower").get(pk=vehicle_id)
    priority = BACKGROUND_PRIORITY
    if vehicle.bay is not None:
        priority = stow_priority(free_delivery_bays=delivery_bays_free(vehicle.bay.tower).count())
    return move_request(vehicle=vehicle, to=MoveTarget.STORAGE, priority=priority, reason=reason)


def stow_reissue(
    *, sender: object, command: TowerCommand, outcome: str, reissue: bool, **kwargs: object
) -> None:
    """``move_finished`` receiver (connected in TowerConfig.ready): a stow the controller aborted
    on a restart, the car still in its delivery bay, is asked again by us (a stow has no asker)."""
    if command.kind == CommandKind.STOW and reissue and outcome == MoveOutcome.UNMOVED:
        stow_ensure(vehicle_id=command.vehicle_id)
