"""A verified booking's car comes down through the real simulator (in-process), events pulled."""

import pytest

from fleet.models import VehicleStatus
from testdrives.models import State
from testdrives.services.tower_moves import testdrive_ref
from tests.tower.conftest import finish
from tower.models import CommandKind, CommandStatus, TowerCommand, TowerEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_sends_a_retrieve_and_the_booking_becomes_ready(sim, sim_client, tower, verified) -> None:
    td = verified()

    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.kind == CommandKind.RETRIEVE
    assert command.status in (CommandStatus.ACCEPTED, CommandStatus.PENDING)
    finish(sim_client, tower)

    command.refresh_from_db()
    td.refresh_from_db()
    assert command.status == CommandStatus.COMPLETED
    assert td.state == State.READY
    assert td.delivery_bay == command.target_bay
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
    assert sim_client.state()["inventory"][command.target_bay.code] == td.vehicle.vin
    assert set(TowerEvent.objects.filter(command=command).values_list("kind", flat=True)) == {
        "accepted",
        "running",
        "completed",
    }
