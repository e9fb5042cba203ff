"""The reconciler: mismatches hold the tower for staff; e-stops abort and wait for a clear."""

import pytest

from fleet.models import Vehicle, VehicleStatus
from testdrives.models import State
from testdrives.services.tower_moves import testdrive_ref
from tests.tower.conftest import SECRET, wait_idle
from tower.client import TowerClient
from tower.inbox import catch_up
from tower.models import CommandStatus, IncidentKind, TowerCommand, TowerIncident, TowerLink
from tower.reconcile import tower_clear, tower_inventory_push, tower_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_finds_nothing_wrong_with_a_tower_that_agrees(sim, tower) -> None:
    assert tower_reconcile(tower=tower) == "ok"
    assert not TowerIncident.objects.exists()


def test_a_storage_mismatch_holds_the_tower_and_fixes_nothing(sim, sim_client, tower, cars) -> None:
    moved = cars[0]
    theirs = {code: vin for code, vin in sim_client.state()["inventory"].items() if vin}
    theirs.pop(moved.bay.code)
    theirs["L03-B04"] = moved.vin  # the tower has it somewhere else
    sim_client.put_inventory(theirs)

    assert tower_reconcile(tower=tower) == "mismatch"

    incident = TowerIncident.objects.get(kind=IncidentKind.INVENTORY_MISMATCH)
    assert set(incident.detail["bays"]) == {moved.bay.code, "L03-B04"}
    assert sim_client.state()["mode"] == "hold"
    assert Vehicle.objects.get(pk=moved.pk).bay == moved.bay  # our records untouched


def test_it_catches_up_events_it_never_received(sim, sim_client, tower, verified) -> None:
    td = verified()
    wait_idle(sim_client)

    assert tower_reconcile(tower=tower) == "ok"
    td.refresh_from_db()
    assert td.state == State.READY
    assert TowerLink.objects.get(tower=tower).applied_seq == sim_client.state()["high_water_seq"]


@pytest.fixture
def slow_sim(start_sim, controller_settings, tower, cars):
    """A simulator slow enough (a move takes about a second) to press the button mid-move."""
    app = start_sim(speed=50)
    controller_settings(app.url)
    assert tower_inventory_push(tower=tower) == "loaded"
    return TowerClient(app.url, operator_token=SECRET)


def test_an_estop_during_a_move_aborts_it_and_holds_until_staff_clear(slow_sim, tower, verified) -> None:
    td = verified()
    slow_sim._call("POST", "/v1/faults/estop", {"reason": "red button"})
    catch_up(tower=tower, client=slow_sim)

    td.refresh_from_db()
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.status == CommandStatus.ABORTED
    assert command.fault_code == "estop"
    assert td.state == State.DISPATCH_FAILED
    assert td.vehicle.status == VehicleStatus.STORED  # back in its source bay
    assert TowerLink.objects.get(tower=tower).mode == "estop"
    assert TowerIncident.objects.filter(kind=IncidentKind.ESTOP).exists()
    assert tower_reconcile(tower=tower) == "ok"  # inventories agree: nothing moved
    assert slow_sim.state()["mode"] == "estop"  # held until staff clear

    assert tower_clear(tower=tower, reason="checked the tower")
    assert slow_sim.state()["mode"] == "auto"
