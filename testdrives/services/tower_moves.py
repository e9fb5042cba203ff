"""The booking's side of the tower link (``TOWER_DISPATCHER = "controller"``): when a booking
wants its car, what happens when a move ends, and which cars to pre-stage.

The tower link (``tower``) is booking-agnostic: it takes moves (``tower.moves.move_request``)
with a ``ref`` naming the booking, and reports how each ended (``tower.signals``; the receivers
below are connected in ``TestdrivesConfig.ready``). Lock order, as everywhere in testdrives: the
booking's row before its car's.
"""

import contextlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fleet.models import Bay, Tower, Vehicle, VehicleStatus
from testdrives.errors import TransitionRefused
from testdrives.models import CAR_WANTED, CAR_WANTED_AT_KIOSK, State, TestDrive
from testdrives.services.lifecycle import testdrive_car_at_bay, testdrive_dispatch_failed
from tower.models import OPEN, OPEN_STATUSES, CommandKind, CommandStatus, TowerCommand
from tower.moves import MoveTarget, move_request, stow_ensure
from tower.prestage import tower_prestage
from tower.priorities import retrieve_priority
from tower.signals import MoveOutcome

REISSUES_MAX = 3
REF_PREFIX = "testdrive:"


def testdrive_ref(test_drive_id: int) -> str:
    """How a booking names itself to the tower link."""
    return f"{REF_PREFIX}{test_drive_id}"


def testdrive_id_from_ref(ref: str) -> int | None:
    head, _, tail = ref.partition(":")
    return int(tail) if f"{head}:" == REF_PREFIX and tail.isdigit() else None


def booking_lock(test_drive_id: int) -> None:
    """Lock the booking's row (call inside a transaction), before its car's."""
    TestDrive.objects.select_for_update().filter(pk=test_drive_id).first()


def retrieve_ensure(*, test_drive_id: int) -> TowerCommand | None:
    """Make sure a booking's car is on its way to a delivery bay: ask for the retrieve if none is
    open. From check-in on (early retrieve) the car moves; the booking becomes ready once it is
    dispatching (on arrival), at once here if the car already stands in the bay.

    Call inside a transaction that holds the booking's row lock. Waits (returns None, the sweep
    calls again) while the car is held by another open command or every delivery bay is taken;
    fails a dispatching booking (after commit) when the car is not in storage or the move was
    re-issued too often (before verification it only does nothing: the verification asks again).
    """
    td = TestDrive.objects.get(pk=test_drive_id)  # its car is read below, locked
    if td.state not in CAR_WANTED:
        return None
    dispatching = td.state == State.DISPATCHING
    vehicle = (
        Vehicle.objects.select_for_update(of=("self",)).select_related("bay__tower").get(pk=td.vehicle_id)
    )
    if TowerCommand.objects.filter(OPEN, vehicle=vehicle).exists():
        return None
    if vehicle.status == VehicleStatus.AT_DELIVERY_BAY:
        bay = vehicle.bay
        assert bay is not None  # the database's vehicle_bay_matches_status
        if dispatching:
            transaction.on_commit(lambda: _car_at_bay(td.pk, bay))
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
    return move_request(
        vehicle=vehicle,
        to=MoveTarget.DELIVERY,
        priority=retrieve_priority(
            source_level=vehicle.bay.level, staging_levels=settings.TOWER_STAGING_LEVELS
        ),
        ref=testdrive_ref(td.pk),
        reason=f"pickup {td.pickup_code}" + ("" if dispatching else " (at check-in)"),
    )


def _reissues(test_drive_id: int) -> int:
    aborted = TowerCommand.objects.filter(ref=testdrive_ref(test_drive_id), status=CommandStatus.ABORTED)
    return sum(command.is_reissuable for command in aborted.only("status", "fault_code"))


