"""A return frees its delivery bay by itself, against the real tower simulator (a subprocess) and
its webhooks into a live Django server: the car waits in the bay while the member is in it, the
gate's closing (the simulator's gate_closed event) has the tower stow it while the operator's
review is still open, and the review in the console then completes the drive without moving the
car again.

Celery tasks run eagerly (in the test process or the live server's thread); the beat is the
test's own loop (``converge``). With SQLite in memory the live server shares the test's
connection: the test and the webhook take turns through ``DB_TURN``.
"""

import time
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fleet.models import VehicleStatus
from ops.roles import roles_sync
from testdrives.models import Kiosk, State, TestDrive
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_identity_verified,
    testdrive_return,
)
from testdrives.tasks import dispatching_sweep
from tests.e2e.tower_support import (
    DB_TURN,
    SECRET,
    SimProcess,
    book_next_quarter_hour,
    ready,
    sim_start,
    tower_world,
)
from tests.factories import StaffFactory
from tests.returns_support import four_sides
from tower import views
from tower.models import CommandKind, CommandStatus, TowerCommand
from tower.reconcile import tower_inventory_push, tower_reconcile
from tower.tasks import tower_outbox_flush, tower_reconcile_all

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


@pytest.fixture
def webhook_errors(monkeypatch) -> list[BaseException]:
    """The webhook's handling, one turn at a time, with every exception (a 500) recorded."""
    errors: list[BaseException] = []
    receive = views._receive

    def turn(tower, body):
        with DB_TURN:
            try:
                return receive(tower, body)
            except BaseException as error:
                errors.append(error)
                raise

    monkeypatch.setattr(views, "_receive", turn)
    return errors


@pytest.fixture
def world(db) -> dict:
    with DB_TURN:
        return tower_world("rt-tower")


@pytest.fixture
def sim(world, live_server, settings, tmp_path, webhook_errors) -> Iterator[SimProcess]:
    tower = world["tower"]
    process = sim_start(tower, live_server_url=live_server.url, state_dir=tmp_path / "state")
    settings.TOWER_DISPATCHER = "controller"
    settings.TOWER_CONTROLLERS = {tower.code: process.url}
    settings.TOWER_SECRETS = {tower.code: SECRET}
    settings.TOWER_SEND_BACKOFF_SECONDS = 0.2
    settings.TOWER_SEND_BACKOFF_MAX_SECONDS = 1.0
    settings.TOWER_PRESTAGE_ENABLED = False
    with DB_TURN:
        assert tower_inventory_push(tower=tower) == "loaded"
    yield process
    process.stop()
    assert not webhook_errors, webhook_errors


def converge(check: Callable[[], bool], *, timeout: float = 40.0) -> None:
    """Run the beat's work (sweeps, outbox flush, reconcile) until ``check`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with DB_TURN:
            if check():
                return
            dispatching_sweep()
            tower_outbox_flush()
            tower_reconcile_all()
            if check():
                return
        time.sleep(0.2)
    raise AssertionError("did not converge")


def on_the_road(world) -> TestDrive:
    """A member books, is verified, the simulator brings the car down and they drive off."""
    with DB_TURN:
        staff = StaffFactory()
        kiosk = Kiosk.objects.create(
            store=world["store"], name="Entrance", token_hash="r" * 64, created_by=staff
        )
        [td] = book_next_quarter_hour(world, 1)
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
    converge(ready(td))
    with DB_TURN:
        return testdrive_depart(test_drive=td)


def stowed(td: TestDrive) -> Callable[[], bool]:
    def check() -> bool:
        car = TestDrive.objects.select_related("vehicle").get(pk=td.pk).vehicle
        return car.status == VehicleStatus.STORED

    return check


def operator_client(client):
    roles_sync()
    user = StaffFactory(username="rita", is_superuser=False)
    user.groups.add(Group.objects.get(name="operator"))
    client.force_login(user)
    return client


def test_the_tower_stows_a_returned_car_once_the_gate_closes_while_the_review_is_still_open(
    sim, world, client
) -> None:
    td = on_the_road(world)
    with DB_TURN:
        td = testdrive_return(
            test_drive=td, odometer_km=td.odometer_out_km + 60, energy_pct=45, sides=four_sides()
        )
        bay = td.delivery_bay
    time.sleep(1)  # the beat runs meanwhile: nothing moves a car with the member beside it
    with DB_TURN:
        tower_outbox_flush()
        assert not TowerCommand.objects.filter(vehicle=td.vehicle, kind=CommandKind.STOW).exists()

    sim.client._call("POST", "/v1/world/gate-closed", {"bay": bay.code, "occupied": True})
    converge(stowed(td))

    with DB_TURN:
        td.refresh_from_db()
        assert td.state == State.RETURNED  # the review is still open
        assert td.bay_left_at is not None
        stow = TowerCommand.objects.get(vehicle=td.vehicle, kind=CommandKind.STOW)
        assert stow.status == CommandStatus.COMPLETED
        assert stow.source_bay == bay
        inventory = sim.client.state()["inventory"]
        td.vehicle.refresh_from_db()
        assert inventory[td.vehicle.bay.code] == td.vehicle.vin
        assert inventory[bay.code] is None  # the bay is free for the next pickup
        assert tower_reconcile(tower=world["tower"]) == "ok"

        response = operator_client(client).post(reverse("ops:return_ok", args=[td.pk]), {"reason": "clean"})
        assert response.status_code == 302
        td.refresh_from_db()
        assert td.state == State.COMPLETED
        assert TowerCommand.objects.filter(vehicle=td.vehicle, kind=CommandKind.STOW).count() == 1
