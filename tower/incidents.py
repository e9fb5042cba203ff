"""Incidents: what the integration hands to staff instead of fixing it silently."""

import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from fleet.models import Tower
from tower.client import ControllerUnreachable, client_for
from tower.models import IncidentKind, IncidentStatus, TowerCommand, TowerIncident

logger = logging.getLogger(__name__)

# Kinds that describe the tower's condition rather than one command: one open incident each.
ONE_OPEN_PER_TOWER = {
    IncidentKind.INVENTORY_MISMATCH,
    IncidentKind.ESTOP,
    IncidentKind.HOLD,
    IncidentKind.UNREACHABLE,
}


def incident_raise(
    *,
    tower: Tower,
    kind: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    command: TowerCommand | None = None,
) -> TowerIncident:
    """Open an incident, or refresh the open one of the same tower-wide kind (no flood of
    duplicates from a reconciler that sees the same problem every round)."""
    if kind in ONE_OPEN_PER_TOWER:
        existing = (
            TowerIncident.objects.filter(tower=tower, kind=kind)
            .exclude(status=IncidentStatus.RESOLVED)
            .first()
        )
        if existing is not None:
            existing.summary, existing.detail = summary[:200], detail or {}
            existing.save(update_fields=["summary", "detail"])
            return existing
    return TowerIncident.objects.create(
        tower=tower, kind=kind, summary=summary[:200], detail=detail or {}, command=command
    )


def incident_acknowledge(*, incident: TowerIncident, by: User) -> TowerIncident:
    """Staff saw it (open → acknowledged). Idempotent."""
    with transaction.atomic():
        TowerIncident.objects.filter(pk=incident.pk, status=IncidentStatus.OPEN).update(
            status=IncidentStatus.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=timezone.now()
        )
    incident.refresh_from_db()
    return incident


def incident_resolve(*, incident: TowerIncident, by: User, resolution: str = "") -> TowerIncident:
    """Staff fixed the cause (→ resolved). Resolving does not touch the tower: clear it separately."""
    with transaction.atomic():
        TowerIncident.objects.filter(pk=incident.pk).exclude(status=IncidentStatus.RESOLVED).update(
            status=IncidentStatus.RESOLVED,
            resolved_by=by,
            resolved_at=timezone.now(),
            resolution=resolution[:300],
        )
    incident.refresh_from_db()
    return incident


def tower_hold_for_mismatch(*, tower: Tower, diffs: dict[str, Any], summary: str) -> None:
    """Our records and the tower disagree: open an incident and hold the tower (after commit).
    Staff decide which side is right; nothing is corrected here."""
    incident_raise(tower=tower, kind=IncidentKind.INVENTORY_MISMATCH, summary=summary, detail={"bays": diffs})

    def hold() -> None:
        client = client_for(tower)
        if client is None:
            return
        try:
            client.hold(f"inventory mismatch: {summary}")
        except ControllerUnreachable:
            logger.warning("could not hold %s after an inventory mismatch", tower.code)

    transaction.on_commit(hold)
