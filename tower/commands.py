"""Tower commands: recording a move with the state change that needs it, and recording how it
ended. The outbox's other jobs are their own modules: sending (``tower.sender``), events
(``tower.inbox``), reconciling (``tower.reconcile``), incidents (``tower.incidents``).

Contract: ``command_create`` runs inside the caller's transaction and the command is sent only
after it commits; ``command_finish`` and ``command_mark_accepted`` are idempotent.
"""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from fleet.models import Bay, Vehicle
from tower.incidents import incident_raise
from tower.models import OPEN_STATUSES, CommandKind, CommandStatus, IncidentKind, TowerCommand
from tower.signals import MoveOutcome, move_finished
from vendingstore.queueing import delay_on_commit


def command_create(
    *,
    kind: str,
    vehicle: Vehicle,
    source_bay: Bay,
    target_bay: Bay,
    ref: str = "",
    priority: int = 0,
    reason: str = "",
    by: User | None = None,
) -> TowerCommand:
    """Record a move and send it after the current transaction commits. ``ref`` is the caller's
    (opaque to us); it comes back with the outcome (``tower.signals``).

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
            ref=ref[:40],
            priority=priority,
            reason=reason[:200],
            created_by=by,
            next_attempt_at=timezone.now(),
        )
    # Lost if the broker is down at commit: the pending row stands, and tower_outbox_flush sends it.
    delay_on_commit("tower.tasks.tower_command_send_task", command.pk)
    return command


def command_mark_accepted(*, command_pk: int, at: datetime) -> None:
    """The controller took the command (its answer, or its ``accepted`` event, whichever comes
    first): a pending command becomes accepted, and ``sent_at`` keeps the first acknowledgement."""
    TowerCommand.objects.filter(pk=command_pk, status=CommandStatus.PENDING).update(
        status=CommandStatus.ACCEPTED, claimed_until=None
    )
    TowerCommand.objects.filter(pk=command_pk, sent_at__isnull=True).update(sent_at=at)


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
    """The car is still in its source bay: tell whoever asked (``move_finished``). A restart
    abort is asked again (by the asker when it gave a ``ref``, by us for a stow); anything else
    goes to staff as an incident."""
    reissue = command.is_reissuable
    move_finished.send(sender=TowerCommand, command=command, outcome=MoveOutcome.UNMOVED, reissue=reissue)
    if command.kind == CommandKind.RETRIEVE and command.ref and reissue:
        return
    if command.kind == CommandKind.STOW and reissue:
        return  # tower.moves asks for it again (its move_finished receiver)
    if command.kind == CommandKind.RELOCATE and command.status == CommandStatus.ABORTED:
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
