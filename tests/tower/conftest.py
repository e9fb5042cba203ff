"""Fixtures for the tower link: the test-drive world (store, tower, two cars, members, a frozen
clock: tests/fixtures/world.py) with tasks run in-process, and a real tower simulator running
in-process on a free port, fast, without a webhook (tests pull its events, or post signed ones
themselves)."""

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from fleet.models import Tower
from testdrives.models import Kiosk, TestDrive
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_identity_verified,
)
from tests.fixtures.world import TEN
from tower.client import TowerClient
from tower.inbox import catch_up
from tower.reconcile import tower_inventory_push
from tower.selectors import tower_physics_config
from towersim.app import TowerApp, tower_start

SECRET = "test-tower-secret"


@pytest.fixture(autouse=True)
def eager_tasks(eager_tasks: None) -> None:
    """Queued tasks run in-process (tests/conftest.py's ``eager_tasks``), as a worker would run them."""


@pytest.fixture
def start_sim(tmp_path: Path, tower: Tower) -> Iterator[Callable[..., TowerApp]]:
    """Start (or restart, on the same state) the tower's simulator; stopped after the test."""
    apps: list[TowerApp] = []

    def _start(*, speed: float = 2000.0, webhook_url: str | None = None, port: int = 0) -> TowerApp:
        app = tower_start(
            config=replace(tower_physics_config(tower), queue="priority"),
            state_dir=tmp_path / "sim",
            speed=speed,
            port=port,
            webhook_url=webhook_url,
            secret=SECRET,
            max_backoff_s=0.2,
        )
        apps.append(app)
        return app

    yield _start
    for app in apps:
        with contextlib.suppress(Exception):  # already stopped by the test
            app.stop()


@pytest.fixture
def controller_settings(settings, tower: Tower) -> Callable[[str], None]:
    settings.TOWER_DISPATCHER = "controller"
    settings.TOWER_SECRETS = {tower.code: SECRET}
    settings.TOWER_SEND_BACKOFF_SECONDS = 0.0

    def _point_at(url: str) -> None:
        settings.TOWER_CONTROLLERS = {tower.code: url}

    return _point_at


@pytest.fixture
def sim(start_sim, controller_settings, tower: Tower, cars) -> TowerApp:
    """A running simulator seeded with our inventory, and our settings pointing at it."""
    app = start_sim()
    controller_settings(app.url)
    assert tower_inventory_push(tower=tower) == "loaded"
    return app


@pytest.fixture
def sim_client(sim: TowerApp) -> TowerClient:
    return TowerClient(sim.url, operator_token=SECRET)


def wait_idle(client: TowerClient, timeout: float = 10.0) -> dict:
    """Wait until the simulator has no queued or running job; returns its state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.state()
        if not state["queued"] and not any(lift["command_id"] for lift in state["lifts"]):
            return state
        time.sleep(0.01)
    raise AssertionError("the simulator did not go idle")


def finish(sim_client: TowerClient, tower: Tower) -> None:
    """Let the simulator finish every move, then pull and apply its events."""
    wait_idle(sim_client)
    catch_up(tower=tower, client=sim_client)


@pytest.fixture
def kiosk(store, staff, clock) -> Kiosk:
    clock.move_to(TEN + timedelta(minutes=1))
    return Kiosk.objects.create(store=store, name="Entrance", token_hash="x" * 64, created_by=staff)


@pytest.fixture
def verified(book, super_member, kiosk, staff) -> Callable[[], TestDrive]:
    """Book the first car, check in and verify by staff: the booking is dispatching."""

    def _verified() -> TestDrive:
        td = book(super_member)
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
        return TestDrive.objects.get(pk=td.pk)

    return _verified
