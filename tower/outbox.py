"""The command outbox: creating tower commands with the state change that needs them, and sending them.

Contract: ``command_create`` and the ``*_ensure`` functions run inside the caller's transaction
and send only after it commits. ``command_send`` is safe to run any number of times, from any
worker: it claims the row with a conditional UPDATE, and the controller treats a repeated
``command_id`` as the same command.
"""

import contextlib
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from fleet.models import Bay, BayKind, Vehicle, VehicleStatus
from tower.bays import delivery_bay_for_retrieve, storage_bay_for_store
from tower.client import Answer, ControllerUnreachable, TowerClient, client_for
from tower.incidents import incident_raise
from tower.models import (
    OPEN,
    OPEN_STATUSES,
    CommandKind,
    CommandStatus,
    IncidentKind,
    TowerCommand,
    TowerLink,
)
from vendingstore.queueing import delay_on_commit

CLAIM_SECONDS = 30
HELD_RETRY_SECONDS = 5  # the tower is on hold or e-stopped: ask again now and then, without counting
RETRIEVE_PRIORITY = 5  # a customer waits; stores and pre-staging use 0
# An abort that says nothing about the move itself: the same move is asked again (new command_id).
REISSUE_FAULTS = {"controller_restart"}
REISSUES_MAX = 3


# --- creating -------------------------------------------------------------------------------


def command_create(
    *,
    kind: str,
    vehicle: Vehicle,
    source_bay: Bay,
    target_bay: Bay,
    test_drive_id: int | None = None,
    priority: int = 0,
    reason: str = "",
    by: object | None = None,
) -> TowerCommand:
    """Record a move and send it after the current transaction commits.

    Raises IntegrityError (inside its own savepoint, so the caller's transaction stays usable)
    when the car or a bay is already taken by another open command.
    """
    with transaction.atomic():
        command = TowerCommand.objects.create(
            tower_id=source_bay.tower_id,
            kind=kind,
            vehicle=vehicle,
            vin=vehicle.vin,
            source_bay=source_bay,
            target_bay=target_bay,
            test_drive_id=test_drive_id,
            priority=priority,
            reason=reason[:200],
            created_by=by,
            next_attempt_at=timezone.now(),
        )
    from tower.tasks import tower_command_send_task  # the tasks module imports this one

    # Lost if the broker is down at commit: the pending row stands, and tower_outbox_flush sends it.
    delay_on_commit(tower_command_send_task, command.pk)
    return command


def _retrieve_states() -> tuple[str, ...]:
    """The booking's states in which its car may come to a delivery bay: from check-in (early
    retrieve, while the identity is checked) to dispatching (verified: ready on arrival)."""
    from testdrives.models import State

    return (State.CHECKED_IN, State.VERIFYING, State.VERIFIED, State.LOCKED, State.DISPATCHING)


def retrieve_ensure(*, test_drive_id: int) -> TowerCommand | None:
    """Make sure a booking's car is on its way to a delivery bay: create the retrieve if none is
    open. From check-in on (early retrieve) the car moves; the booking becomes ready once it is
    dispatching (``tower.inbox``), at once here if the car already stands in the bay.

    Call inside a transaction that holds the booking's row lock. Waits (returns None, the outbox
    sweep calls again) while the car is held by another open command or every delivery bay is
    taken; fails a dispatching booking (after commit) when the car is not in storage or the move
    was re-issued too often (before verification it only does nothing: the verification asks
    again).
    """
    from testdrives.models import State, TestDrive

    td = TestDrive.objects.get(pk=test_drive_id)  # its car is read below, locked
    if td.state not in _retrieve_states():
        return None
    dispatching = td.state == State.DISPATCHING
    vehicle = Vehicle.objects.select_for_update(of=("self",)).select_related("bay").get(pk=td.vehicle_id)
    if TowerCommand.objects.filter(OPEN, vehicle=vehicle).exists():
        return None
    if vehicle.status == VehicleStatus.AT_DELIVERY_BAY:
        bay = vehicle.bay
        if dispatching:
            transaction.on_commit(lambda: _car_at_bay_after_commit(td.pk, bay))
        return None
    if vehicle.status != VehicleStatus.STORED or vehicle.bay is None:
        if dispatching:
            _fail_after_commit(td.pk, "the car is not in storage")
        return None
    if _reissues(td.pk) >= REISSUES_MAX:
        if dispatching:
            _fail_after_commit(td.pk, "the tower aborted this move too often")
        return None
    if not dispatching and retrieve_unmoved(test_drive_id=td.pk):
        return None  # the early move failed (staff have its incident): the verification decides
    bay = delivery_bay_for_retrieve(vehicle.bay.tower)
    if bay is None:
        return None
    try:
        return command_create(
            kind=CommandKind.RETRIEVE,
            vehicle=vehicle,
            source_bay=vehicle.bay,
            target_bay=bay,
            test_drive_id=td.pk,
            priority=RETRIEVE_PRIORITY,
            reason=f"pickup {td.pickup_code}" + ("" if dispatching else " (at check-in)"),
        )
    except IntegrityError:
        return None  # raced with another sender for the bay: the sweep tries again


