"""The tower link against real processes: the simulator as a subprocess (killed with SIGKILL and
restarted), its webhooks into a live Django server, faults injected through its API.

Celery tasks run eagerly in the test process; the beat is the test's own loop (``converge``).
With SQLite in memory the live server shares the test's connection, so the test and the webhook
take turns through one lock (on PostgreSQL the lock costs nothing).
"""

import json
import time

import pytest

from testdrives.models import Kiosk, TestDrive
from testdrives.services.lifecycle import testdrive_check_in, testdrive_identity_verified
from testdrives.services.tower_moves import testdrive_ref
from testdrives.tasks import dispatching_sweep
from tests.e2e.tower_support import (
    DB_TURN,
    SECRET,
    assert_moved_once,
    book_next_window,
    converge,
    ready,
    tower_world,
)
from tests.factories import StaffFactory
from tower.models import CommandStatus, TowerCommand, TowerEvent
from tower.protocol import signed_headers
from tower.tasks import tower_outbox_flush, tower_reconcile_all

# Tasks run in this process.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


@pytest.fixture
def world(db) -> dict:
    with DB_TURN:
        return tower_world("it-tower")


def verify(world, n: int) -> list[TestDrive]:
    """``n`` members book the world's cars for now, check in and are verified by staff."""
    with DB_TURN:
        staff = StaffFactory()
        kiosk = Kiosk.objects.create(
            store=world["store"], name="Entrance", token_hash="k" * 64, created_by=staff
        )
        drives = book_next_window(world, n)
        for td in drives:
            testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
            testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
        return drives


def test_a_verified_customer_gets_the_car_through_the_real_simulator(sim, world) -> None:
    drives = verify(world, 2)
    converge(ready(*drives))
    assert_moved_once(sim, drives)


def test_dropped_and_duplicated_webhooks_apply_each_move_once(sim, world) -> None:
    sim.faults("webhooks", {"drop": 3, "duplicate": 4})
    drives = verify(world, 2)
    converge(ready(*drives))
    assert_moved_once(sim, drives)


def test_out_of_order_and_replayed_deliveries_change_nothing(sim, world, client) -> None:
    drives = verify(world, 1)
    converge(ready(*drives))
    events = sim.client.events(after=0)["events"]
    for event in reversed(events):  # out of order, and each a replay within the window
        body = json.dumps(event, separators=(",", ":")).encode()
        headers = signed_headers(SECRET, body, tower=world["tower"].code, seq=event["seq"])
        with DB_TURN:
            response = client.post(
                f"/tower/{world['tower'].code}/events/",
                data=body,
                content_type="application/json",
                headers={k: v for k, v in headers.items() if k != "Content-Type"},
            )
        assert response.status_code == 200
    assert_moved_once(sim, drives)


def test_forged_and_stale_webhooks_are_refused_and_change_nothing(sim, world, live_server) -> None:
    import urllib.error
    import urllib.request

    event = {"seq": 999, "tower": world["tower"].code, "kind": "completed", "command_id": None}
    body = json.dumps(event).encode()
    for secret, age in (("forged", 0), (SECRET, 3600)):
        headers = signed_headers(secret, body, tower=world["tower"].code, seq=999, now=time.time() - age)
        request = urllib.request.Request(
            f"{live_server.url}/tower/{world['tower'].code}/events/",
            data=body,
            headers=headers,
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 403
    with DB_TURN:
        assert not TowerEvent.objects.filter(seq=999).exists()


def test_a_simulator_killed_mid_move_and_restarted_loses_nothing(sim, world) -> None:
    sim.speed = 4  # a move takes about 15 s: time to kill it half-way
    sim.stop()
    sim.start()
    drives = verify(world, 1)
    with DB_TURN:
        command = TowerCommand.objects.get(ref=testdrive_ref(drives[0].pk))
    deadline = time.monotonic() + 10
    while sim.client.command(str(command.command_id)).body.get("status") != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    sim.kill()
    with DB_TURN:
        dispatching_sweep()
        tower_outbox_flush()  # the controller is away: nothing breaks
        tower_reconcile_all()
    sim.speed = 40
    sim.start()

    converge(ready(*drives))
    assert_moved_once(sim, drives)
    with DB_TURN:
        first = TowerCommand.objects.get(pk=command.pk)
        assert first.status == CommandStatus.ABORTED
        assert first.fault_code == "controller_restart"


def test_a_controller_offline_at_dispatch_gets_the_command_later(sim, world) -> None:
    sim.faults("offline", {"seconds": 2})
    drives = verify(world, 1)
    with DB_TURN:
        assert TowerCommand.objects.get(ref=testdrive_ref(drives[0].pk)).status == CommandStatus.PENDING
    converge(ready(*drives), timeout=30)
    assert_moved_once(sim, drives)
