"""Keeping a late car's hold true: an overdue car is not back, and a returned one is not reviewed
yet (the review could find damage), so nobody else may be promised it."""

import logging
from datetime import datetime, timedelta

from django.conf import settings

from fleet.models import VehicleHold
from testdrives.models import State, TestDrive
from testdrives.notify import staff_alert
from testdrives.services.booking import vehicle_take_first_free

logger = logging.getLogger(__name__)


def hold_extend_for_late_car(*, test_drive: TestDrive, now: datetime) -> list[int]:
    """Stretch a late car's hold to ``now`` plus the turnaround, moving later bookings of the same
    car to another free car of their model and paint. Returns the ids of the bookings moved.

    A booking that no other car can take is left as it is and staff are alerted: they decide
    (call the member, offer another car or time). Call with the late booking's row locked.
    """
    hold = (
        VehicleHold.objects.select_for_update()
        .filter(booking_id=test_drive.pk, released_at__isnull=True)
        .first()
    )
    wanted_end = now + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    if hold is None or hold.ends_at >= wanted_end:
        return []
    moved: list[int] = []
    stuck: list[VehicleHold] = []
    for other in _holds_in_the_way(hold, wanted_end):
        if _move_to_another_car(other):
            moved.append(other.booking_id)
        else:
            stuck.append(other)
    if stuck:
        wanted_end = min(wanted_end, stuck[0].starts_at)  # the holds in the way come by start
        stuck_ids = [h.booking_id for h in stuck]
        car = "overdue car" if test_drive.state == State.OVERDUE else "returned car (review pending)"
        staff_alert(
            test_drive=test_drive, what=f"{car} is booked again by {stuck_ids} and no other car is free"
        )
    if wanted_end > hold.ends_at:
        VehicleHold.objects.filter(pk=hold.pk).update(ends_at=wanted_end)
    return moved


def _holds_in_the_way(hold: VehicleHold, until: datetime) -> list[VehicleHold]:
    return list(
        VehicleHold.objects.select_for_update()
        .filter(
            vehicle_id=hold.vehicle_id,
            released_at__isnull=True,
            starts_at__lt=until,
            ends_at__gt=hold.ends_at,
        )
        .exclude(pk=hold.pk)
        .order_by("starts_at")
    )


def _move_to_another_car(hold: VehicleHold) -> bool:
    """Give a not-yet-started booking another free car of its model and paint, if there is one."""
    td = TestDrive.objects.select_related("store", "car_model", "paint").get(pk=hold.booking_id)
    if td.state != State.SCHEDULED:
        return False

    def take(vehicle_id: int) -> int:
        VehicleHold.objects.filter(pk=hold.pk).update(vehicle_id=vehicle_id)
        TestDrive.objects.filter(pk=td.pk).update(vehicle_id=vehicle_id)
        return vehicle_id

    moved_to = vehicle_take_first_free(
        store=td.store,
        car_model=td.car_model,
        paint=td.paint,
        starts_at=hold.starts_at,
        ends_at=hold.ends_at,
        take=take,
        other_than=hold.vehicle_id,
    )
    if moved_to is None:
        return False
    logger.info(
        "booking %s moved from vehicle %s to %s: its car is overdue", td.pk, hold.vehicle_id, moved_to
    )
    return True