def retrieve_unmoved(*, test_drive_id: int) -> str:
    """Why the booking's latest retrieve ended without moving the car ("" when it did not: none
    yet, still open, completed, or aborted by a restart and asked again)."""
    last = (
        TowerCommand.objects.filter(ref=testdrive_ref(test_drive_id), kind=CommandKind.RETRIEVE)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or last.status in (*OPEN_STATUSES, CommandStatus.COMPLETED) or last.is_reissuable:
        return ""
    return f"tower {last.status}: {last.fault_code} {last.detail}".strip()


def _fail_after_commit(test_drive_id: int, reason: str) -> None:
    def fail() -> None:
        with contextlib.suppress(TransitionRefused):  # the booking moved on meanwhile
            testdrive_dispatch_failed(test_drive=test_drive_id, reason=reason)

    transaction.on_commit(fail)


def _car_at_bay(test_drive_id: int, bay: Bay) -> None:
    with contextlib.suppress(TransitionRefused):
        testdrive_car_at_bay(test_drive=test_drive_id, bay=bay)


def _resume(test_drive_id: int) -> None:
    with transaction.atomic():
        booking_lock(test_drive_id)
        retrieve_ensure(test_drive_id=test_drive_id)


def _waiting_for_car() -> Q:
    """Bookings whose car should be on its way: dispatching, or checked in (early retrieve) with
    the customer still at the kiosk (their window not over; after it, staff decide)."""
    return Q(state=State.DISPATCHING) | Q(state__in=CAR_WANTED_AT_KIOSK, slot_end__gt=timezone.now())


def vehicle_resume_waiting(*, vehicle_id: int) -> None:
    """A car's move ended: if its booking waits for it, send for it now."""
    waiting = TestDrive.objects.filter(_waiting_for_car(), vehicle_id=vehicle_id).values_list("pk", flat=True)
    for td_pk in waiting:
        _resume(td_pk)


def dispatching_sweep() -> int:
    """Every booking waiting for its car (dispatching, or checked in: early retrieve) whose car has
    no open command gets one (after a restart abort, a relocate that held the car, or a delivery
    bay that was full). Returns how many were sent."""
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


# --- the tower's outcomes (receivers, connected in TestdrivesConfig.ready) --------------------


def on_move_finishing(*, command: TowerCommand, **kwargs: object) -> None:
    """Take the booking's lock before the inbox locks its car (the booking services' order)."""
    td_pk = testdrive_id_from_ref(command.ref)
    if td_pk is not None and command.kind == CommandKind.RETRIEVE:
        booking_lock(td_pk)


def on_move_finished(*, command: TowerCommand, outcome: str, reissue: bool, **kwargs: object) -> None:
    if command.kind == CommandKind.RELOCATE:
        vehicle_id = command.vehicle_id
        transaction.on_commit(lambda: vehicle_resume_waiting(vehicle_id=vehicle_id))
        return
    td_pk = testdrive_id_from_ref(command.ref)
    if td_pk is None or command.kind != CommandKind.RETRIEVE:
        return
    if outcome == MoveOutcome.COMPLETED:
        _delivered(td_pk, command)
    elif reissue:
        transaction.on_commit(lambda: _resume(td_pk))
    else:
        _fail_after_commit(td_pk, f"tower {command.status}: {command.fault_code} {command.detail}".strip())


def _delivered(test_drive_id: int, command: TowerCommand) -> None:
    """A retrieve completed: a dispatching booking becomes ready; one whose identity is still
    being checked (the car was sent for at check-in) keeps it waiting behind the bay's door until
    it is verified (``testdrive_identity_verified`` then makes it ready at once), or until staff
    decide (locked); if it was cancelled meanwhile, the car goes straight back into storage."""
    td = TestDrive.objects.select_for_update().get(pk=test_drive_id)
    if td.state == State.DISPATCHING:
        testdrive_car_at_bay(test_drive=td, bay=command.target_bay)
    elif td.state in (State.CANCELLED, State.NO_SHOW):
        stow_ensure(vehicle_id=command.vehicle_id, reason=f"booking {td.pickup_code} {td.state}")
    # checked_in, verifying, verified, locked: the car waits in the bay for the identity check.
    # dispatch_failed (we gave up meanwhile): staff retry finds the car at the bay.


# --- pre-staging -----------------------------------------------------------------------------


def prestage_candidates(*, tower: Tower) -> list[tuple[Vehicle, datetime]]:
    """Cars of the tower's scheduled bookings starting in [now, now + ``TOWER_PRESTAGE_MINUTES``),
    soonest first, with their slot start."""
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


def testdrives_prestage(*, tower: Tower) -> list[TowerCommand]:
    """Ask the tower to stage the cars of its next bookings. Call inside a transaction."""
    return tower_prestage(tower=tower, candidates=prestage_candidates(tower=tower))
