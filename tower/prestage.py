"""Pre-staging: cars wanted soon move, in idle lift time, to the storage bays nearest the delivery
bays (the lowest levels), so a customer's retrieve is short.

Which cars is the caller's knowledge (``testdrives`` names the next bookings' cars); here, cars
move only while the tower has no open command (a customer's retrieve always comes first), at most
one move per lift per round, and never a car that is out of storage or held by another command.
"""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from fleet.models import Tower, Vehicle, VehicleStatus
from tower.bays import storage_bays_free
from tower.commands import command_create
from tower.conf import controller_mode
from tower.models import OPEN, CommandKind, TowerCommand, TowerLink


def tower_prestage(*, tower: Tower, candidates: Sequence[tuple[Vehicle, datetime]]) -> list[TowerCommand]:
    """Create this round's relocations (sent after commit). Call inside a transaction.

    ``candidates``: the cars wanted soon with the time they are wanted, soonest first.
    The staging bays are those of the lowest ``TOWER_STAGING_LEVELS`` levels (returned cars are
    stored above them); a booked car standing higher moves to the lowest free one.
    """
    if not (settings.TOWER_PRESTAGE_ENABLED and controller_mode()):
        return []
    link = TowerLink.objects.filter(tower=tower).first()
    if link is None or link.mode != "auto" or TowerCommand.objects.filter(OPEN, tower=tower).exists():
        return []
    levels = settings.TOWER_STAGING_LEVELS
    movers = [
        (v, v.bay, at)
        for v, at in candidates
        if v.status == VehicleStatus.STORED and v.bay is not None and v.bay.level > levels
    ]
    free = list(storage_bays_free(tower).filter(level__lte=levels)[: tower.lifts])
    created: list[TowerCommand] = []
    for (vehicle, source_bay, slot_start), target in zip(movers, free, strict=False):
        try:
            created.append(
                command_create(
                    kind=CommandKind.RELOCATE,
                    vehicle=vehicle,
                    source_bay=source_bay,
                    target_bay=target,
                    reason=f"pre-stage for {timezone.localtime(slot_start):%Y-%m-%d %H:%M}",
                )
            )
        except IntegrityError:
            continue  # taken meanwhile by another command: next round
    return created