def store_ensure(*, vehicle_id: int, reason: str = "back into storage") -> TowerCommand | None:
    """Send a car standing in a delivery bay back into storage. Call inside a transaction.

    Returns None when there is nothing to do (not at a delivery bay, already moving) or no
    storage bay is free (an incident for staff).
    """
    vehicle = Vehicle.objects.select_for_update(of=("self",)).select_related("bay__tower").get(pk=vehicle_id)
    if vehicle.status != VehicleStatus.AT_DELIVERY_BAY or vehicle.bay is None:
        return None
    if TowerCommand.objects.filter(OPEN, vehicle=vehicle).exists():
        return None
    tower = vehicle.bay.tower
    bay = storage_bay_for_store(tower)
    if bay is None:
        incident_raise(
            tower=tower, kind=IncidentKind.COMMAND_FAILED, summary=f"No storage bay free for {vehicle.vin}"
        )
        return None
    try:
        return command_create(
            kind=CommandKind.STORE, vehicle=vehicle, source_bay=vehicle.bay, target_bay=bay, reason=reason
        )
    except IntegrityError:
        return None


def _reissues(test_drive_id: int) -> int:
    return TowerCommand.objects.filter(
        test_drive_id=test_drive_id, status=CommandStatus.ABORTED, fault_code__in=REISSUE_FAULTS
    ).count()


