"""What the tower integration tests share: the simulator as a subprocess, the world it serves
(a small tower, three cars, a store open all day), bookings for the next window, and the
final check that every car moved exactly once."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from fleet.models import StoreHours, Tower, VehicleStatus
from testdrives.models import State, TestDrive
from testdrives.selectors import store_window_starts
from testdrives.services.booking import testdrive_book
from testdrives.tasks import dispatching_sweep
from tests.factories import CarModelFactory, PaintFactory, TowerFactory, VehicleFactory
from tests.fixtures.world import make_member
from tower.client import TowerClient
from tower.models import CommandStatus, TowerCommand, TowerEvent
from tower.tasks import tower_outbox_flush, tower_reconcile_all

ROOT = Path(__file__).resolve().parents[2]
SECRET = "integration-tower-secret"
# With SQLite in memory the live server shares the test's connection, so the test and the webhook
# take turns through this lock; on PostgreSQL it costs nothing.
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
                    "dwell_level": 1,  # as the demo towers: idle rides run through every fault
                }
            )
        )
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "towersim", "--config", str(config)),
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


def sim_start(tower: Tower, *, live_server_url: str, state_dir: Path) -> SimProcess:
    """Start the tower's simulator (speed 40) with its webhooks going to the live server."""
    sim = SimProcess(
        tower=tower,
        port=free_port(),
        state_dir=state_dir,
        webhook=f"{live_server_url}/tower/{tower.code}/events/",
        speed=40,
    )
    sim.start()
    return sim


def tower_world(code: str) -> dict:
    """A one-lift tower of 4×4 bays with three cars of one model, its store open all day."""
    tower = TowerFactory(code=code, levels=4, bays_per_level=4, lifts=1, delivery_bays=2)
    car_model = CarModelFactory(msrp_cny=200_000)
    paint = PaintFactory(car_model=car_model)
    StoreHours.objects.filter(store=tower.store).update(opens="00:00", closes="23:59")  # any time
    cars = [VehicleFactory(store=tower.store, car_model=car_model, paint=paint) for _ in range(3)]
    return {"tower": tower, "store": tower.store, "car_model": car_model, "paint": paint, "cars": cars}


def next_window(world: dict) -> datetime:
    """The first of the store's windows that has not begun, whatever the time of day: its last call
    is 5 minutes after it begins and check-in opens 30 minutes before, so both work at once. Real
    processes cannot freeze the clock, and a fixed "next quarter hour" is no window from 23:30 to
    23:44 (the store closes at 23:59, so its last window is 23:30): then this is tomorrow's 00:00."""
    store = world["store"]
    now = timezone.now()
    today = timezone.localtime(now, ZoneInfo(store.time_zone)).date()
    starts = (
        s for day in (today, today + timedelta(days=1)) for s in store_window_starts(store=store, day=day)
    )
    return next(start for start in starts if start > now)


def book_next_window(world: dict, n: int) -> list[TestDrive]:
    """``n`` new members (consent given, tier set) each book a car of the world's model in
    ``next_window``."""
    slot = next_window(world)
    return [
        testdrive_book(
            member=make_member(score=760),
            car_model=world["car_model"],
            paint=world["paint"],
            store=world["store"],
            slot_start=slot,
        )
        for _ in range(n)
    ]


def ready(*drives: TestDrive) -> Callable[[], bool]:
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
