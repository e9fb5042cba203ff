"""Idle-time work (``idle_only_types``), shared by the controller and the DES: a pre-staging
relocation waits for idle lifts and, unlike a store, never takes the kept-back lift on the hold."""

from typing import Any

import pytest

from tests.towersim.conftest import OPERATOR, call, command_status, move, small_config, wait_for
from tower.protocol import TowerConfig
from towersim import dispatch
from towersim.config import ConfigError, config_from_dict
from towersim.des import DesJob, simulate
from towersim.dispatch import Waiting

BACKGROUND, CUSTOMER = 0, 5


def idle_only_config(**overrides: Any) -> TowerConfig:
    """Two lifts, one kept back for customers, relocations in idle time only."""
    settings = {"reserve_max_hold_s": 60.0, **overrides}
    return small_config(lifts=2, reserved_lifts=1, queue="priority", idle_only_types=["relocate"], **settings)


def test_it_keeps_a_relocation_off_the_kept_back_lift_however_long_it_waited() -> None:
    config = idle_only_config()
    relocate = Waiting(1, BACKGROUND, 3600.0, "relocate")
    assert dispatch.next_job(config, [relocate], idle_lifts=1) is None
    assert dispatch.next_job(config, [relocate], idle_lifts=2) == 1


def test_it_still_releases_a_held_store_after_the_longest_hold() -> None:
    config = idle_only_config()
    store = Waiting(1, BACKGROUND, 60.0, "store")
    relocate = Waiting(2, BACKGROUND, 3600.0, "relocate")
    assert dispatch.next_job(config, [relocate, store], idle_lifts=1) == 1


def test_it_lets_a_customer_pass_a_waiting_relocation() -> None:
    config = idle_only_config()
    waiting = [Waiting(1, BACKGROUND, 3600.0, "relocate"), Waiting(2, CUSTOMER, 0.0, "retrieve")]
    assert dispatch.next_job(config, waiting, idle_lifts=1) == 2


def test_it_changes_nothing_when_not_configured() -> None:
    config = small_config(lifts=2, reserved_lifts=1, reserve_max_hold_s=60.0, queue="priority")
    assert config.idle_only_types == ()
    assert dispatch.next_job(config, [Waiting(1, BACKGROUND, 60.0, "relocate")], idle_lifts=1) == 1


def test_it_reads_the_types_from_the_configuration_and_refuses_an_unknown_one() -> None:
    data = {"tower": "t", "levels": 4, "bays_per_level": 4, "lifts": 2}
    assert config_from_dict({**data, "idle_only_types": ["relocate"]}).idle_only_types == ("relocate",)
    with pytest.raises(ConfigError, match="idle_only_types"):
        config_from_dict({**data, "idle_only_types": ["tidy"]})


def test_des_a_relocation_waits_for_both_lifts_while_a_held_store_does_not() -> None:
    config = idle_only_config(reserve_max_hold_s=10.0)
    jobs = [
        DesJob("store-busy", 0.0, "D1", "L04-B01", BACKGROUND, "store"),
        DesJob("relocate", 1.0, "L04-B02", "L01-B02", BACKGROUND, "relocate"),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["store-busy"].finish_s > 11.0  # the hold is over while the first lift is busy
    assert by_name["relocate"].start_s == pytest.approx(by_name["store-busy"].finish_s)

    held_store = [jobs[0], DesJob("store-2", 1.0, "D2", "L04-B02", BACKGROUND, "store")]
    by_name = {o.job.name: o for o in simulate(config, held_store).outcomes}
    assert by_name["store-2"].start_s == pytest.approx(11.0)


def test_controller_keeps_a_relocation_for_idle_lifts(start_tower, seeded) -> None:
    config = idle_only_config(reserve_max_hold_s=0.0)
    app = start_tower(config=config, speed=40.0)
    assert call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)[0] == 200
    store = move("store", "D2", "L04-B04", seeded["D2"])
    relocate = move("relocate", "L02-B02", "L03-B03", seeded["L02-B02"])
    for body in (store, relocate):
        assert call(app.url, "POST", "/v1/commands", body)[0] == 202
    wait_for(lambda: command_status(app.url, store["command_id"]) == "running")
    # No hold at all (0 s), yet the relocation leaves the kept-back lift alone.
    assert command_status(app.url, relocate["command_id"]) == "accepted"
    wait_for(lambda: command_status(app.url, relocate["command_id"]) == "completed", timeout=20)
    started = call(app.url, "GET", f"/v1/commands/{relocate['command_id']}")[1]["started_at"]
    assert started >= call(app.url, "GET", f"/v1/commands/{store['command_id']}")[1]["finished_at"]