def retrieve_unmoved(*, test_drive_id: int) -> str:
    """Why the booking's latest retrieve ended without moving the car ("" when it did not: none
    yet, still open, completed, or aborted by a restart and asked again)."""
    last = (
        TowerCommand.objects.filter(test_drive_id=test_drive_id, kind=CommandKind.RETRIEVE)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or last.status in (*OPEN_STATUSES, CommandStatus.COMPLETED):
        return ""
    if last.status == CommandStatus.ABORTED and last.fault_code in REISSUE_FAULTS:
        return ""
    return f"tower {last.status}: {last.fault_code} {last.detail}".strip()


def _fail_after_commit(test_drive_id: int, reason: str) -> None:
    def fail() -> None:
        from testdrives.errors import TransitionRefused
        from testdrives.services.lifecycle import testdrive_dispatch_failed

        with contextlib.suppress(TransitionRefused):  # the booking moved on meanwhile
            testdrive_dispatch_failed(test_drive=test_drive_id, reason=reason)

    transaction.on_commit(fail)


def _car_at_bay_after_commit(test_drive_id: int, bay: Bay) -> None:
    from testdrives.errors import TransitionRefused
    from testdrives.services.lifecycle import testdrive_car_at_bay

    with contextlib.suppress(TransitionRefused):
        testdrive_car_at_bay(test_drive=test_drive_id, bay=bay)


# --- sending --------------------------------------------------------------------------------


def command_payload(command: TowerCommand) -> dict[str, object]:
    return {
        "command_id": str(command.command_id),
        "type": command.kind,
        "source_bay": command.source_bay.code,
        "target_bay": command.target_bay.code,
        "vin": command.vin,
        "priority": command.priority,
    }


def command_claim(*, command_pk: int) -> bool:
    """Take the send lease of a pending, due command; False when another sender has it or
    there is nothing to send. One conditional UPDATE, so two workers never both win."""
    now = timezone.now()
    return bool(
        TowerCommand.objects.filter(_due(now), pk=command_pk).update(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1
        )
    )


def _due(now: datetime) -> Q:
    """Pending, its next attempt due, and no live send lease on it."""
    return (
        Q(status=CommandStatus.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def command_send(*, command_pk: int) -> str:
    """Send one pending command if it is due; returns what happened (for logs and tests):
    ``skipped``, ``accepted``, ``waiting`` (tower held, busy or its delivery bays out of date),
    ``retry`` (no answer), ``rejected`` or ``failed``."""
    if not command_claim(command_pk=command_pk):
        return "skipped"
    command = TowerCommand.objects.select_related("tower", "source_bay", "target_bay").get(pk=command_pk)
    client = client_for(command.tower)
    if client is None:
        command_finish(
            command=command,
            status=CommandStatus.FAILED,
            fault_code="no_controller",
            detail="TOWER_CONTROLLERS names no controller for this tower",
        )
        return "failed"
    try:
        if _touches_delivery(command) and not _delivery_bays_agree(command, client):
            _retry_later(command, seconds=HELD_RETRY_SECONDS / 5, counted=False)
            return "waiting"
        with transaction.atomic():
            # The tower's row lock keeps an inventory load (reconcile) from running while we submit.
            TowerLink.objects.select_for_update().get_or_create(tower=command.tower)
            answer = client.submit(command_payload(command))
    except ControllerUnreachable as error:
        return _unanswered(command, str(error))
    return _answered(command, answer)


def _touches_delivery(command: TowerCommand) -> bool:
    return BayKind.DELIVERY in (command.source_bay.kind, command.target_bay.kind)


def _delivery_bays_agree(command: TowerCommand, client: TowerClient) -> bool:
    """Cars drive into and out of delivery bays without the lift, which the controller does not
    see: before a move there, make sure its delivery bays match ours (loading our inventory
    into an idle tower if they do not). False: not yet, try again shortly."""
    from tower.reconcile import tower_delivery_sync

    state = client.state()
    inventory = state.get("inventory") or {}
    ours_source = command.vin if command.source_bay.kind == BayKind.DELIVERY else None
    wanted = {command.target_bay.code: None}
    if ours_source:
        wanted[command.source_bay.code] = ours_source
    if all(inventory.get(code) == vin for code, vin in wanted.items()):
        return True
    return tower_delivery_sync(tower=command.tower, client=client, state=state)


def _answered(command: TowerCommand, answer: Answer) -> str:
    body = answer.body
    if answer.status in (200, 202) and body.get("status") != "rejected":
        command_mark_accepted(command_pk=command.pk, at=timezone.now())
        return "accepted"
    if answer.status == 422 or (body.get("status") == "rejected" and answer.status < 300):
        command_finish(
            command=command,
            status=CommandStatus.REJECTED,
            fault_code=answer.reason,
            detail=str(body.get("detail") or ""),
        )
        return "rejected"
    if answer.status == 409 and answer.reason in ("tower_hold", "tower_estop"):
        _retry_later(command, seconds=HELD_RETRY_SECONDS, counted=False, error=answer.reason)
        return "waiting"
    if answer.status == 409:  # command_id_conflict: our bug, never a second move
        command_finish(
            command=command,
            status=CommandStatus.FAILED,
            fault_code=answer.reason or "conflict",
            detail=str(body.get("detail") or ""),
        )
        return "failed"
    return _unanswered(command, f"HTTP {answer.status} {answer.reason}")


def _unanswered(command: TowerCommand, error: str) -> str:
    if command.attempts >= settings.TOWER_SEND_MAX_ATTEMPTS:
        command_finish(
            command=command,
            status=CommandStatus.FAILED,
            fault_code="unreachable",
            detail=f"no answer after {command.attempts} attempts: {error}"[:300],
        )
        return "failed"
    delay = min(
        settings.TOWER_SEND_BACKOFF_MAX_SECONDS,
        settings.TOWER_SEND_BACKOFF_SECONDS * 2 ** (command.attempts - 1),
    )
    _retry_later(command, seconds=delay * random.uniform(0.5, 1.5), counted=True, error=error)
    return "retry"


def _retry_later(command: TowerCommand, *, seconds: float, counted: bool, error: str = "") -> None:
    """Release the lease and make the command due again in ``seconds``. An uncounted wait (the
    tower is held or busy) gives back the attempt the claim took."""
    changes: dict[str, object] = {
        "claimed_until": None,
        "next_attempt_at": timezone.now() + timedelta(seconds=seconds),
    }
    if error:
        changes["detail"] = error[:300]
    if not counted:
        changes["attempts"] = F("attempts") - 1
    TowerCommand.objects.filter(pk=command.pk, status=CommandStatus.PENDING).update(**changes)


def command_mark_accepted(*, command_pk: int, at: datetime) -> None:
    """The controller took the command (its answer, or its ``accepted`` event, whichever comes
    first): a pending command becomes accepted, and ``sent_at`` keeps the first acknowledgement."""
    TowerCommand.objects.filter(pk=command_pk, status=CommandStatus.PENDING).update(
        status=CommandStatus.ACCEPTED, claimed_until=None
    )
    TowerCommand.objects.filter(pk=command_pk, sent_at__isnull=True).update(sent_at=at)


# --- ending ---------------------------------------------------------------------------------


def command_finish(*, command: TowerCommand, status: str, fault_code: str = "", detail: str = "") -> bool:
    """A command ended without moving its car (rejected, failed, aborted, or given up): record it
    and tell whoever waits. Idempotent: False when the command had already ended."""
    with transaction.atomic():
        updated = TowerCommand.objects.filter(pk=command.pk, status__in=OPEN_STATUSES).update(
            status=status,
            fault_code=fault_code[:40],
            detail=detail[:300],
            finished_at=timezone.now(),
            claimed_until=None,
        )
        if not updated:
            return False
        command.refresh_from_db()
        _after_unmoved(command)
    return True


def _after_unmoved(command: TowerCommand) -> None:
    """The car is still in its source bay. A restart abort is asked again; anything else goes to
    staff (an incident, and the booking to dispatch_failed)."""
    reissue = command.status == CommandStatus.ABORTED and command.fault_code in REISSUE_FAULTS
    if command.kind == CommandKind.RETRIEVE and command.test_drive_id:
        if reissue:
            transaction.on_commit(lambda: _resume_after_commit(command.test_drive_id))
            return
        _fail_after_commit(
            command.test_drive_id, f"tower {command.status}: {command.fault_code} {command.detail}".strip()
        )
    elif command.kind == CommandKind.STORE and reissue:
        store_ensure(vehicle_id=command.vehicle_id)
        return
    elif command.kind == CommandKind.RELOCATE:
        transaction.on_commit(lambda: vehicle_resume_waiting(vehicle_id=command.vehicle_id))
        if command.status == CommandStatus.ABORTED:
            return  # pre-staging is a nicety: it tries again on its next round
    incident_raise(
        tower=command.tower,
        kind=IncidentKind.COMMAND_FAILED,
        summary=f"{command.get_kind_display()} of {command.vin} {command.status}: {command.fault_code}"[:200],
        detail={
            "detail": command.detail,
            "source": command.source_bay.code,
            "target": command.target_bay.code,
        },
        command=command,
    )


def _resume_after_commit(test_drive_id: int) -> None:
    with transaction.atomic():
        booking_lock(test_drive_id)
        retrieve_ensure(test_drive_id=test_drive_id)


def booking_lock(test_drive_id: int) -> None:
    """Lock the booking's row (call inside a transaction). The tower link takes the booking
    before its car, as the booking's own services do, so the two never deadlock."""
    from testdrives.models import TestDrive

    TestDrive.objects.select_for_update().filter(pk=test_drive_id).first()


def vehicle_resume_waiting(*, vehicle_id: int) -> None:
    """A car's move ended: if its booking waits for it (checked in or dispatching), send for it
    now."""
    from testdrives.models import TestDrive

    waiting = TestDrive.objects.filter(_waiting_for_car(), vehicle_id=vehicle_id).values_list("pk", flat=True)
    for td_pk in waiting:
        _resume_after_commit(td_pk)


def _waiting_for_car() -> Q:
    """Bookings whose car should be on its way: dispatching, or checked in (early retrieve) with
    the customer still at the kiosk (their window not over; after it, staff decide)."""
    from testdrives.models import State

    return Q(state=State.DISPATCHING) | Q(
        state__in=[State.CHECKED_IN, State.VERIFYING, State.VERIFIED], slot_end__gt=timezone.now()
    )


def dispatching_sweep() -> int:
    """Every booking waiting for its car (dispatching, or checked in: early retrieve) whose car has
    no open command gets one (after a restart abort, a relocate that held the car, or a delivery
    bay that was full). Returns how many were sent."""
    from testdrives.models import State, TestDrive

    waiting = (
        TestDrive.objects.filter(_waiting_for_car())
        .exclude(vehicle__tower_commands__status__in=OPEN_STATUSES)
        .exclude(~Q(state=State.DISPATCHING), vehicle__status=VehicleStatus.AT_DELIVERY_BAY)  # waits there
        .values_list("pk", flat=True)
    )
    created = 0
    for td_pk in list(waiting):
        with transaction.atomic():
            booking_lock(td_pk)
            created += retrieve_ensure(test_drive_id=td_pk) is not None
    return created


def commands_due() -> list[int]:
    """Pending commands whose next attempt is due and whose lease is free (for the beat)."""
    return list(
        TowerCommand.objects.filter(_due(timezone.now()))
        .order_by("-priority", "pk")
        .values_list("pk", flat=True)[:200]
    )
