"""The event inbox: each event of a tower's log stored once (unique per tower, epoch and seq) and
applied once, in seq order.

Events arrive by webhook (at least once, possibly duplicated, possibly with gaps when a delivery
was dropped) or by polling ``/v1/events``. Both paths go through ``event_store`` and
``events_apply``: an event above a gap waits in the inbox until the gap is filled.
"""

import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fleet.models import Bay, BayKind, Tower, Vehicle
from fleet.services import vehicle_place
from tower.client import TowerClient
from tower.commands import command_finish, command_mark_accepted
from tower.incidents import incident_raise, tower_hold_for_mismatch
from tower.models import CommandStatus, IncidentKind, TowerCommand, TowerEvent, TowerLink
from tower.protocol import COMMAND_EVENTS, DELIVERY_CODE, GATE_CLOSED_EVENT
from tower.signals import MoveOutcome, bay_gate_closed, move_finished, move_finishing

logger = logging.getLogger(__name__)


class BadEvent(ValueError):
    """The body is not an event of this tower."""


def tower_link(tower: Tower) -> TowerLink:
    return TowerLink.objects.get_or_create(tower=tower)[0]


def event_store(*, tower: Tower, event: Any, via: str) -> bool:
    """Put one event in the inbox; True when it was new. Raises BadEvent for a body that is not
    an event of ``tower``. Does not apply it (see ``events_apply``)."""
    _check_event(tower, event)
    try:
        with transaction.atomic():
            _event_row(tower, tower_link(tower).epoch, event, via).save()
    except IntegrityError:
        return False  # a duplicate delivery: the unique (tower, epoch, seq) already has it
    return True


def _check_event(tower: Tower, event: Any) -> None:
    if not isinstance(event, dict) or not isinstance(event.get("seq"), int) or event["seq"] < 1:
        raise BadEvent("not an event")
    if event.get("tower") != tower.code or not isinstance(event.get("kind"), str):
        raise BadEvent("an event of another tower")


def _event_row(tower: Tower, epoch: int, event: dict[str, Any], via: str) -> TowerEvent:
    return TowerEvent(
        tower=tower,
        epoch=epoch,
        seq=event["seq"],
        kind=event["kind"][:20],
        command_uuid=_uuid(event.get("command_id")),
        payload=event,
        via=via,
    )


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def events_apply(*, tower: Tower) -> int:
    """Apply the inbox's events that follow ``applied_seq`` without a gap, one transaction each
    (the tower's link row locked, so two receivers never apply the same seq). Returns how many."""
    applied = 0
    while _apply_next(tower):
        applied += 1
    return applied


def _apply_next(tower: Tower) -> bool:
    with transaction.atomic():
        link, _ = TowerLink.objects.select_for_update().get_or_create(tower=tower)
        event = (
            TowerEvent.objects.select_for_update()
            .filter(tower=tower, epoch=link.epoch, seq=link.applied_seq + 1)
            .first()
        )
        if event is None:
            return False
        _apply(tower, link, event)
        event.applied_at = timezone.now()
        event.save(update_fields=["applied_at", "command"])
        link.applied_seq = event.seq
        link.save(update_fields=["applied_seq", "mode", "mode_reason"])
    return True


def has_gap(*, tower: Tower) -> bool:
    """Whether events wait above a missing seq (catch up from the log)."""
    link = tower_link(tower)
    return TowerEvent.objects.filter(tower=tower, epoch=link.epoch, seq__gt=link.applied_seq + 1).exists()


def catch_up(*, tower: Tower, client: TowerClient, page: int = 500) -> int:
    """Read the controller's log from our applied seq on, store what is missing, apply. Returns
    the number of events applied. Raises ControllerUnreachable when the controller is silent."""
    link = tower_link(tower)
    after = link.applied_seq
    while True:
        answer = client.events(after=after, limit=page)
        events = answer.get("events") or []
        # One INSERT per page; events already in the inbox (a webhook was first) are skipped.
        for event in events:
            _check_event(tower, event)
        rows = [_event_row(tower, link.epoch, event, "poll") for event in events]
        TowerEvent.objects.bulk_create(rows, ignore_conflicts=True)
        if events:
            after = events[-1]["seq"]
        if len(events) < page:
            break
    return events_apply(tower=tower)


# --- what each event means ------------------------------------------------------------------


