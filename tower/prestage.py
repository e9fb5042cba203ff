"""Pre-staging: bookings are known ahead, so idle lift time brings the next cars to the storage
bays nearest the delivery bays (the lowest levels), and a customer's retrieve is short.

Only cars of ``scheduled`` bookings starting within ``TOWER_PRESTAGE_MINUTES`` move, only while the
tower has no open command of ours (a customer's retrieve always comes first), at most one move per
lift per round, and never a car that is out of storage or held by another command.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from fleet.models import Tower, Vehicle, VehicleStatus
from tower.bays import storage_bays_free
from tower.conf import controller_mode
from tower.models import OPEN, CommandKind, TowerCommand, TowerLink
from tower.outbox import command_create


def prestage_candidates(*, tower: Tower) -> list[tuple[Vehicle, object]]:
    """Cars of the tower's scheduled bookings starting in [now, now + ``TOWER_PRESTAGE_MINUTES``),
    soonest first, with their slot start."""
    from testdrives.models import State, TestDrive

    now = timezone.now()
    bookings = (
        TestDrive.objects.filter(
            state=State.SCHEDULED,
            slot_start__gte=now,
            slot_start__lt=now + timedelta(minutes=settings.TOWER_PRESTAGE_MINUTES),
            vehicle__status=VehicleStatus.STORED,
            vehicle__bay__tower=tower,
        )
        .select_related("vehicle__bay")
        .order_by("slot_start", "pk")
    )
    seen: set[int] = set()
    result = []
    for td in bookings:
        if td.vehicle_id not in seen:
            seen.add(td.vehicle_id)
            result.append((td.vehicle, td.slot_start))
    return result


def tower_prestage(*, tower: Tower) -> list[TowerCommand]:
    """Create this round's relocations (sent after commit). Call inside a transaction.

    The staging bays are those of the lowest ``TOWER_STAGING_LEVELS`` levels (returned cars are
    stored above them); a booked car standing higher moves to the lowest free one.
    """
    if not (settings.TOWER_PRESTAGE_ENABLED and controller_mode()):
        return []
    link = TowerLink.objects.filter(tower=tower).first()
    if link is None or link.mode != "auto" or TowerCommand.objects.filter(OPEN, tower=tower).exists():
        return []
    levels = settings.TOWER_STAGING_LEVELS
    movers = [(v, at) for v, at in prestage_candidates(tower=tower) if v.bay.level > levels]
    free = list(storage_bays_free(tower).filter(level__lte=levels)[: tower.lifts])
    created: list[TowerCommand] = []
    for (vehicle, slot_start), target in zip(movers, free, strict=False):
        try:
            created.append(
                command_create(
                    kind=CommandKind.RELOCATE,
                    vehicle=vehicle,
                    source_bay=vehicle.bay,
                    target_bay=target,
                    reason=f"pre-stage for {timezone.localtime(slot_start):%Y-%m-%d %H:%M}",
                )
            )
        except IntegrityError:
            continue  # taken meanwhile by another command: next round
    return created
