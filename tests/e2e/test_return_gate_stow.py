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
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fleet.models import VehicleStatus
from ops.models import AuditEntry, QueueKind
from ops.queues import needs_open
from ops.roles import roles_sync
from testdrives.models import Kiosk, State, TestDrive
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_identity_verified,
    testdrive_return,
)
from tests.e2e.tower_support import (
    DB_TURN,
    book_next_window,
    converge,
    ready,
    tower_world,
)
from tests.factories import StaffFactory
from tests.returns_support import four_sides
from tower.models import CommandKind, CommandStatus, TowerCommand
from tower.reconcile import tower_reconcile
from tower.tasks import tower_outbox_flush

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


@pytest.fixture
def world(db) -> dict:
    with DB_TURN:
        return tower_world("rt-tower")


def on_the_road(world) -> TestDrive:
    """A member books, is verified, the simulator brings the car down and they drive off."""
    with DB_TURN:
        staff = StaffFactory()
        kiosk = Kiosk.objects.create(
            store=world["store"], name="Entrance", token_hash="r" * 64, created_by=staff
        )
        [td] = book_next_window(world, 1)
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


def test_a_gate_that_never_closes_reaches_an_operator_who_has_the_car_stowed(
    sim, world, client, settings
) -> None:
    settings.OPS_GATE_OPEN_MINUTES = (
        0  # at once: the waiting is the unit tests' (tests/ops/test_gate_open.py)
    )
    td = on_the_road(world)
    with DB_TURN:
        td = testdrive_return(
            test_drive=td, odometer_km=td.odometer_out_km + 20, energy_pct=70, sides=four_sides()
        )
        bay = td.delivery_bay
        [need] = [n for n in needs_open() if n.kind == QueueKind.GATE_OPEN]
        assert need.key == str(td.pk)
        operator = operator_client(client)
        board = operator.get(reverse("ops:console")).content.decode()
        assert 'data-action="bay_clear"' in board

        response = operator.post(
            reverse("ops:act", args=["bay_clear", td.pk]), {"reason": "bay camera: empty, gate stuck open"}
        )
        assert response.status_code == 302
    converge(stowed(td))

    with DB_TURN:
        stow = TowerCommand.objects.get(vehicle=td.vehicle, kind=CommandKind.STOW)
        assert stow.source_bay == bay
        assert sim.client.state()["inventory"][bay.code] is None
        assert [n for n in needs_open() if n.kind == QueueKind.GATE_OPEN] == []
        assert AuditEntry.objects.get(action="bay_clear").test_drive_id == td.pk