def _apply(tower: Tower, link: TowerLink, event: TowerEvent) -> None:
    kind, payload = event.kind, event.payload
    if kind == "mode_changed":
        _mode_changed(tower, link, payload)
    elif kind in COMMAND_EVENTS:
        command = (
            None
            if event.command_uuid is None  # no id: no command of ours can match
            else TowerCommand.objects.select_for_update()
            .select_related("tower", "source_bay", "target_bay")
            .filter(tower=tower, command_id=event.command_uuid)
            .first()
        )
        if command is None:
            _unknown_command(tower, event)
            return
        event.command = command
        _command_event(command, kind, payload)
    elif kind == GATE_CLOSED_EVENT:
        _gate_closed(tower, payload)
    # inventory_loaded and kinds we do not know change nothing of ours (the protocol says ignore)


def _gate_closed(tower: Tower, payload: dict[str, Any]) -> None:
    """Someone left a delivery bay: whoever cares (a returned booking) hears of it after commit,
    in its own transaction, so its locks never wait behind the tower's link row held here."""
    match = DELIVERY_CODE.match(str(payload.get("bay") or ""))
    bay = (
        Bay.objects.filter(tower=tower, kind=BayKind.DELIVERY, position=int(match[1])).first()
        if match
        else None
    )
    if bay is None:
        logger.warning("tower %s: gate closed on an unknown bay %r", tower.code, payload.get("bay"))
        return
    occupied = bool(payload.get("occupied"))
    # Robust: the event stays applied whatever a receiver does; a receiver's failure is logged,
    # never a 500 that would have the controller resend an event we already applied.
    transaction.on_commit(lambda: bay_gate_closed.send(sender=Bay, bay=bay, occupied=occupied), robust=True)


def _mode_changed(tower: Tower, link: TowerLink, payload: dict[str, Any]) -> None:
    link.mode = str(payload.get("mode") or "unknown")[:8]
    link.mode_reason = str(payload.get("reason") or "")[:200]
    if link.mode == "estop":
        incident_raise(
            tower=tower,
            kind=IncidentKind.ESTOP,
            summary=f"Emergency stop: {link.mode_reason}",
            detail={"at": payload.get("at")},
        )


def _unknown_command(tower: Tower, event: TowerEvent) -> None:
    """Someone else's command moved (or tried to move) a car: our records cannot follow it."""
    if event.kind == "completed":
        incident_raise(
            tower=tower,
            kind=IncidentKind.UNKNOWN_EVENT,
            summary=f"The tower moved {event.payload.get('vin')} on a command we did not send",
            detail=event.payload,
        )


def _command_event(command: TowerCommand, kind: str, payload: dict[str, Any]) -> None:
    at = parse_datetime(str(payload.get("at") or "")) or timezone.now()
    if kind == "accepted":
        command_mark_accepted(command_pk=command.pk, at=at)
    elif kind == "running":
        TowerCommand.objects.filter(
            pk=command.pk, status__in=[CommandStatus.PENDING, CommandStatus.ACCEPTED]
        ).update(
            status=CommandStatus.RUNNING,
            claimed_until=None,
            lift=payload.get("lift"),
            estimate_s=payload.get("estimate_s"),
            started_at=at,
        )
    elif kind == "completed":
        _completed(command, at)
    else:
        command_finish(
            command=command,
            status=CommandStatus.FAILED if kind == "failed" else CommandStatus.ABORTED,
            fault_code=str(payload.get("fault_code") or ""),
            detail=f"lift {payload.get('lift')}" if payload.get("lift") else "",
        )


def _completed(command: TowerCommand, at: object) -> None:
    """The car stands in the target bay (the controller changed its inventory with this event).

    Our records follow only if they agree the car was in the source bay and the target was
    empty; otherwise the tower is held and staff get an incident: never a silent fix. Whoever
    asked for the move hears of it through ``tower.signals`` (inside this transaction).
    """
    TowerCommand.objects.filter(pk=command.pk).update(
        status=CommandStatus.COMPLETED, finished_at=at, claimed_until=None
    )
    move_finishing.send(sender=TowerCommand, command=command)
    vehicle = Vehicle.objects.select_for_update().get(pk=command.vehicle_id)
    if vehicle.bay_id != command.source_bay_id:
        tower_hold_for_mismatch(
            tower=command.tower,
            diffs={command.source_bay.code: {"tower": None, "ours": vehicle.vin if vehicle.bay_id else None}},
            summary=f"{vehicle.vin} moved by the tower but our records have it elsewhere",
        )
        return
    try:
        with transaction.atomic():
            vehicle_place(vehicle=vehicle, bay=command.target_bay)
    except IntegrityError:
        tower_hold_for_mismatch(
            tower=command.tower,
            diffs={command.target_bay.code: {"tower": command.vin, "ours": "another car"}},
            summary=f"{command.vin} put into {command.target_bay.code}, where our records have another car",
        )
        return
    command.status = CommandStatus.COMPLETED
    move_finished.send(sender=TowerCommand, command=command, outcome=MoveOutcome.COMPLETED, reissue=False)
