"""The tower link against real processes: the simulator as a subprocess (killed with SIGKILL and
restarted), its webhooks into a live Django server, faults injected through its API.

Celery tasks run eagerly in the test process; the beat is the test's own loop (``converge``).
With SQLite in memory the live server shares the test's connection, so the test and the webhook
take turns through one lock (on PostgreSQL the lock costs nothing).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from fleet.models import StoreHours, Tower, VehicleStatus
from fleet.tower import views
from fleet.tower.client import TowerClient
from fleet.tower.models import CommandStatus, TowerCommand, TowerEvent
from fleet.tower.reconcile import tower_inventory_push
from fleet.tower.tasks import tower_outbox_flush, tower_reconcile_all
from fleet.towersim.webhook import signed_headers
from testdrives.models import Kiosk, State, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.lifecycle import testdrive_check_in, testdrive_identity_verified
from tests.factories import (
    CarModelFactory,
    CreditReportFactory,
    MemberFactory,
    PaintFactory,
    StaffFactory,
    TowerFactory,
    VehicleFactory,
)
from vendingstore.celery import app as celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "integration-tower-secret"
DB_TURN = threading.RLock()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SimProcess:
    """The simulator subprocess for one tower, restartable on the same port and state."""

    tower: Tower
    port: int
    state_dir: Path
    webhook: str
    speed: float
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client(self) -> TowerClient:
        return TowerClient(self.url, operator_token=SECRET, timeout=2)

    def start(self) -> None:
        config = self.state_dir.parent / "tower.json"
        config.write_text(
            json.dumps(
                {
                    "tower": self.tower.code,
                    "levels": self.tower.levels,
                    "bays_per_level": self.tower.bays_per_level,
                    "lifts": self.tower.lifts,
                    "delivery_bays": self.tower.delivery_bays,
                    "queue": "priority",
                }
            )
        )
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "fleet.towersim", "--config", str(config)),
                *("--port", str(self.port), "--webhook", self.webhook, "--speed", str(self.speed)),
                *("--state-dir", str(self.state_dir), "--max-backoff", "0.5"),
            ],
            cwd=ROOT,
            env={**os.environ, "TOWERSIM_SECRET": SECRET},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        assert "listening" in line, line

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def faults(self, path: str, body: dict) -> None:
        assert self.client._call("POST", f"/v1/faults/{path}", body).status == 200


@pytest.fixture
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


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
        tower = TowerFactory(code="it-tower", levels=4, bays_per_level=4, lifts=1, delivery_bays=2)
        car_model = CarModelFactory(msrp_cny=200_000)
        paint = PaintFactory(car_model=car_model)
        StoreHours.objects.filter(store=tower.store).update(opens="00:00", closes="23:59")  # any time
        cars = [VehicleFactory(store=tower.store, car_model=car_model, paint=paint) for _ in range(3)]
        return {"tower": tower, "store": tower.store, "car_model": car_model, "paint": paint, "cars": cars}


@pytest.fixture
def sim(world, live_server, settings, tmp_path, eager, webhook_errors) -> Iterator[SimProcess]:
    tower = world["tower"]
    process = SimProcess(
        tower=tower,
        port=free_port(),
        state_dir=tmp_path / "state",
        webhook=f"{live_server.url}/tower/{tower.code}/events/",
        speed=40,
    )
    process.start()
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


def verify(world, n: int) -> list[TestDrive]:
    """``n`` members book the world's cars for now, check in and are verified by staff."""
    with DB_TURN:
        now = timezone.now()
        slot = now.replace(minute=(now.minute // 15) * 15, second=0, microsecond=0) + timedelta(minutes=15)
        staff = StaffFactory()
        kiosk = Kiosk.objects.create(
            store=world["store"], name="Entrance", token_hash="k" * 64, created_by=staff
        )
        drives = []
        for _ in range(n):
            member = MemberFactory()
            CreditReportFactory(member=member, score=760)
            from biometrics.services import consent_give
            from members.services import member_tier_refresh

            consent_give(member=member, language="en")
            member_tier_refresh(member=member)
            td = testdrive_book(
                member=member,
                car_model=world["car_model"],
                paint=world["paint"],
                store=world["store"],
                slot_start=slot,
            )
            testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
            testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
            drives.append(td)
        return drives


def converge(check: Callable[[], bool], *, timeout: float = 40.0) -> None:
    """Run the beat's work (outbox flush, reconcile) until ``check`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with DB_TURN:
            if check():
                return
            tower_outbox_flush()
            tower_reconcile_all()
            if check():
                return
        time.sleep(0.2)
    raise AssertionError("did not converge")


def all_ready(drives: list[TestDrive]) -> Callable[[], bool]:
    return lambda: all(TestDrive.objects.get(pk=td.pk).state == State.READY for td in drives)


def assert_moved_once(sim: SimProcess, drives: list[TestDrive]) -> None:
    """Each car was moved exactly once (the controller's log) and stands where we think."""
    log = []
    after = 0
    while batch := sim.client.events(after=after, limit=1000)["events"]:
        log += batch
        after = batch[-1]["seq"]
    inventory = sim.client.state()["inventory"]
    with DB_TURN:
        for td in drives:
            td.refresh_from_db()
            completed = [e for e in log if e["kind"] == "completed" and e["vin"] == td.vehicle.vin]
            assert len(completed) == 1, completed
            assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
            assert inventory[td.delivery_bay.code] == td.vehicle.vin
            # each completed command applied once, none lost
            assert TowerEvent.objects.filter(kind="completed", command__vehicle=td.vehicle).count() == 1
            assert not TowerCommand.objects.filter(vehicle=td.vehicle, status=CommandStatus.PENDING).exists()


def test_a_verified_customer_gets_the_car_through_the_real_simulator(sim, world) -> None:
    drives = verify(world, 2)
    converge(all_ready(drives))
    assert_moved_once(sim, drives)


def test_dropped_and_duplicated_webhooks_apply_each_move_once(sim, world) -> None:
    sim.faults("webhooks", {"drop": 3, "duplicate": 4})
    drives = verify(world, 2)
    converge(all_ready(drives))
    assert_moved_once(sim, drives)


def test_out_of_order_and_replayed_deliveries_change_nothing(sim, world, client) -> None:
    drives = verify(world, 1)
    converge(all_ready(drives))
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
        command = TowerCommand.objects.get(test_drive=drives[0])
    deadline = time.monotonic() + 10
    while sim.client.command(str(command.command_id)).body.get("status") != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    sim.kill()
    with DB_TURN:
        tower_outbox_flush()  # the controller is away: nothing breaks
        tower_reconcile_all()
    sim.speed = 40
    sim.start()

    converge(all_ready(drives))
    assert_moved_once(sim, drives)
    with DB_TURN:
        first = TowerCommand.objects.get(pk=command.pk)
        assert first.status == CommandStatus.ABORTED
        assert first.fault_code == "controller_restart"


def test_a_controller_offline_at_dispatch_gets_the_command_later(sim, world) -> None:
    sim.faults("offline", {"seconds": 2})
    drives = verify(world, 1)
    with DB_TURN:
        assert TowerCommand.objects.get(test_drive=drives[0]).status == CommandStatus.PENDING
    converge(all_ready(drives), timeout=30)
    assert_moved_once(sim, drives)
