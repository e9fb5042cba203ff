"""Seeding the tower's inventory from our database: PUT /v1/inventory."""

from tests.towersim.conftest import OPERATOR, call, events, move, vin
from towersim.app import TowerApp


def test_the_operator_replaces_the_whole_inventory(tower: TowerApp) -> None:
    status, answer = call(tower.url, "PUT", "/v1/inventory", {"bays": {"L02-B04": vin(9)}}, OPERATOR)
    assert status == 200
    state = call(tower.url, "GET", "/v1/state")[1]
    assert {bay: car for bay, car in state["inventory"].items() if car} == {"L02-B04": vin(9)}
    assert answer["event"]["kind"] == "inventory_loaded"
    assert events(tower.url)[-1] == answer["event"]


def test_it_refuses_an_inventory_without_the_operator_token(tower: TowerApp) -> None:
    status, answer = call(tower.url, "PUT", "/v1/inventory", {"bays": {}})
    assert (status, answer["reason"]) == (403, "operator_only")


def test_it_refuses_an_unknown_bay_or_a_car_in_two_bays(tower: TowerApp) -> None:
    unknown = call(tower.url, "PUT", "/v1/inventory", {"bays": {"L99-B01": vin(1)}}, OPERATOR)
    twice = call(
        tower.url, "PUT", "/v1/inventory", {"bays": {"L01-B01": vin(1), "L01-B02": vin(1)}}, OPERATOR
    )
    assert (unknown[0], unknown[1]["reason"]) == (422, "unknown_bay")
    assert (twice[0], twice[1]["reason"]) == (422, "duplicate_vin")


def test_it_refuses_a_new_inventory_while_a_command_is_open(start_tower, seeded) -> None:
    app = start_tower(speed=20.0)
    call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    call(app.url, "POST", "/v1/commands", move("retrieve", "L04-B03", "D1", vin(1)))
    status, answer = call(app.url, "PUT", "/v1/inventory", {"bays": {}}, OPERATOR)
    assert (status, answer["reason"]) == (409, "tower_busy")


def test_the_config_inventory_seeds_a_new_state_only(start_tower, tmp_path) -> None:
    from tests.towersim.conftest import small_config

    config = small_config(inventory={"L01-B01": vin(5)})
    app = start_tower(config=config, state_dir=tmp_path / "fresh")
    assert call(app.url, "GET", "/v1/state")[1]["inventory"]["L01-B01"] == vin(5)
