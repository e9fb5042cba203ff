"""The shipped arrival gate (``tower.arrival_gate``) on the days of ``bench/tower_day.py``, per
seed and pooled over the seeds: the shipped store without announcements, then with a share of
booked members announcing their arrival some seconds before their kiosk check-in, each with the
retrieve order as shipped (a pre-staged car first) and with every retrieve at one priority.
The last line is one JSON object.

    .venv/bin/python bench/tower_arrival.py --demand 2 [--seeds 1-6] [--config …] \
        [--arrival-share 1 0.5] [--arrival-warning-s 30 60]

Per row: booked customers' p95 per seed and pooled, the pooled share of them waiting over 30 s,
walk-ins' pooled p95 and longest wait, the mean wait of every customer, and the returned car's
bay wait (p95 range over the seeds and the longest). ASSUMPTION, as in tower_day: the kiosk
interaction takes 20–60 s; and here, that the announcing members do come and check in.

What-if rows "retrieve at announcement" (not shipped): the announcing members' retrieve is sent
when they announce instead of at check-in (the car then waits longer behind the delivery bay's
closed door); no gate. The model has no delivery-bay occupancy, so the bay that car holds for the
extra seconds, and for a member who never comes, is not counted (``bench/tower_bays.py`` counts
the bays).
"""

import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tower_day as td

from tower.protocol import percentiles
from towersim.config import load_config
from towersim.des import Admission


def main(argv: list[str]) -> int:
    parser = td.days_parser(__doc__)
    parser.add_argument("--arrival-share", type=float, nargs="+", default=[1.0, 0.5])
    parser.add_argument("--arrival-warning-s", type=float, nargs="+", default=[30.0, 60.0])
    args = parser.parse_args(argv)
    tower = load_config(args.config)
    # name → (share, warning, staged first, retrieve at the announcement instead of a gate)
    rows: dict[str, tuple[float, float, bool, bool]] = {
        "shipped": (0.0, 0.0, True, False),
        "shipped, one priority": (0.0, 0.0, False, False),
    }
    for share in args.arrival_share:
        for warning in args.arrival_warning_s:
            label = f"{share:.0%} announce {warning:g} s ahead"
            rows[label] = (share, warning, True, False)
            rows[f"{label}, one priority"] = (share, warning, False, False)
            rows[f"what-if: {label}, retrieve at announcement"] = (share, warning, True, True)
    found: dict[str, dict[str, list[float]]] = {
        name: {"p95": [], "booked": [], "walk_ins": [], "all": [], "bay_p95": [], "bay": []} for name in rows
    }
    for seed in args.seeds:
        day_args = td.default_args(seed, args.demand)
        day_args.config = args.config
        day = td.make_day(tower, day_args)
        booked = {p.name for p in day.pickups if p.booked}
        walk_ins = {p.name for p in day.pickups if not p.booked}
        for name, (share, warning, staged_first, fetch_early) in rows.items():
            gate: Admission | None = td.arrival_gate(day, day_args, share, warning) if share else None
            run_day = day
            if fetch_early:
                early = {p.name for p in td.announcers(day, seed, share)}
                run_day = replace(
                    day,
                    pickups=[
                        replace(p, checked_in_s=p.checked_in_s - warning) if p.name in early else p
                        for p in day.pickups
                    ],
                )
                gate = None
            report, _ = td.prestaged(
                tower, run_day, day_args, early=True, staged_first=staged_first, admit=gate
            )
            values = td.waits(report, day, booked)
            into = found[name]
            into["p95"].append(percentiles(values)["p95_s"])
            into["booked"] += values
            into["walk_ins"] += td.waits(report, day, walk_ins)
            into["all"] += td.waits(report, day, booked | walk_ins)
            bay = [o.wait_s for o in report.outcomes if o.job.type == "store"]
            into["bay_p95"].append(percentiles(bay)["p95_s"])
            into["bay"] += bay
    result = {}
    for name, into in found.items():
        bay_p95 = into["bay_p95"]
        result[name] = {
            **td.customers_summary(into["p95"], into["booked"], into["walk_ins"]),
            "mean_wait_all_s": round(sum(into["all"]) / max(1, len(into["all"])), 1),
            "bay_wait_p95_s": into["bay_p95"],
            "bay_wait_max_s": round(max(into["bay"], default=0.0), 1),
        }
        r = result[name]
        print(
            f"{name:>38}: p95 {' / '.join(f'{v:g}' for v in into['p95'])} s, pooled {r['pooled_p95_s']} s, "
            f"over 30 s {r['over_30_s']:.1%}; walk-ins p95 {r['walk_ins_p95_s']} s, longest {r['walk_ins_max_s']} s; "
            f"mean of all {r['mean_wait_all_s']} s; returned car's bay wait p95 "
            f"{min(bay_p95):g}–{max(bay_p95):g} s, longest {r['bay_wait_max_s']} s"
        )
    print(json.dumps({"tower": tower.tower, "demand": args.demand, "seeds": args.seeds, "rows": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
