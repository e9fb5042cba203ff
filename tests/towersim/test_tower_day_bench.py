"""bench/tower_day.py at any demand: it reports a day the tower's fleet cannot serve as over
capacity instead of crashing, and its columns come from one run."""

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tower_day.py"


@pytest.fixture(scope="module")
def tower_day() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tower_day", BENCH)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def last_json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_it_reports_over_capacity_at_three_times_the_demand(tower_day, capsys) -> None:
    # 3x: every seed used to crash with IndexError when every stored car was out on a drive.
    assert tower_day.main(["--seed", "1", "--demand", "3", "--hours", "4"]) == 0
    printed = capsys.readouterr().out
    result = json.loads(printed.strip().splitlines()[-1])
    assert result["over_capacity"] is True
    assert result["refused"] > 0
    assert result["pickups"] + result["walk_ins"] + result["refused"] == 160 * 3
    assert "OVER CAPACITY" in printed


def test_it_says_nothing_of_capacity_when_the_day_fits(tower_day, capsys) -> None:
    assert tower_day.main(["--seed", "1", "--hours", "4", "--pickups", "20", "--walk-ins", "5"]) == 0
    result = last_json(capsys)
    assert result["over_capacity"] is False
    assert result["refused"] == 0
    assert result["pickups"] == 20


def test_a_refused_customer_is_left_out_of_the_day(tower_day) -> None:
    from towersim.config import load_config

    args = tower_day.argparse.Namespace(
        seed=2,
        pickups=60,
        walk_ins=0,
        hours=1.0,
        fill=0.1,
        staging_levels=2,
        lead_min=10.0,
        kiosk_min=20.0,
        kiosk_max=60.0,
        store_random=False,
    )
    day = tower_day.make_day(load_config(BENCH.parents[1] / "towersim/configs/sha-t1.json"), args)
    assert day.cars == 3
    assert len(day.refused) == 60 - len(day.pickups) > 0
    assert not {p.name for p in day.pickups} & set(day.refused)


def test_the_bound_of_any_background_schedule_is_below_the_store_policy(tower_day, capsys) -> None:
    assert tower_day.main(["--seed", "1", "--hours", "4", "--demand", "2"]) == 0
    result = last_json(capsys)
    assert result["customers_only_bound"]["p95_s"] <= result["prestage"]["p95_s"]
    assert 0 < result["background_lift_share"] < result["lift_utilisation"]
