"""In headless Chromium, with every part real: a customer with no face photo checks in at the
kiosk and sends the pictures for a remote ID check; an operator, whose console chimes when the
check arrives, approves it; the car is brought to a delivery bay by a real tower simulator process
(the controller dispatcher, a real Celery worker sending the commands, the simulator's webhooks
into the live server), and the kiosk page, never reloaded, shows the bay. The booking's console
page then shows the tower's command and the operator's claim and approval on its timeline.

The worker reads what the test commits: PostgreSQL only."""

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery.app.task import Task
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ops.models import AuditEntry
from ops.roles import roles_sync
from testdrives.models import IdCheck, IdCheckStatus, State, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.kiosks import kiosk_create
from testdrives.services.tower_moves import testdrive_ref
from tests.browser_support import log_in
from tests.e2e.conftest import WorkerProcess, worker_start, worker_stop
from tests.e2e.tower_support import SECRET, SimProcess, next_window, sim_start, tower_world
from tests.factories import StaffFactory
from tests.fixtures.database import worker_database_url
from tests.fixtures.world import make_member
from tests.idcheck_support import picture
from tower.models import CommandStatus, TowerCommand, TowerLink
from tower.reconcile import tower_inventory_push

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Store:
    world: dict
    sim: SimProcess
    worker: WorkerProcess


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def tower_store(transactional_db, live_server, settings, tmp_path: Path, monkeypatch) -> Iterator[Store]:
    """A store open all day whose tower is a simulator subprocess, webhooks into the live server,
    and a Celery worker of its own (a private queue) that sends the tower's commands."""
    world = tower_world("ops-tower")
    tower = world["tower"]
    sim = sim_start(tower, live_server_url=live_server.url, state_dir=tmp_path / "state")
    settings.TOWER_DISPATCHER = "controller"
    settings.TOWER_CONTROLLERS = {tower.code: sim.url}
    settings.TOWER_SECRETS = {tower.code: SECRET}
    settings.TOWER_PRESTAGE_ENABLED = False
    queue = f"ops-tower-{uuid.uuid4().hex[:8]}"
    # What this process queues (the live server's requests included) goes to our worker only.
    monkeypatch.setattr(
        Task, "delay", lambda self, *args, **kwargs: self.apply_async(args, kwargs, queue=queue)
    )
    assert tower_inventory_push(tower=tower) == "loaded"

    def caught_up() -> bool:
        link = TowerLink.objects.filter(tower=tower).first()
        return link is not None and link.applied_seq == sim.client.state()["high_water_seq"]

    wait_until(caught_up, timeout=10, what="the inventory_loaded webhook")
    worker = worker_start(
        queue=queue,
        extra_env={
            "DATABASE_URL": worker_database_url(),
            "TOWER_DISPATCHER": "controller",
            "TOWER_CONTROLLERS": f"{tower.code}={sim.url}",
            "TOWER_SECRETS": f"{tower.code}={SECRET}",
            "TOWER_PRESTAGE_ENABLED": "false",
            "TOWER_SEND_BACKOFF_SECONDS": "0.2",
            "TOWER_SEND_BACKOFF_MAX_SECONDS": "1",
            "BIOMETRICS_WARM_UP": "false",
        },
    )
    yield Store(world=world, sim=sim, worker=worker)
    worker_stop(worker)
    sim.stop()


def test_an_approved_remote_id_check_gets_the_car_from_the_real_tower(
    browser, live_server, tower_store
) -> None:
    world = tower_store.world
    slot = next_window(world)  # bookable and open for check-in whatever the time of day
    member = make_member(score=760, consent=False, full_name="Han Meimei")
    td = testdrive_book(
        member=member,
        car_model=world["car_model"],
        paint=world["paint"],
        store=world["store"],
        slot_start=slot,
    )
    staff = StaffFactory(username="desk")
    _, token = kiosk_create(store=world["store"], name="Entrance", by=staff)
    roles_sync()  # a transactional test's flush removes the migration's groups
    operator = StaffFactory(username="olga", is_superuser=False)
    operator.groups.add(Group.objects.get(name="operator"))

    # The operator keeps the console open; a click on the page lets it play sound.
    console = browser.new_context().new_page()
    log_in(console, live_server, operator)
    console.goto(f"{live_server.url}/ops/")
    expect(console.locator("[data-sound-toggle]")).to_be_visible()
    console.locator("h1").click()
    expect(console.locator("body")).to_have_attribute("data-ops-chimes", "0")

    # The kiosk: sign in, check in (the tower is asked for the car at once), send the pictures.
    kiosk = browser.new_context().new_page()
    kiosk.goto(f"{live_server.url}/kiosk/sign-in/")
    kiosk.fill("#token", token)
    kiosk.get_by_role("button").last.click()
    kiosk.fill("#code", td.pickup_code)
    kiosk.locator("[data-check-in]").click()
    expect(kiosk.locator('.kiosk-status[data-state="checked_in"]')).to_be_visible()
    kiosk.set_input_files("#id-licence", picture("licence", "navy"))
    kiosk.set_input_files("#id-card", picture("card", "teal"))
    kiosk.set_input_files("#id-live", picture("face", "peru"))
    kiosk.locator("[data-send-id-check]").click()
    expect(kiosk.locator('[data-id-check-status="waiting"]')).to_be_visible()
    kiosk.evaluate("window.__sameDocument = true")

    # The console's next poll brings the check, and the console chimes once for it.
    item = console.locator('.ops-need[data-kind="id_check"]')
    expect(item).to_contain_text(td.pickup_code, timeout=10_000)
    expect(console.locator("body")).to_have_attribute("data-ops-chimes", "1")
    expect(console.locator("[data-sound-blocked]")).to_be_hidden()  # the click unlocked the audio
    item.locator("[data-claim]").click()
    expect(console.locator('.ops-need[data-kind="id_check"] [data-claimed-by="olga"]')).to_be_visible()
    console.locator("[data-open-id-check]").click()
    expect(console.locator("[data-member-name]")).to_have_text("Han Meimei")
    console.fill('input[name="reason"] >> nth=0', "licence, ID card and face match")
    clicked = time.monotonic()
    console.locator("[data-approve]").click()

    # The real tower brings the car; the kiosk page, never reloaded, shows its bay.
    ready = kiosk.locator('.kiosk-status[data-state="ready"]')
    expect(ready).to_be_visible(timeout=30_000)
    waited = time.monotonic() - clicked
    assert kiosk.evaluate("window.__sameDocument === true")
    print(f"\napprove click -> kiosk shows the car in its bay (real tower, worker): {waited:.2f} s")

    td.refresh_from_db()
    assert td.state == State.READY
    assert td.identity_method == "staff"
    expect(ready).to_contain_text(td.delivery_bay.code)
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.status == CommandStatus.COMPLETED
    assert command.target_bay == td.delivery_bay
    assert tower_store.sim.client.state()["inventory"][td.delivery_bay.code] == td.vehicle.vin
    check = IdCheck.objects.get(test_drive=td)
    assert (check.status, check.decided_by) == (IdCheckStatus.APPROVED, operator)
    assert AuditEntry.objects.filter(action="id_check_approve", by=operator, test_drive=td).exists()

    # The booking's console page: the tower's command and the operator's claim and approval.
    console.goto(f"{live_server.url}/ops/bookings/{td.pk}/")
    expect(console.locator('[data-commands] tr[data-command="retrieve"]')).to_contain_text(
        td.delivery_bay.code
    )
    timeline = console.locator("[data-console-action]")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text("licence, ID card and face match")
    assert TestDrive.objects.get(pk=td.pk).state == State.READY
