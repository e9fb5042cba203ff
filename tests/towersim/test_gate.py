"""The physical world's one input: a member walks out of a delivery bay and its gate closes
(POST /v1/world/gate-closed), journaled as a gate_closed event."""

from tests.towersim.conftest import call, events
from towersim.app import TowerApp


def test_a_gate_closing_is_journaled_with_the_bay_and_its_car_sensor(tower: TowerApp) -> None:
    status, event = call(tower.url, "POST", "/v1/world/gate-closed", {"bay": "D2", "occupied": True})

    assert status == 200
    assert (event["kind"], event["bay"], event["occupied"]) == ("gate_closed", "D2", True)
    assert events(tower.url)[-1] == event
    assert "command_id" not in event


def test_a_gate_closing_leaves_the_inventory_alone(tower: TowerApp) -> None:
    before = call(tower.url, "GET", "/v1/state")[1]["inventory"]

    call(tower.url, "POST", "/v1/world/gate-closed", {"bay": "D1", "occupied": False})

    assert call(tower.url, "GET", "/v1/state")[1]["inventory"] == before


def test_only_a_delivery_bay_has_a_gate(tower: TowerApp) -> None:
    storage = call(tower.url, "POST", "/v1/world/gate-closed", {"bay": "L01-B01"})
    unknown = call(tower.url, "POST", "/v1/world/gate-closed", {"bay": "D9"})

    assert (storage[0], storage[1]["reason"]) == (422, "wrong_bay_kind")
    assert (unknown[0], unknown[1]["reason"]) == (422, "unknown_bay")
