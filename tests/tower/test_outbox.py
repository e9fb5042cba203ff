"""Sending commands: claims, answers the controller gives, and a controller that is away."""

from datetime import timedelta

import pytest
from django.utils import timezone

from testdrives.models import State
from testdrives.services.tower_moves import testdrive_ref
from tests.tower.conftest import finish
from tower.models import CommandStatus, IncidentKind, TowerCommand, TowerIncident
from tower.reconcile import tower_clear, tower_hold
from tower.sender import command_claim, command_send, commands_due

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_one_sender_claims_a_command(sim, tower, verified, settings) -> None:
    settings.TOWER_CONTROLLERS = {tower.code: "http://127.0.0.1:9"}  # nobody listens
    td = verified()
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    TowerCommand.objects.filter(pk=command.pk).update(next_attempt_at=timezone.now(), claimed_until=None)

    assert command_claim(command_pk=command.pk)
    assert not command_claim(command_pk=command.pk)


def test_it_retries_with_backoff_while_the_controller_is_away(
    sim, sim_client, tower, verified, settings, clock
):
    settings.TOWER_CONTROLLERS = {tower.code: "http://127.0.0.1:9"}
    settings.TOWER_SEND_BACKOFF_SECONDS = 2.0
    td = verified()
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.status == CommandStatus.PENDING
    assert command.attempts == 1
    assert command.next_attempt_at > timezone.now()  # backed off
    assert command_send(command_pk=command.pk) == "skipped"  # not due yet

    settings.TOWER_CONTROLLERS = {tower.code: sim.url}
    clock.move_to(timezone.now() + timedelta(seconds=10))
    assert commands_due() == [command.pk]
    assert command_send(command_pk=command.pk) == "accepted"
    finish(sim_client, tower)

    td.refresh_from_db()
    assert td.state == State.READY


def test_it_gives_up_after_the_last_attempt_and_tells_staff(sim, tower, verified, settings, clock) -> None:
    settings.TOWER_CONTROLLERS = {tower.code: "http://127.0.0.1:9"}
    settings.TOWER_SEND_MAX_ATTEMPTS = 2
    td = verified()
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    clock.move_to(timezone.now() + timedelta(minutes=5))

    assert command_send(command_pk=command.pk) == "failed"

    command.refresh_from_db()
    td.refresh_from_db()
    assert command.fault_code == "unreachable"
    assert td.state == State.DISPATCH_FAILED
    assert TowerIncident.objects.filter(kind=IncidentKind.COMMAND_FAILED, command=command).exists()


def test_a_held_tower_keeps_the_command_pending_until_cleared(
    sim, sim_client, tower, verified, clock
) -> None:
    assert tower_hold(tower=tower, reason="staff check")
    td = verified()
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.status == CommandStatus.PENDING
    assert command.attempts == 0  # waiting on a hold is not a failed attempt

    assert tower_clear(tower=tower, reason="checked")
    clock.move_to(timezone.now() + timedelta(seconds=10))
    assert command_send(command_pk=command.pk) == "accepted"
    finish(sim_client, tower)
    td.refresh_from_db()
    assert td.state == State.READY


def test_a_rejection_fails_the_booking_with_an_incident(sim, sim_client, tower, verified, cars) -> None:
    # The tower believes the car's bay is empty: the retrieve is rejected (source_empty).
    sim_client.put_inventory({})
    td = verified()

    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    td.refresh_from_db()
    assert command.status == CommandStatus.REJECTED
    assert command.fault_code == "source_empty"
    assert td.state == State.DISPATCH_FAILED
    assert TowerIncident.objects.filter(command=command).exists()


def test_a_resend_of_an_acknowledged_command_moves_nothing_twice(sim, sim_client, tower, verified) -> None:
    td = verified()
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    finish(sim_client, tower)
    # As if the acknowledgement had been lost: the same command_id goes out again.
    TowerCommand.objects.filter(pk=command.pk).update(status=CommandStatus.PENDING, next_attempt_at=None)

    assert command_send(command_pk=command.pk) == "accepted"
    finish(sim_client, tower)
    td.refresh_from_db()
    assert td.state == State.READY
    assert sum(1 for e in sim_client.events(after=0)["events"] if e["kind"] == "completed") == 1
