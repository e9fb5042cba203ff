"""E-stop, hold and clear; network stall and offline faults."""

import time
import urllib.error
import urllib.request

import pytest

from tests.towersim.conftest import OPERATOR, call, command_status, events, move, vin, wait_for


@pytest.fixture
def slow_tower(start_tower, seeded):
    """Speed 20: a retrieve takes about three seconds, long enough to interrupt."""
    app = start_tower(speed=20.0)
    call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    return app


def state(app) -> dict:
    return call(app.url, "GET", "/v1/state")[1]


def test_an_estop_aborts_the_running_command_and_holds_the_tower(slow_tower) -> None:
    running = move("retrieve", "L04-B03", "D1", vin(1))
    waiting = move("relocate", "L01-B01", "L03-B01", vin(2))
    call(slow_tower.url, "POST", "/v1/commands", running)
    call(slow_tower.url, "POST", "/v1/commands", waiting)
    wait_for(lambda: command_status(slow_tower.url, running["command_id"]) == "running")
    call(slow_tower.url, "POST", "/v1/faults/estop", {"reason": "button pressed"})
    for body in (running, waiting):
        answer = call(slow_tower.url, "GET", f"/v1/commands/{body['command_id']}")[1]
        assert (answer["status"], answer["fault_code"]) == ("aborted", "estop")
    assert state(slow_tower)["mode"] == "estop"
    assert state(slow_tower)["inventory"]["L04-B03"] == vin(1)
    assert state(slow_tower)["inventory"]["D1"] is None
    refused = call(slow_tower.url, "POST", "/v1/commands", move("retrieve", "L04-B03", "D1", vin(1)))
    assert (refused[0], refused[1]["reason"], refused[1]["retryable"]) == (409, "tower_estop", True)


def test_only_the_operator_clears_an_estop(slow_tower) -> None:
    call(slow_tower.url, "POST", "/v1/faults/estop", {})
    status, answer = call(slow_tower.url, "POST", "/v1/clear", {}, {"X-Tower-Operator": "guess"})
    assert (status, answer["reason"]) == (403, "operator_only")
    assert call(slow_tower.url, "POST", "/v1/clear", {}, OPERATOR)[1]["mode"] == "auto"
    kinds = [(e["kind"], e.get("mode")) for e in events(slow_tower.url)]
    assert kinds[-2:] == [("mode_changed", "estop"), ("mode_changed", "auto")]


def test_a_command_refused_on_hold_can_be_sent_again_after_clear(slow_tower) -> None:
    call(slow_tower.url, "POST", "/v1/hold", {"reason": "inventory mismatch"})
    body = move("retrieve", "L04-B03", "D1", vin(1))
    status, answer = call(slow_tower.url, "POST", "/v1/commands", body)
    assert (status, answer["reason"]) == (409, "tower_hold")
    call(slow_tower.url, "POST", "/v1/clear", {}, OPERATOR)
    assert call(slow_tower.url, "POST", "/v1/commands", body)[0] == 202


def test_hold_lets_the_running_job_finish_and_aborts_the_waiting_ones(start_tower, seeded) -> None:
    app = start_tower(speed=100.0)
    call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    running = move("retrieve", "L04-B03", "D1", vin(1))
    waiting = move("relocate", "L01-B01", "L03-B01", vin(2))
    call(app.url, "POST", "/v1/commands", running)
    call(app.url, "POST", "/v1/commands", waiting)
    wait_for(lambda: command_status(app.url, running["command_id"]) == "running")
    call(app.url, "POST", "/v1/hold", {"reason": "staff check"})
    assert call(app.url, "GET", f"/v1/commands/{waiting['command_id']}")[1]["fault_code"] == "tower_hold"
    wait_for(lambda: command_status(app.url, running["command_id"]) == "completed")
    assert state(app)["inventory"]["D1"] == vin(1)


def test_an_offline_tower_drops_connections_until_it_is_back(tower) -> None:
    call(tower.url, "POST", "/v1/faults/offline", {"seconds": 0.4})
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(tower.url + "/v1/state", timeout=2)
    time.sleep(0.45)
    assert state(tower)["mode"] == "auto"


def test_a_stalled_tower_answers_late(tower) -> None:
    call(tower.url, "POST", "/v1/faults/stall", {"seconds": 0.3})
    started = time.monotonic()
    state(tower)
    assert time.monotonic() - started >= 0.25
