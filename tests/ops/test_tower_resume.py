"""Resuming a stopped tower from the console goes through the tower app's own clear, against a
real tower simulator (in-process, fast): the controller must agree before anything is recorded."""

import contextlib
from dataclasses import replace
from pathlib import Path

import pytest

from ops.models import AuditEntry, QueueKind
from ops.queues import needs_open
from ops.services import OverrideNeedsReason, ops_tower_resume
from tower.client import TowerClient
from tower.inbox import catch_up
from tower.models import TowerLink
from tower.reconcile import tower_inventory_push
from tower.selectors import tower_physics_config
from towersim.app import tower_start

pytestmark = pytest.mark.django_db

SECRET = "ops-tower-secret"


@pytest.fixture
def sim_client(tmp_path: Path, tower, cars, settings):
    app = tower_start(
        config=replace(tower_physics_config(tower), queue="priority"),
        state_dir=tmp_path / "sim",
        speed=2000.0,
        port=0,
        webhook_url=None,
        secret=SECRET,
        max_backoff_s=0.2,
    )
    settings.TOWER_DISPATCHER = "controller"
    settings.TOWER_SECRETS = {tower.code: SECRET}
    settings.TOWER_CONTROLLERS = {tower.code: app.url}
    assert tower_inventory_push(tower=tower) == "loaded"
    yield TowerClient(app.url, operator_token=SECRET)
    with contextlib.suppress(Exception):
        app.stop()


def test_a_manager_resumes_an_estopped_tower_with_a_reason(sim_client, tower, manager) -> None:
    sim_client._call("POST", "/v1/faults/estop", {"reason": "red button"})
    catch_up(tower=tower, client=sim_client)
    assert TowerLink.objects.get(tower=tower).mode == "estop"
    [need] = [n for n in needs_open() if n.kind == QueueKind.TOWER and n.tower_item == "mode"]

    with pytest.raises(OverrideNeedsReason):
        ops_tower_resume(tower=need.target, by=manager, reason="")
    assert sim_client.state()["mode"] == "estop"

    ops_tower_resume(tower=need.target, by=manager, reason="cameras show the bay is clear")

    assert sim_client.state()["mode"] == "auto"
    assert TowerLink.objects.get(tower=tower).mode == "auto"
    assert not [n for n in needs_open() if n.kind == QueueKind.TOWER and n.tower_item == "mode"]
    entry = AuditEntry.objects.get(action="tower_resume")
    assert (entry.by, entry.reason) == (manager, "cameras show the bay is clear")
