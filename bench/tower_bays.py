"""The delivery bays' occupancy (``towersim.des.BayModel``) on the days of ``bench/tower_day.py``:
the store as shipped, with and without it modelled, the stow priority that frees the last bay
(``tower.priorities.stow_priority``), pre-delivery (a what-if, not shipped), and what more
delivery bays or lifts would give; per seed and pooled over the seeds. The last line is one JSON
object.

    .venv/bin/python bench/tower_bays.py --demand 2 [--seeds 1-6] [--config …] \
        [--drive-out-s 30] [--drive-in-s 30] [--from-min 0]

Why: ``tower_day`` counts lift time only; a delivery bay there is always free. In the store a
retrieve claims its delivery bay when it is sent (``tower.bays.delivery_bay_for_retrieve``) and
keeps it until the member has driven the car out; a returned car holds its bay from driving in
until a lift has taken it, and its stow, background work, may wait up to the tower's 90 s hold
for the lift kept back for customers. With two delivery bays and ~27 pickups and ~27 returns an
hour at 2×, the bays are as scarce as the lifts.

ASSUMPTIONS: the kiosk interaction takes 20–60 s (as tower_day); a member takes
``--drive-out-s`` from being verified (or the car's arrival, if later) to the gate closing behind
their car, and a returning member ``--drive-in-s`` from entering a delivery bay to the gate
closing behind them (the stow is sent then); a pickup waiting for a bay gets it before a
returned car (``--returns-first``: the other way round); every booked member comes (so
pre-delivery never stows a car back). Nobody has measured the drive-in and drive-out times:
run with 0, 30 and 60 s.

Rows: the store as shipped and before; what-ifs (pre-delivery; a bay claimed only when the car
reaches it, ``BayModel.late_claim``; returning members kept out of the last free bay,
``returns_keep_free``); other hardware (more bays, more lifts); and a ladder of bounds that relax
the policy on this tower's own bays: customers only (no returned car, store or relocation:
``tower_day.customers_only``), the bay claimed on arrival, lifts without limit. Each still sends for
a car only once its member checks in.

Per row: booked customers' p95 per seed and pooled, their share over 30 s, walk-ins' p95 and
longest, the returned car's wait from driving in to the lift taking it (p95 range over the seeds
and the longest), customers whose move started over 60 s after they asked (no bay or no lift),
lift utilisation, delivery-bay utilisation (claimed share of the run), the cars pre-delivered and how long each stood in its bay before its member
checked in (p50 / p95).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dataclasses import replace
from typing import NamedTuple

import tower_day as td

from tower.priorities import stow_priority
from tower.protocol import TowerConfig, percentiles
from towersim.config import load_config
from towersim.des import BayModel, BayState, DesJob

# The what-if pre-delivery gate (not shipped: it does not meet the goal, docs/BENCHMARKS.md).
# A booked car whose slot has begun goes to a delivery bay ahead of its member only while the
# tower has no open move (idle time, as pre-staging), no other car waits for its member, and
# after it takes its bay KEEP_FREE_BAYS stay free for the next pickup or returned car. A member
# who never came would have their car stowed back at the window's end (every member comes here).
KEEP_FREE_BAYS = 1
CARS_WAITING_MAX = 1
# Enough lifts that no move waits for one (sha-t1 at 5×: 0.15 busy with 6): lift time out of the bound.
UNLIMITED_LIFTS = 12


class Row(NamedTuple):
    tower: TowerConfig
    bays: BayModel | None
    predeliver_s: float | None = None  # pre-delivery from the slot's start + seconds
    customers_only: bool = False  # no returned car, store or relocation (``td.customers_only``)


def early_admit(job: DesJob, now: float, state: BayState) -> bool:
    return (
        state.tower_idle and state.cars_waiting < CARS_WAITING_MAX and state.free_bays - 1 >= KEEP_FREE_BAYS
    )


def main(argv: list[str]) -> int:
    parser = td.days_parser(__doc__)
    parser.add_argument(
        "--drive-out-s", type=float, default=30.0, help="verified → gate closed behind the car"
    )
    parser.add_argument(
        "--drive-in-s", type=float, default=30.0, help="returned car in the bay → gate closed"
    )
    parser.add_argument("--from-min", type=float, nargs="+", default=[0.0])
    parser.add_argument(
        "--returns-first", action="store_true", help="a freed bay goes to a returned car before a pickup"
    )
    args = parser.parse_args(argv)
    tower = load_config(args.config)
    times = {
        "drive_out_s": args.drive_out_s,
        "drive_in_s": args.drive_in_s,
        "returns_first": args.returns_first,
    }
    before = BayModel(**times)  # every stow at background priority (the store before this change)

    def stow(free: int) -> int:
        return stow_priority(free_delivery_bays=free)

    shipped = BayModel(**times, stow_priority=stow)
    ahead = BayModel(**times, stow_priority=stow, early_admit=early_admit)
    late = BayModel(**times, stow_priority=stow, late_claim=True)
    # A returning member waits at the door while only one bay is free and no car is on its way to it.
    late_kept_out = replace(late, returns_keep_free=1)
    more_bays = tower.delivery_bays + 2
    unlimited = replace(tower, lifts=UNLIMITED_LIFTS, reserved_lifts=0)
    rows: dict[str, Row] = {
        "no bay occupancy (tower_day)": Row(tower, None),
        "before: stows always background": Row(tower, before),
        "shipped: stow first when no bay is free": Row(tower, shipped),
    }
    for minutes in args.from_min:
        rows[f"what-if: pre-delivery from slot start + {minutes:g} min"] = Row(tower, ahead, minutes * 60)
    rows["what-if: bay claimed when the car reaches it"] = Row(tower, late)
    rows[f"bound: {more_bays} delivery bays"] = Row(replace(tower, delivery_bays=more_bays), shipped)
    rows["bound: 6 lifts, none kept back"] = Row(replace(tower, lifts=6, reserved_lifts=0), shipped)
    rows[f"bound: {more_bays} delivery bays, {tower.lifts + 1} lifts"] = Row(
        replace(tower, delivery_bays=more_bays, lifts=tower.lifts + 1), shipped
    )
    # The ladder of bounds with this tower's delivery bays (docs/BENCHMARKS.md): each row
    # relaxes more than the one before; a car is still sent for only once its member checks in.
    rows["what-if: bay claimed on arrival, returns kept out of the last bay"] = Row(tower, late_kept_out)
    rows["bound: unlimited lifts, bay claimed on arrival, returns kept out of the last bay"] = Row(
        unlimited, late_kept_out
    )
    rows["bound: customers only, bay claimed when sent"] = Row(tower, shipped, customers_only=True)
    rows["bound: customers only, bay claimed on arrival"] = Row(tower, late, customers_only=True)
    rows["bound: customers only, bay claimed on arrival, unlimited lifts"] = Row(
        unlimited, late, customers_only=True
    )
    keys = ("p95", "booked", "walk_ins", "store_p95", "store", "outside", "util", "bays", "held", "ahead")
    found: dict[str, dict[str, list[float]]] = {name: {k: [] for k in keys} for name in rows}
    refused = 0
    for seed in args.seeds:
        day_args = td.default_args(seed, args.demand)
        day_args.config = args.config
        day = td.make_day(tower, day_args)
        refused += len(day.refused)
        booked = {p.name for p in day.pickups if p.booked}
        walk_ins = {p.name for p in day.pickups if not p.booked}
        asked = {p.name: p.checked_in_s for p in day.pickups}
        for name, (config, bays, from_s, only_customers) in rows.items():
            if only_customers:
                report = td.customers_only(config, day, day_args, bays=bays)
            else:
                report, _ = td.prestaged(config, day, day_args, early=True, bays=bays, predeliver_s=from_s)
            into = found[name]
            values = td.waits(report, day, booked)
            into["p95"].append(percentiles(values)["p95_s"])
            into["booked"] += values
            into["walk_ins"] += td.waits(report, day, walk_ins)
            store = [o.wait_s for o in report.outcomes if o.job.type == "store"]
            into["store_p95"].append(percentiles(store)["p95_s"])
            into["store"] += store
            customers = [o for o in report.outcomes if o.job.name in booked | walk_ins]
            # Customers whose move started over a minute after they asked: mostly no bay free.
            into["outside"].append(sum(o.start_s - o.job.arrival_s > 60 for o in customers))
            into["util"].append(report.utilisation())
            into["bays"].append(round(report.bay_busy_s / (report.end_s * config.delivery_bays), 3))
            pre = [o for o in customers if o.start_s < asked[o.job.name]]
            into["ahead"].append(len(pre))
            into["held"] += [asked[o.job.name] - o.finish_s for o in pre]
    if refused:
        print(
            f"OVER CAPACITY: {refused} customers over the seeds found no car in the tower (every one out on "
            "a drive); they are left out of the waits below"
        )
    result = {}
    for name, into in found.items():
        store, held = percentiles(into["store"]), percentiles(into["held"])
        result[name] = {
            **td.customers_summary(into["p95"], into["booked"], into["walk_ins"]),
            "store_wait_p95_s": into["store_p95"],
            "store_wait_max_s": store["max_s"],
            "customers_started_60s_late": sum(into["outside"]),
            "lift_utilisation": into["util"],
            "delivery_bay_utilisation": into["bays"],
            "pre_delivered": sum(into["ahead"]),
            "pre_delivered_wait_for_member_p50_p95_s": [held["p50_s"], held["p95_s"]],
        }
        r = result[name]
        print(
            f"{name:>48}: p95 {' / '.join(f'{v:g}' for v in into['p95'])} s, pooled {r['pooled_p95_s']} s, "
            f"over 30 s {r['over_30_s']:.1%}; walk-ins p95 {r['walk_ins_p95_s']} s, longest {r['walk_ins_max_s']} s; "
            f"returned car's wait p95 {min(into['store_p95']):g}–{max(into['store_p95']):g} s, longest "
            f"{r['store_wait_max_s']} s; customers started > 60 s after asking {r['customers_started_60s_late']}; "
            f"lift utilisation {min(into['util']):g}–{max(into['util']):g}, delivery bays "
            f"{min(into['bays']):g}–{max(into['bays']):g}; pre-delivered {r['pre_delivered']}, "
            f"held its bay for its member p50/p95 {held['p50_s']}/{held['p95_s']} s"
        )
    print(
        json.dumps(
            {
                "tower": tower.tower,
                "demand": args.demand,
                "seeds": args.seeds,
                "refused": refused,
                "drive_out_s": args.drive_out_s,
                "drive_in_s": args.drive_in_s,
                "rows": result,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
