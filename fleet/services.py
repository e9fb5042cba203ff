"""Write-side operations on the fleet."""

from django.db import transaction

from fleet.models import Bay, BayKind, Tower, Vehicle, VehicleStatus


@transaction.atomic
def tower_ensure_bays(*, tower: Tower) -> int:
    """Create any missing bays for the tower's shape; returns how many were created.

    Idempotent. Bays beyond a shrunk shape are left alone: they may hold cars, and removing
    them is a decision for staff, not a side effect of editing a number.
    """
    wanted = {(0, p, BayKind.DELIVERY) for p in range(1, tower.delivery_bays + 1)} | {
        (level, p, BayKind.STORAGE)
        for level in range(1, tower.levels + 1)
        for p in range(1, tower.bays_per_level + 1)
    }
    existing = set(tower.bays.values_list("level", "position"))
    missing = [
        Bay(tower=tower, level=level, position=position, kind=kind)
        for level, position, kind in sorted(wanted)
        if (level, position) not in existing
    ]
    Bay.objects.bulk_create(missing)
    return len(missing)


def vehicle_place(*, vehicle: Vehicle, bay: Bay) -> Vehicle:
    """Record that ``vehicle`` now stands in ``bay``; its status follows from the bay's kind."""
    vehicle.bay = bay
    vehicle.status = VehicleStatus.AT_DELIVERY_BAY if bay.kind == BayKind.DELIVERY else VehicleStatus.STORED
    vehicle.save(update_fields=["bay", "status", "updated_at"])
    return vehicle


def vehicle_take_out(*, vehicle: Vehicle, status: str, odometer_km: int | None = None) -> Vehicle:
    """Record that ``vehicle`` left its bay: out on a drive, sold or to the workshop."""
    vehicle.bay = None
    vehicle.status = status
    fields = ["bay", "status", "updated_at"]
    if odometer_km is not None:
        vehicle.odometer_km = max(vehicle.odometer_km, odometer_km)
        fields.append("odometer_km")
    vehicle.save(update_fields=fields)
    return vehicle
