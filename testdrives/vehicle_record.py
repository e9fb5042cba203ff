"""One car's own record, as its buyer is shown it before paying: how far it has been driven, when it
was built, how often it was test-driven and what was noted at its returns, and staff's photos of it.

A car that has been test-driven is not new, whatever its model page says; today a "new" car left
with 792 km and nobody told the buyer. This lives in testdrives because the drives and the notes
from the returns are bookings' data; fleet holds the car (odometer, build date, photos).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from fleet.models import Vehicle, VehiclePhoto
from testdrives.models import TestDrive


@dataclass(frozen=True)
class ReturnNote:
    returned_at: datetime | None
    damage_noted: str
    inspection_notes: str


@dataclass(frozen=True)
class VehicleRecord:
    vehicle: Vehicle
    odometer_km: int
    built_on: date | None
    test_drives: int
    notes: list[ReturnNote]
    photos: list[VehiclePhoto]

    @property
    def is_new(self) -> bool:
        """Never driven by a customer, and no more on the clock than delivery puts there."""
        return self.test_drives == 0 and self.odometer_km <= settings.VEHICLE_NEW_MAX_KM


def vehicle_record_get(*, vehicle_id: int) -> VehicleRecord:
    """The record of one car. Three queries: the car, its drives (counted, with their notes), its
    photos. Drives count from the moment the car left the delivery bay (a booking never picked up
    did not drive it)."""
    vehicle = Vehicle.objects.select_related("car_model__brand", "paint", "store").get(pk=vehicle_id)
    drives = list(
        TestDrive.objects.filter(vehicle_id=vehicle_id, departed_at__isnull=False)
        .order_by("departed_at", "pk")
        .values_list("returned_at", "damage_noted", "inspection_notes")
    )
    notes = [
        ReturnNote(returned_at, damage.strip(), inspection.strip())
        for returned_at, damage, inspection in drives
        if damage.strip() or inspection.strip()
    ]
    return VehicleRecord(
        vehicle=vehicle,
        odometer_km=vehicle.odometer_km,
        built_on=vehicle.built_on,
        test_drives=len(drives),
        notes=notes,
        photos=list(VehiclePhoto.objects.filter(vehicle_id=vehicle_id).order_by("position", "id")),
    )
