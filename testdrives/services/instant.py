"""The "instant" dispatcher: moves cars in our records only, for a store without a tower controller
(and the test-drive tests). Idempotent: each step checks where the car
and the booking are before it moves anything."""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fleet.models import BayKind, Vehicle, VehicleStatus
from fleet.services import vehicle_place
from testdrives.models import CAR_WANTED, State, TestDrive
from testdrives.services.lifecycle import testdrive_car_at_bay, testdrive_dispatch_failed
from tower.bays import bay_free
from tower.models import TowerLink

logger = logging.getLogger(__name__)


# A process started without TOWER_DISPATCHER=controller (a shell, a stray worker) must not move
# cars in our records that a real tower holds: the tower would disagree, and be held for it.
CONTROLLED = "this tower is run by its controller, but this process is set to TOWER_DISPATCHER=instant"


def _tower_has_controller(vehicle: Vehicle) -> bool:
    bay = vehicle.bay  # no query when there is none
    if bay is None:
        return False
    return TowerLink.objects.filter(tower_id=bay.tower_id, inventory_loaded_at__isnull=False).exists()


def instant_retrieve(*, test_drive_id: int) -> bool:
    """Put the booking's car in a free delivery bay; a dispatching booking becomes ready.

    Early (checked in, identity not yet verified) the car only moves: the booking becomes ready
    when it is verified. Returns False when there is nothing to do (already moved, or the booking
    moved on). A dispatching booking whose car cannot come (every delivery bay taken) goes to
    ``dispatch_failed`` for staff, as a tower fault would; an early move simply does not happen
    (the verification asks again).
    """
    with transaction.atomic():
        td = TestDrive.objects.select_for_update().get(pk=test_drive_id)
        if td.state not in CAR_WANTED:
            return False
        early = td.state != State.DISPATCHING
        vehicle = Vehicle.objects.select_for_update(of=("self",)).select_related("bay").get(pk=td.vehicle_id)
        if vehicle.status == VehicleStatus.AT_DELIVERY_BAY:
            if early:
                return False
            assert vehicle.bay is not None  # the database's vehicle_bay_matches_status
            testdrive_car_at_bay(test_drive=td, bay=vehicle.bay)
            return True
        if _tower_has_controller(vehicle):
            if early:
                logger.error("booking %s: car not fetched early: %s", td.pk, CONTROLLED)
            else:
                testdrive_dispatch_failed(test_drive=td, reason=CONTROLLED)
            return False
        bay = bay_free(store_id=td.store_id, kind=BayKind.DELIVERY)
        if vehicle.status != VehicleStatus.STORED or bay is None:
            if not early:
                why = _("every delivery bay is taken") if bay is None else _("the car is not in storage")
                testdrive_dispatch_failed(test_drive=td, reason=why)
            return False
        try:
            with transaction.atomic():
                vehicle_place(vehicle=vehicle, bay=bay)
        except IntegrityError:
            if not early:
                testdrive_dispatch_failed(test_drive=td, reason=_("the delivery bay was taken meanwhile"))
            return False
        if not early:
            testdrive_car_at_bay(test_drive=td, bay=bay)
    return True


def instant_stow(*, vehicle_id: int) -> bool:
    """Put a car standing in a delivery bay back into a free storage bay."""
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle_id)
        if vehicle.status != VehicleStatus.AT_DELIVERY_BAY:
            return False
        if _tower_has_controller(vehicle):
            logger.error("vehicle %s not stored: %s", vehicle.pk, CONTROLLED)
            return False
        bay = bay_free(store_id=vehicle.store_id, kind=BayKind.STORAGE)
        if bay is None:
            return False  # the tower is full: the car waits in the delivery bay for staff
        vehicle_place(vehicle=vehicle, bay=bay)
    return True
