"""Sending pending commands to their tower's controller: HTTP with backoff and jitter.

``command_send`` is safe to run any number of times, from any worker: it claims the row with a
conditional UPDATE (a lease), and the controller treats a repeated ``command_id`` as the same
command. The beat's ``tower_outbox_flush`` sends whatever is due, so a lost task loses nothing.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from fleet.models import BayKind, Tower
from tower.arrival_gate import background_admitted
from tower.client import Answer, ControllerUnreachable, TowerClient, client_for
from tower.commands import command_finish, command_mark_accepted
from tower.models import CommandKind, CommandStatus, TowerCommand, TowerLink
from tower.priorities import RETRIEVE_PRIORITY
from tower.protocol import CommandPayload
from tower.protocol import command_payload as wire_command
from tower.reconcile import tower_delivery_sync

CLAIM_SECONDS = 30
HELD_RETRY_SECONDS = 5  # the tower is on hold or e-stopped: ask again now and then, without counting


def command_payload(command: TowerCommand) -> CommandPayload:
    return wire_command(
        command_id=str(command.command_id),
        type=command.kind,  # type: ignore[arg-type]  # CommandKind's values are the wire's types
        source_bay=command.source_bay.code,
        target_bay=command.target_bay.code,
        vin=command.vin,
        priority=command.priority,
    )


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
    ``held`` (a store or relocation kept back for a customer who announced their arrival),
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
    if not _admitted(command):
        _retry_later(
            command, seconds=HELD_RETRY_SECONDS, counted=False, error="held for an arriving customer"
        )
        return "held"
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


def _admitted(command: TowerCommand) -> bool:
    """A customer's retrieve always goes; a store or relocation goes unless the arrival gate
    (``tower.arrival_gate``) keeps it back for customers who said they are arriving. The lifts
    our side sees as busy are those running or queued with a command of ours."""
    if command.priority >= RETRIEVE_PRIORITY:
        return True
    now = timezone.now()
    expected = arrivals_expected(tower=command.tower, now=now)
    if not expected:
        return True
    busy = TowerCommand.objects.filter(
        tower=command.tower, status__in=[CommandStatus.ACCEPTED, CommandStatus.RUNNING]
    ).count()
    return background_admitted(
        is_stow=command.kind == CommandKind.STOW,
        idle_lifts=max(0, command.tower.lifts - busy),
        arrivals_expected=len(expected),
        waited_s=(now - command.created_at).total_seconds(),
        own_car=command.vehicle_id in expected,
    )


def arrivals_expected(*, tower: Tower, now: datetime) -> list[int]:
    """The cars (vehicle pks) of the customers the tower should keep a lift free for, one per
    customer, as the app that knows them says (``TOWER_ARRIVALS_EXPECTED``; none when empty)."""
    if not settings.TOWER_ARRIVALS_EXPECTED:
        return []
    cars: list[int] = import_string(settings.TOWER_ARRIVALS_EXPECTED)(tower=tower, now=now)
    return cars


def _touches_delivery(command: TowerCommand) -> bool:
    return BayKind.DELIVERY in (command.source_bay.kind, command.target_bay.kind)


def _delivery_bays_agree(command: TowerCommand, client: TowerClient) -> bool:
    """Cars drive into and out of delivery bays without the lift, which the controller does not
    see: before a move there, make sure its delivery bays match ours (loading our inventory
    into an idle tower if they do not). False: not yet, try again shortly."""
    state = client.state()
    inventory = state.get("inventory") or {}
    ours_source = command.vin if command.source_bay.kind == BayKind.DELIVERY else None
    wanted: dict[str, str | None] = {command.target_bay.code: None}
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


def commands_due() -> list[int]:
    """Pending commands whose next attempt is due and whose lease is free (for the beat)."""
    return list(
        TowerCommand.objects.filter(_due(timezone.now()))
        .order_by("-priority", "pk")
        .values_list("pk", flat=True)[:200]
    )
