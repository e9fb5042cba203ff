"""What a returned car is compared with in the operator's review (read side; nothing written).

A staffless store takes no pictures when the car leaves, so the car's condition before the drive is
what was last known of it: the four sides photographed at the car's previous return (the last
booking of this car brought back before this one left), plus any damage the member reported
right after pickup (``PickupPhoto``: "report existing damage", in the first minutes of the drive).
The readings at pickup are the car's own (``testdrive_depart`` copies the odometer and charge the
previous return recorded), so km driven and charge used are this drive's alone; a pickup odometer
that differs from the previous return's shows the car moved in between without a booking.
"""

from dataclasses import dataclass
from datetime import datetime

from testdrives.models import CarSide, PickupPhoto, ReturnCharge, ReturnPhoto, TestDrive
from testdrives.services.return_photos import SIDES


@dataclass(frozen=True)
class SideCompare:
    side: str
    label: str
    last_known: ReturnPhoto | None  # the previous return's picture of this side
    at_pickup: PickupPhoto | None  # the member's picture at pickup, if they reported damage there
    at_return: ReturnPhoto | None


@dataclass(frozen=True)
class ReturnCompare:
    sides: list[SideCompare]
    previous: TestDrive | None  # the car's previous return (its last known condition)
    previous_charge: ReturnCharge | None  # damage already charged then: not this member's
    pickup_others: list[PickupPhoto]  # close-ups the member took at pickup, with no side
    km_driven: int | None
    energy_used: int | None  # percentage points of charge (or fuel) used on the drive
    km_unexplained: int | None  # odometer at pickup minus at the previous return; 0 expected
    hours_out: float | None

    @property
    def pickup_reported(self) -> bool:
        return bool(self.pickup_others) or any(view.at_pickup for view in self.sides)


def _minus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def previous_return(*, test_drive: TestDrive) -> TestDrive | None:
    """The last booking of this car brought back before this one left (reviewed or not yet)."""
    if test_drive.departed_at is None:
        return None
    return (
        TestDrive.objects.filter(
            vehicle_id=test_drive.vehicle_id,
            returned_at__isnull=False,
            returned_at__lte=test_drive.departed_at,
        )
        .exclude(pk=test_drive.pk)
        .order_by("-returned_at", "-pk")
        .first()
    )


def _by_side(photos: list[ReturnPhoto]) -> dict[str, ReturnPhoto]:
    return {photo.side: photo for photo in photos if photo.side}


def return_compare(*, test_drive: TestDrive) -> ReturnCompare:
    """Each side's last known, pickup and return pictures, and the readings' differences."""
    previous = previous_return(test_drive=test_drive)
    before = _by_side(list(ReturnPhoto.objects.filter(test_drive=previous))) if previous else {}
    after = _by_side(list(ReturnPhoto.objects.filter(test_drive=test_drive)))
    pickup = list(PickupPhoto.objects.filter(test_drive=test_drive))
    pickup_sides = {photo.side: photo for photo in pickup if photo.side}
    td = test_drive
    return ReturnCompare(
        sides=[
            SideCompare(
                side, str(CarSide(side).label), before.get(side), pickup_sides.get(side), after.get(side)
            )
            for side in SIDES
        ],
        previous=previous,
        previous_charge=ReturnCharge.objects.filter(test_drive=previous).first() if previous else None,
        pickup_others=[photo for photo in pickup if not photo.side],
        km_driven=_minus(td.odometer_in_km, td.odometer_out_km),
        energy_used=_minus(td.energy_out_pct, td.energy_in_pct),
        km_unexplained=_minus(td.odometer_out_km, previous.odometer_in_km) if previous else None,
        hours_out=_hours(td.departed_at, td.returned_at),
    )


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() / 3600 if start and end else None
