"""Early retrieve through the real simulator (in-process), events pulled: the retrieve is sent
when the member checks in, the car waits in the delivery bay while the identity is checked, and
the booking becomes ready at verification (car already there) or on arrival."""

from collections.abc import Callable

import pytest
from django.conf import settings

from fleet.models import BayKind, Vehicle, VehicleStatus
from testdrives.models import Kiosk, Notification, State, TestDrive
from testdrives.services.booking import testdrive_cancel
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
)
from testdrives.services.tower_moves import dispatching_sweep, testdrive_ref
from tests.fixtures.world import make_member
from tests.tower.conftest import finish
from tower.models import CommandKind, CommandStatus, TowerCommand
from tower.priorities import RETRIEVE_PRIORITY, STAGED_RETRIEVE_PRIORITY
from tower.reconcile import tower_inventory_push

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checked_in(book, super_member, kiosk: Kiosk) -> Callable[[], TestDrive]:
    def _checked_in() -> TestDrive:
        td = book(super_member)
        return testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    return _checked_in


def completed_moves(sim_client, vin: str) -> list[str]:
    """The target bays of every move of ``vin`` the controller completed, in order."""
    events = sim_client.events(after=0)["events"]
    return [e["target_bay"] for e in events if e["kind"] == "completed" and e.get("vin") == vin]


def verify(td: TestDrive, staff) -> TestDrive:
    return testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")


def test_checking_in_sends_the_retrieve_and_the_car_waits_in_the_bay(
    sim, sim_client, tower, checked_in
) -> None:
    td = checked_in()

    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.kind == CommandKind.RETRIEVE
    assert "check-in" in command.reason
    finish(sim_client, tower)

    command.refresh_from_db()
    td.refresh_from_db()
    assert command.status == CommandStatus.COMPLETED
    assert td.state == State.CHECKED_IN  # not ready before the identity is verified
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
    assert td.vehicle.bay == command.target_bay
    assert sim_client.state()["inventory"][command.target_bay.code] == td.vehicle.vin
    assert dispatching_sweep() == 0  # nothing more to send for it


def test_a_verification_after_the_car_arrived_makes_it_ready_at_once(
    sim, sim_client, tower, checked_in, staff
) -> None:
    td = checked_in()
    finish(sim_client, tower)

    td = verify(td, staff)

    assert td.state == State.READY
    assert td.delivery_bay.kind == BayKind.DELIVERY
    assert td.delivery_bay == td.vehicle.bay
    assert TowerCommand.objects.filter(vehicle=td.vehicle).count() == 1
    assert Notification.objects.filter(test_drive=td, kind="ready").count() == 1
    assert completed_moves(sim_client, td.vehicle.vin) == [td.delivery_bay.code]


def test_a_verification_before_the_car_arrived_makes_it_ready_on_arrival(
    sim, sim_client, tower, checked_in, staff
) -> None:
    td = checked_in()

    td = verify(td, staff)  # our records have not heard of the arrival yet

    assert td.state == State.DISPATCHING
    assert TowerCommand.objects.filter(vehicle=td.vehicle).count() == 1  # never a second retrieve
    finish(sim_client, tower)
    td.refresh_from_db()
    assert td.state == State.READY
    assert td.delivery_bay == TowerCommand.objects.get(ref=testdrive_ref(td.pk)).target_bay
    assert completed_moves(sim_client, td.vehicle.vin) == [td.delivery_bay.code]


def test_a_second_tap_on_check_in_sends_no_second_command(sim, tower, checked_in, kiosk) -> None:
    td = checked_in()

    again = testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    assert again.state == State.CHECKED_IN
    assert TowerCommand.objects.filter(vehicle=td.vehicle).count() == 1


