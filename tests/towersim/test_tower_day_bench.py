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


def test_the_chance_of_at_least_k_of_independent_events(tower_day) -> None:
    assert tower_day.at_least([0.5, 0.5], 1) == pytest.approx(0.75)
    assert tower_day.at_least([0.5, 0.5], 2) == pytest.approx(0.25)
    assert tower_day.at_least([0.3], 0) == pytest.approx(1.0)
    assert tower_day.at_least([1.0], 2) == 0.0


def one_customer_day(tower_day, *, slot_start_s: float, checked_in_s: float):
    pickup = tower_day.Pickup(
        "pickup-0", checked_in_s + 40, checked_in_s, "L05-B01", "D1", True, slot_start_s
    )
    return tower_day.Day([pickup], [], [], 1)


def gate_args(tower_day):
    return tower_day.argparse.Namespace(kiosk_min=20.0, kiosk_max=60.0)


@pytest.fixture
def sha_t1():
    from towersim.config import load_config

    return load_config(BENCH.parents[1] / "towersim/configs/sha-t1.json")


def test_the_bookings_gate_holds_a_move_back_while_a_due_customer_would_find_no_lift(
    tower_day, sha_t1
) -> None:
    # One booked customer, not checked in, whose check-in can only fall inside the next minute.
    day = one_customer_day(tower_day, slot_start_s=1000.0, checked_in_s=1030.0)
    admit = tower_day.bookings_gate(sha_t1, day, gate_args(tower_day))
    relocate = tower_day.DesJob("relocate-x", 0.0, "L06-B01", "L01-B01", 0, "relocate")
    store = tower_day.DesJob("store-x", 900.0, "D1", "L03-B01", 0, "store")
    assert not admit(relocate, 1020.0, 1)  # the last idle lift: the customer would wait
    assert admit(relocate, 1020.0, 2)  # a lift stays free for them
    assert admit(relocate, 1040.0, 1)  # they have checked in: nobody else is due
    assert admit(relocate, 0.0, 1)  # their slot is far off
    assert admit(store, 900.0 + 2 * sha_t1.reserve_max_hold_s, 1)  # a returned car waits no longer


def test_the_heads_up_gate_sees_customers_only_that_far_ahead(tower_day, sha_t1) -> None:
    day = one_customer_day(tower_day, slot_start_s=1000.0, checked_in_s=1030.0)
    relocate = tower_day.DesJob("relocate-x", 0.0, "L06-B01", "L01-B01", 0, "relocate")
    assert not tower_day.heads_up_gate(sha_t1, day, 30.0)(relocate, 1010.0, 1)
    assert tower_day.heads_up_gate(sha_t1, day, 10.0)(relocate, 1010.0, 1)  # 20 s away: not seen yet
    assert tower_day.heads_up_gate(sha_t1, day, 30.0)(relocate, 1010.0, 2)


def test_the_store_sends_a_pre_staged_car_first_and_the_day_before_did_not(tower_day, sha_t1) -> None:
    from tower.priorities import RETRIEVE_PRIORITY, STAGED_RETRIEVE_PRIORITY

    day = one_customer_day(tower_day, slot_start_s=1000.0, checked_in_s=1030.0)
    staged = {"pickup-0": (400.0, "L01-B01")}

    def retrieve_priorities(plan, staging_levels: int) -> list[int]:
        report = tower_day.run(sha_t1, day, plan, early=True, staging_levels=staging_levels)
        return [o.job.priority for o in report.outcomes if o.job.type == "retrieve"]

    assert retrieve_priorities(staged, 2) == [STAGED_RETRIEVE_PRIORITY]
    assert retrieve_priorities({}, 2) == [RETRIEVE_PRIORITY]  # fetched from storage (level 5)
    assert retrieve_priorities(staged, 0) == [RETRIEVE_PRIORITY]  # the store before


def test_it_reports_the_what_if_gates_beside_the_store(tower_day, capsys) -> None:
    assert tower_day.main(["--seed", "1", "--hours", "4", "--demand", "2", "--heads-up-s", "45"]) == 0
    result = last_json(capsys)
    for key in ("prestage_before_staged_first", "lookahead_bookings", "heads_up"):
        assert set(result[key]) == set(result["prestage"])
    assert result["heads_up_s"] == 45.0


@pytest.fixture(scope="module")
def tower_variants(tower_day) -> ModuleType:
    spec = importlib.util.spec_from_file_location("tower_variants", BENCH.parent / "tower_variants.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_relocating_only_what_saves_enough_keeps_every_worthwhile_relocation(
    tower_day, tower_variants, sha_t1
) -> None:
    args = tower_day.default_args(1, 1.0)
    day = tower_day.make_day(sha_t1, args)
    everything = tower_day.staging_plan(sha_t1, day, args, set())
    assert tower_variants.plan_saving_at_least(0.0)(sha_t1, day, args, set()) == everything
    assert tower_variants.plan_saving_at_least(1000.0)(sha_t1, day, args, set()) == {}


def test_the_variants_start_from_the_store_the_day_benchmark_ships(tower_day, tower_variants, capsys) -> None:
    assert tower_day.main(["--seed", "1"]) == 0
    shipped = last_json(capsys)["prestage"]["p95_s"]
    assert tower_variants.main(["--demand", "1", "--seeds", "1"]) == 0
    variants = last_json(capsys)["variants"]
    assert variants["shipped"]["p95_s"] == [shipped]


def test_the_arrival_gate_holds_moves_from_the_announcement_to_the_check_in(tower_day, sha_t1) -> None:
    # The customer checks in at 1030 s and announces 30 s before: the store's own rule decides.
    day = one_customer_day(tower_day, slot_start_s=1000.0, checked_in_s=1030.0)
    admit = tower_day.arrival_gate(day, tower_day.argparse.Namespace(seed=1), 1.0, 30.0)
    relocate = tower_day.DesJob("relocate-x", 0.0, "L06-B01", "L01-B01", 0, "relocate")
    store = tower_day.DesJob("store-x", 900.0, "D1", "L03-B01", 0, "store")
    assert admit(relocate, 999.0, 1)  # not announced yet
    assert not admit(relocate, 1000.0, 1)  # announced: the last idle lift is theirs
    assert admit(relocate, 1000.0, 2)
    assert admit(relocate, 1030.0, 1)  # checked in: their retrieve is asked, nobody is expected
    assert not admit(store, 1010.0, 1)
    assert admit(store, 900.0 + 180.0, 1)  # a returned car waits no longer than the store's bound
    own = tower_day.DesJob("relocate-pickup-0", 0.0, "L05-B01", "L01-B01", 0, "relocate")
    assert admit(own, 1010.0, 1)  # their own car's pre-staging is theirs


def test_nobody_announcing_is_the_shipped_store(tower_day, sha_t1) -> None:
    args = tower_day.default_args(1, 2.0)
    args.hours = 3.0
    day = tower_day.make_day(sha_t1, args)
    booked = {p.name for p in day.pickups if p.booked}
    gated, _ = tower_day.prestaged(
        sha_t1, day, args, early=True, admit=tower_day.arrival_gate(day, args, 0.0, 30.0)
    )
    shipped, _ = tower_day.prestaged(sha_t1, day, args, early=True)
    assert tower_day.announcers(day, 1, 0.0) == []
    assert tower_day.waits(gated, day, booked) == tower_day.waits(shipped, day, booked)
    half = {p.name for p in tower_day.announcers(day, 1, 0.5)}
    assert 0 < len(half) < len(booked)
    assert half <= {p.name for p in tower_day.announcers(day, 1, 1.0)} == booked  # a subset
