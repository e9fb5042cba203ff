"""Commands: acceptance, idempotency by command_id, and rejections with their reasons."""

import pytest

from tests.towersim.conftest import OPERATOR, call, command_status, events, move, vin, wait_for
from towersim.app import TowerApp


def inventory(app: TowerApp) -> dict[str, str | None]:
    return call(app.url, "GET", "/v1/state")[1]["inventory"]


def test_it_accepts_and_completes_a_retrieve(tower: TowerApp) -> None:
    body = move("retrieve", "L04-B03", "D1", vin(1))
    status, answer = call(tower.url, "POST", "/v1/commands", body)
    assert (status, answer["status"], answer["accepted"]) == (202, "accepted", True)
    wait_for(lambda: command_status(tower.url, body["command_id"]) == "completed")
    assert inventory(tower)["D1"] == vin(1)
    assert inventory(tower)["L04-B03"] is None
    kinds = [e["kind"] for e in events(tower.url) if e.get("command_id") == body["command_id"]]
    assert kinds == ["accepted", "running", "completed"]


def test_a_repeated_command_id_moves_the_car_once(tower: TowerApp) -> None:
    body = move("retrieve", "L04-B03", "D1", vin(1))
    assert call(tower.url, "POST", "/v1/commands", body)[0] == 202
    status, answer = call(tower.url, "POST", "/v1/commands", body)
    assert status == 200
    assert answer["command_id"] == body["command_id"]
    wait_for(lambda: command_status(tower.url, body["command_id"]) == "completed")
    status, answer = call(tower.url, "POST", "/v1/commands", body)
    assert (status, answer["status"]) == (200, "completed")
    mine = [e for e in events(tower.url) if e.get("command_id") == body["command_id"]]
    assert [e["kind"] for e in mine] == ["accepted", "running", "completed"]


def test_it_refuses_a_known_command_id_with_another_body(tower: TowerApp) -> None:
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(tower.url, "POST", "/v1/commands", body)
    status, answer = call(tower.url, "POST", "/v1/commands", {**body, "target_bay": "D2"})
    assert (status, answer["reason"]) == (409, "command_id_conflict")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (move("retrieve", "L01-B01", "D1", vin(1)), "vin_mismatch"),
        (move("retrieve", "L03-B03", "D1", vin(1)), "source_empty"),
        (move("retrieve", "L04-B03", "D2", vin(1)), "target_occupied"),
        (move("retrieve", "L09-B01", "D1", vin(1)), "unknown_bay"),
        (move("retrieve", "L04-B03", "L04-B04", vin(1)), "wrong_bay_kind"),
        (move("store", "L04-B03", "L03-B01", vin(1)), "wrong_bay_kind"),
        (move("relocate", "L04-B03", "L04-B03", vin(1)), "same_bay"),
    ],
)
def test_it_rejects_an_impossible_move_with_a_reason(tower: TowerApp, body: dict, reason: str) -> None:
    status, answer = call(tower.url, "POST", "/v1/commands", body)
    assert (status, answer["status"], answer["reason"], answer["accepted"]) == (
        422,
        "rejected",
        reason,
        False,
    )
    assert answer["retryable"] is False
    # The rejection is the command's final answer: a resend gets the same one.
    assert call(tower.url, "POST", "/v1/commands", body)[1]["reason"] == reason


def test_a_vin_mismatch_says_where_the_car_really_is(tower: TowerApp) -> None:
    answer = call(tower.url, "POST", "/v1/commands", move("retrieve", "L01-B01", "D1", vin(1)))[1]
    assert f"holds {vin(2)}" in answer["detail"]
    assert "L04-B03" in answer["detail"]


def test_it_rejects_a_bay_that_an_open_command_uses(start_tower, seeded) -> None:
    app = start_tower(speed=20.0)
    call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    call(app.url, "POST", "/v1/commands", move("retrieve", "L04-B03", "D1", vin(1)))
    status, answer = call(app.url, "POST", "/v1/commands", move("retrieve", "L01-B01", "D1", vin(2)))
    assert (status, answer["reason"]) == (422, "bay_busy")


@pytest.mark.parametrize(
    "body",
    [
        {"type": "retrieve"},
        {**move("retrieve", "L04-B03", "D1", vin(1)), "command_id": "not-a-uuid"},
        {**move("retrieve", "L04-B03", "D1", vin(1)), "type": "teleport"},
        move("retrieve", "L04-B03", "D1", "SHORTVIN"),
        move("retrieve", "L04-B03", "D1", vin(1), priority=12),
    ],
)
def test_a_malformed_command_is_a_bad_request_and_not_recorded(tower: TowerApp, body: dict) -> None:
    status, answer = call(tower.url, "POST", "/v1/commands", body)
    assert (status, answer["reason"], answer["retryable"]) == (400, "invalid_request", True)


def test_an_unknown_command_is_not_found(tower: TowerApp) -> None:
    status, answer = call(tower.url, "GET", "/v1/commands/3f1d6a52-0000-4000-8000-000000000000")
    assert (status, answer["reason"]) == (404, "not_found")


def test_an_injected_failure_leaves_the_car_in_its_source_bay(tower: TowerApp) -> None:
    call(tower.url, "POST", "/v1/faults/fail-next", {"count": 1, "fault_code": "gripper_fault"})
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(tower.url, "POST", "/v1/commands", body)
    wait_for(lambda: command_status(tower.url, body["command_id"]) == "failed")
    answer = call(tower.url, "GET", f"/v1/commands/{body['command_id']}")[1]
    assert answer["fault_code"] == "gripper_fault"
    assert inventory(tower)["L04-B03"] == vin(1)
    assert inventory(tower)["D1"] is None


def test_a_jammed_target_bay_sends_the_car_back_to_its_source(start_tower, seeded) -> None:
    app = start_tower(speed=50.0)
    call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(app.url, "POST", "/v1/commands", body)
    call(app.url, "POST", "/v1/faults/bay-jam", {"bay": "D1"})
    wait_for(lambda: command_status(app.url, body["command_id"]) == "failed")
    assert call(app.url, "GET", f"/v1/commands/{body['command_id']}")[1]["fault_code"] == "bay_jammed"
    assert inventory(app)["L04-B03"] == vin(1)
    # Until the operator clears it, the jammed bay refuses work.
    again = move("retrieve", "L01-B01", "D1", vin(2))
    assert call(app.url, "POST", "/v1/commands", again)[1]["reason"] == "bay_jammed"


def test_a_jammed_source_bay_fails_the_command(tower: TowerApp) -> None:
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(tower.url, "POST", "/v1/faults/bay-jam", {"bay": "L04-B03"})
    assert call(tower.url, "POST", "/v1/commands", body)[1]["reason"] == "bay_jammed"


def test_a_body_that_is_not_json_is_a_bad_request(tower: TowerApp) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(tower.url + "/v1/commands", data=b"{nope", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 400
