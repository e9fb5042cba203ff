"""Lift motion and job timing; the numbers both the real-time controller and the DES use."""

import math

import pytest

from tests.towersim.conftest import place, small_config, vin
from tower.protocol import (
    LiftPose,
    Physics,
    farthest_retrieve_s,
    job_phases,
    rotation_time_s,
    total_s,
    travel_time_s,
)
from towersim.config import ConfigError, config_from_dict

PHYSICS = Physics()  # 2 m/s, 0.5 m/s², so top speed needs 8 m of ramps


def test_a_long_trip_cruises_at_top_speed() -> None:
    assert travel_time_s(60.0, PHYSICS) == pytest.approx(60 / 2 + 2 / 0.5)


def test_a_short_trip_never_reaches_top_speed() -> None:
    assert travel_time_s(3.0, PHYSICS) == pytest.approx(2 * math.sqrt(3.0 / 0.5))


def test_trapezoid_and_triangle_meet_at_the_ramp_distance() -> None:
    assert travel_time_s(8.0, PHYSICS) == pytest.approx(8.0)
    assert travel_time_s(7.999, PHYSICS) == pytest.approx(8.0, abs=1e-3)


def test_no_trip_takes_no_time() -> None:
    assert travel_time_s(0.0, PHYSICS) == 0.0


def test_the_turntable_turns_the_short_way() -> None:
    assert rotation_time_s(350.0, 10.0, PHYSICS) == pytest.approx(20 / 45)


def test_the_farthest_bay_of_an_autostadt_tower_takes_about_a_minute_and_three_quarters() -> None:
    autostadt = config_from_dict({"tower": "a", "levels": 20, "bays_per_level": 20, "lifts": 2})
    assert 95 <= farthest_retrieve_s(autostadt) <= 115  # published: 1 min 44 s


def test_a_demo_tower_delivers_within_a_realistic_time() -> None:
    demo = config_from_dict({"tower": "sha-t1", "levels": 8, "bays_per_level": 6, "lifts": 2})
    assert 45 <= farthest_retrieve_s(demo) <= 130  # Autobahn Motors: about 2 minutes


def test_doors_work_only_at_delivery_bays() -> None:
    config = small_config()
    d1, top, low = place(config, "D1"), place(config, "L04-B01"), place(config, "L01-B01")
    names = [p.name for p in job_phases(config, LiftPose(), top, d1)]
    assert names == ["to_source", "transfer_in", "to_target", "transfer_out", "door_open"]
    names = [p.name for p in job_phases(config, LiftPose(), d1, top)]
    assert names == ["to_source", "door_close", "transfer_in", "to_target", "transfer_out"]
    assert "door_open" not in [p.name for p in job_phases(config, LiftPose(), top, low)]


def test_a_job_ends_with_the_lift_at_the_target() -> None:
    config = small_config()
    source, target = place(config, "L04-B03"), place(config, "D1")
    phases = job_phases(config, LiftPose(), source, target)
    assert phases[-1].pose_after == LiftPose(0, target.heading_deg)
    assert total_s(phases) == pytest.approx(10 + 15 + 10 + 15 + 6)  # 12 m each way


def test_bay_codes_are_the_ones_our_database_uses() -> None:
    config = small_config()
    assert config.bay_codes()[:3] == ["D1", "D2", "L01-B01"]
    assert config.place("L03-B04") is not None
    assert config.place("L3-B4") is None
    assert config.place("L05-B01") is None
    assert config.place("D3") is None


def test_a_config_with_an_unknown_bay_in_its_inventory_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown_bay"):
        small_config(inventory={"L09-B01": vin(1)})
