"""bench/tower_bays.py: never a crash at any demand, and its row without the bays is the store
tower_day measures (the same day, the same policy)."""

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tower_bays() -> ModuleType:
    return load("tower_bays")


def last_json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_it_reports_over_capacity_at_five_times_the_demand(tower_bays, capsys) -> None:
    assert tower_bays.main(["--seeds", "1", "--demand", "5"]) == 0
    printed = capsys.readouterr().out
    assert "OVER CAPACITY" in printed
    assert json.loads(printed.strip().splitlines()[-1])["refused"] > 0


def test_without_the_bays_it_measures_what_tower_day_does(tower_bays, capsys) -> None:
    assert tower_bays.main(["--seeds", "2", "--demand", "1"]) == 0
    rows = last_json(capsys)["rows"]
    assert load("tower_day").main(["--seed", "2", "--demand", "1", "--arrival-share", "1"]) == 0
    assert rows["no bay occupancy (tower_day)"]["p95_s"] == [last_json(capsys)["prestage"]["p95_s"]]


def test_the_bays_only_add_waiting(tower_bays, capsys) -> None:
    assert (
        tower_bays.main(["--seeds", "3", "--demand", "2", "--drive-out-s", "30", "--drive-in-s", "30"]) == 0
    )
    rows = last_json(capsys)["rows"]
    no_bays = rows["no bay occupancy (tower_day)"]["pooled_p95_s"]
    assert rows["before: stows always background"]["pooled_p95_s"] > no_bays
    assert rows["shipped: stow first when no bay is free"]["delivery_bay_utilisation"][0] > 0
