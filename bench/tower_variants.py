"""Other policies for the tower at high demand, each on the same days as ``bench/tower_day.py``
(its day, pre-staging and store policy): the booked customers' p95 per seed and pooled over the
seeds, and the returned car's bay wait p95, one line per variant. The last line is one JSON object.

    .venv/bin/python bench/tower_variants.py --demand 2 [--seeds 1-6] [--config …]

Variants: the tower's hold (``reserve_max_hold_s``) at 60, 120 and 150 s; stores kept off the
kept-back lift like relocations (``idle_only_types``); staging on level 1 only; a 5- or 15-minute
pre-staging lead; relocating a car only when its retrieve from the staging bay is shorter by at
least 5, 8 or 12 s than from its storage bay. Each is the shipped store with that one change.
"""

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tower_day as td

from tower.protocol import LiftPose, TowerConfig, job_phases, percentiles, total_s
from towersim.config import load_config

Plan = Callable[[TowerConfig, td.Day, argparse.Namespace, set[str]], dict[str, tuple[float, str]]]


def retrieve_s(config: TowerConfig, source: str, target: str) -> float:
    """A retrieve's duration from a lift waiting at the dwell level."""
    a, b = config.place(source), config.place(target)
    assert a
    assert b
    return total_s(job_phases(config, LiftPose(config.dwell_level or 0), a, b))


def plan_saving_at_least(min_gain_s: float) -> Plan:
    """``tower_day.staging_plan``, relocating a car only when it saves its customer ``min_gain_s``."""

    def plan(config: TowerConfig, day: td.Day, args: argparse.Namespace, skip: set[str]) -> dict:
        bays = td.storage_codes(config, range(1, args.staging_levels + 1))
        busy_until = dict.fromkeys(bays, -1.0)
        chosen = {}
        for p in sorted(day.pickups, key=lambda p: p.slot_start_s):
            if not p.booked or p.name in skip:
                continue
            at = max(0.0, p.slot_start_s - args.lead_min * 60)
            free = [b for b in bays if busy_until[b] <= at]
            gain = free and retrieve_s(config, p.home_bay, p.delivery_bay) - retrieve_s(
                config, free[0], p.delivery_bay
            )
            if free and gain >= min_gain_s:
                chosen[p.name] = (at, free[0])
                busy_until[free[0]] = p.verified_s + 60
        return chosen

    return plan


def variants() -> dict[str, tuple[Callable[[TowerConfig], TowerConfig], dict, Plan | None]]:
    same: Callable[[TowerConfig], TowerConfig] = lambda tower: tower  # noqa: E731
    found: dict[str, tuple[Callable[[TowerConfig], TowerConfig], dict, Plan | None]] = {
        "shipped": (same, {}, None)
    }
    for hold in (60.0, 120.0, 150.0):
        found[f"hold {hold:g} s"] = (lambda t, h=hold: replace(t, reserve_max_hold_s=h), {}, None)
    found["stores idle-only"] = (lambda t: replace(t, idle_only_types=("relocate", "store")), {}, None)
    found["staging level 1 only"] = (same, {"staging_levels": 1}, None)
    for lead in (5.0, 15.0):
        found[f"lead {lead:g} min"] = (same, {"lead_min": lead}, None)
    for gain in (5.0, 8.0, 12.0):
        found[f"relocate if it saves >= {gain:g} s"] = (same, {}, plan_saving_at_least(gain))
    return found


def main(argv: list[str]) -> int:
    parser = td.days_parser(__doc__)
    args = parser.parse_args(argv)
    shipped = load_config(args.config)
    result = {}
    for name, (tower_of, overrides, plan) in variants().items():
        tower = tower_of(shipped)
        per_seed, pooled, bay_waits, bay_longest = [], [], [], 0.0
        for seed in args.seeds:
            day_args = argparse.Namespace(
                **{
                    **vars(td.default_args(seed, args.demand)),
                    **overrides,
                }
            )
            day = td.make_day(tower, day_args)
            booked = {p.name for p in day.pickups if p.booked}
            original = td.staging_plan
            td.staging_plan = plan or original
            try:
                report, _ = td.prestaged(tower, day, day_args, early=True)
            finally:
                td.staging_plan = original
            values = td.waits(report, day, booked)
            per_seed.append(percentiles(values)["p95_s"])
            pooled += values
            stores = percentiles([o.wait_s for o in report.outcomes if o.job.type == "store"])
            bay_waits.append(stores["p95_s"])
            bay_longest = max(bay_longest, stores["max_s"])
        result[name] = {
            "p95_s": per_seed,
            "pooled_p95_s": percentiles(pooled)["p95_s"],
            "bay_wait_p95_s": bay_waits,
            "bay_wait_max_s": bay_longest,
        }
        print(
            f"{name:>28}: p95 {' / '.join(f'{v:g}' for v in per_seed)} s, pooled {result[name]['pooled_p95_s']} s; "
            f"returned car's bay wait p95 {min(bay_waits):g}–{max(bay_waits):g} s, longest {bay_longest:g} s"
        )
    print(
        json.dumps({"tower": shipped.tower, "demand": args.demand, "seeds": args.seeds, "variants": result})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