def test_staff_cancelling_while_the_car_waits_in_the_bay_send_it_back(
    sim, sim_client, tower, checked_in, staff
) -> None:
    td = checked_in()
    finish(sim_client, tower)
    retrieve = TowerCommand.objects.get(ref=testdrive_ref(td.pk))

    testdrive_cancel(test_drive=td, by=staff, as_staff=True, reason="member left")
    finish(sim_client, tower)

    td.refresh_from_db()
    assert td.state == State.CANCELLED
    assert td.vehicle.status == VehicleStatus.STORED
    store = TowerCommand.objects.get(vehicle=td.vehicle, kind=CommandKind.STOW)
    assert store.status == CommandStatus.COMPLETED
    assert completed_moves(sim_client, td.vehicle.vin) == [retrieve.target_bay.code, store.target_bay.code]


def test_staff_cancelling_while_the_car_is_on_its_way_send_it_back_when_it_arrives(
    sim, sim_client, tower, checked_in, staff
) -> None:
    td = checked_in()

    testdrive_cancel(test_drive=td, by=staff, as_staff=True, reason="member left")
    assert not TowerCommand.objects.filter(kind=CommandKind.STOW).exists()  # not there yet
    finish(sim_client, tower)  # the retrieve completes: the inbox sends the car back
    finish(sim_client, tower)

    td.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.STORED
    retrieve = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    store = TowerCommand.objects.get(vehicle=td.vehicle, kind=CommandKind.STOW)
    assert store.status == CommandStatus.COMPLETED
    assert completed_moves(sim_client, td.vehicle.vin) == [retrieve.target_bay.code, store.target_bay.code]


def test_failed_face_checks_and_a_lock_keep_the_car_in_the_bay(
    sim, sim_client, tower, checked_in, staff
) -> None:
    td = checked_in()
    finish(sim_client, tower)
    bay = TowerCommand.objects.get(ref=testdrive_ref(td.pk)).target_bay

    for failures in range(1, settings.TESTDRIVE_FACE_ATTEMPTS_MAX + 1):
        testdrive_face_check_started(test_drive=td)
        testdrive_face_check_failed(test_drive=td, failures=failures, reason="no match")
    td.refresh_from_db()
    assert td.state == State.LOCKED
    assert dispatching_sweep() == 0
    assert td.vehicle.bay == bay
    assert sim_client.state()["inventory"][bay.code] == td.vehicle.vin

    td = verify(td, staff)  # staff saw the licence and ID card

    assert td.state == State.READY
    assert td.delivery_bay == bay
    assert TowerCommand.objects.filter(vehicle=td.vehicle).count() == 1


def test_with_no_delivery_bay_free_check_in_succeeds_and_the_retrieve_waits(
    sim, sim_client, tower, checked_in
) -> None:
    tower.bays.filter(kind=BayKind.DELIVERY).update(is_enabled=False)

    td = checked_in()

    assert td.state == State.CHECKED_IN
    assert not TowerCommand.objects.exists()
    tower.bays.filter(kind=BayKind.DELIVERY).update(is_enabled=True)
    assert dispatching_sweep() == 1  # the beat's flush sends it once a bay is free
    finish(sim_client, tower)
    td.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
    assert td.state == State.CHECKED_IN


def test_a_pre_staged_car_is_sent_for_ahead_of_a_car_from_storage(
    sim, sim_client, tower, book, super_member, kiosk, settings
) -> None:
    staged = book(super_member)
    assert staged.vehicle.bay.level <= settings.TOWER_STAGING_LEVELS
    stored = book(make_member(score=760))
    Vehicle.objects.filter(pk=stored.vehicle_id).update(bay=tower.bays.get(level=3, position=1))
    assert tower_inventory_push(tower=tower) == "loaded"  # the tower agrees: the car stands on level 3

    for td in (stored, staged):
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    sent = {c.vehicle_id: c for c in TowerCommand.objects.filter(kind=CommandKind.RETRIEVE)}
    assert sent[staged.vehicle_id].priority == STAGED_RETRIEVE_PRIORITY
    assert sent[stored.vehicle_id].priority == RETRIEVE_PRIORITY
    finish(sim_client, tower)
    assert {c.status for c in TowerCommand.objects.filter(kind=CommandKind.RETRIEVE)} == {
        CommandStatus.COMPLETED
    }
