"""Staff moving a car by hand from the tower's live page (``tower.admin``)."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from fleet.models import Bay, BayKind, Tower, Vehicle, VehicleStatus
from tower.commands import command_create
from tower.models import CommandKind
from tower.selectors import tower_physics_config


def manual_move(*, tower: Tower, by: User, vin: str, target: str, reason: str) -> str:
    """Staff move a car by hand; the command row (with who and why) is the audit. Returns an
    error message, or "" when the move was recorded and will be sent."""
    with transaction.atomic():
        vehicle = (
            Vehicle.objects.select_for_update(of=("self",))
            .select_related("bay")
            .filter(vin=vin.strip().upper())
            .first()
        )
        if vehicle is None or vehicle.bay is None or vehicle.bay.tower_id != tower.pk:
            return gettext("No car with this VIN stands in this tower.")
        place = tower_physics_config(tower).place(target.strip().upper())
        bay = (
            Bay.objects.filter(tower=tower, level=place.level, position=place.position).first()
            if place
            else None
        )
        if bay is None or bay.pk == vehicle.bay_id:
            return gettext("Unknown target bay, or the car is already there.")
        if refusal := _target_refusal(bay, moving=vehicle):
            return refusal
        source_delivery = vehicle.status == VehicleStatus.AT_DELIVERY_BAY
        if source_delivery and bay.kind == BayKind.DELIVERY:
            return gettext("The tower cannot move a car from one delivery bay to another.")
        kind = (
            CommandKind.STOW
            if source_delivery
            else CommandKind.RETRIEVE
            if bay.kind == BayKind.DELIVERY
            else CommandKind.RELOCATE
        )
        try:
            command_create(
                kind=kind,
                vehicle=vehicle,
                source_bay=vehicle.bay,
                target_bay=bay,
                reason=f"manual: {reason}",
                by=by,
            )
        except IntegrityError:
            return gettext("The car or the bay is taken by another open command.")
    return ""


def _target_refusal(bay: Bay, *, moving: Vehicle) -> str:
    """Why ``bay`` cannot take the car, in words, before any command exists; "" when it can.
    The database's open-command constraint still catches a bay taken meanwhile."""
    if not bay.is_enabled:
        return gettext("Bay %(bay)s is disabled: pick another bay.") % {"bay": bay.code}
    occupant = Vehicle.objects.filter(bay=bay).exclude(pk=moving.pk).values_list("vin", flat=True).first()
    if occupant:
        return gettext("Bay %(bay)s holds the car %(vin)s: pick a free bay.") % {
            "bay": bay.code,
            "vin": occupant,
        }
    return ""
