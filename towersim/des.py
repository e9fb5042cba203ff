"""Discrete-event model of a tower (simpy): a whole day of moves in a fraction of a second.

It uses the real-time controller's own physics (`physics.job_phases`, `physics.dwell_phase`)
and dispatch policy (`dispatch.next_job`, `dispatch.choose_lift`), so a job lasts exactly as
long, and starts in the same order, in both. It does not check occupancy: the caller hands it a
consistent plan of moves.

    python -m towersim.des --config towersim/configs/sha-t1.json --seed 1

prints a summary of a synthetic busy day; its last line is one JSON object.
"""

import argparse
import heapq
import json
import random
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from tower.protocol import (
    BayPlace,
    LiftPose,
    TowerConfig,
    delivery_code,
    dwell_phase,
    job_phases,
    lower_bound_s,
    percentiles,
    total_s,
)
from towersim import dispatch
from towersim.config import load_config


@dataclass(frozen=True)
class DesJob:
    """One move; times in seconds from the start of the day."""

    name: str
    arrival_s: float
    source_bay: str
    target_bay: str
    priority: int = 0
    type: str = ""  # the command type ("retrieve", "store", "relocate"), for idle_only_types


@dataclass(frozen=True)
class DesOutcome:
    job: DesJob
    lift: int
    start_s: float
    finish_s: float
    lower_bound_s: float

    @property
    def wait_s(self) -> float:
        """Time in the queue before a lift took the job."""
        return self.start_s - self.job.arrival_s

    @property
    def total_s(self) -> float:
        """From the request to the car standing in its target bay."""
        return self.finish_s - self.job.arrival_s


@dataclass
class DesReport:
    lifts: int
    outcomes: list[DesOutcome] = field(default_factory=list)
    busy_s: dict[int, float] = field(default_factory=dict)
    end_s: float = 0.0

    def summary(self, kind: str | None = None) -> dict[str, Any]:
        """Percentiles of the request-to-done time for jobs whose name starts with `kind`
        (all jobs when None), plus throughput and utilisation over the whole run."""
        chosen = [o for o in self.outcomes if kind is None or o.job.name.startswith(kind)]
        return {
            "jobs": len(chosen),
            **percentiles([o.total_s for o in chosen], prefix="total_"),
            **percentiles([o.lower_bound_s for o in chosen], prefix="lower_bound_"),
            "moves_per_hour_per_lift": self.moves_per_hour_per_lift(),
            "lift_utilisation": self.utilisation(),
        }

    def moves_per_hour_per_lift(self) -> float:
        """Every job of the run per hour of the whole run, per lift (an empty run counts one hour)."""
        hours = self.end_s / 3600 if self.end_s else 1.0
        return round(len(self.outcomes) / hours / self.lifts, 2)

    def utilisation(self) -> float:
        """The lifts' busy share of the whole run (0 for an empty run)."""
        if not self.end_s:
            return 0.0
        return round(sum(self.busy_s.values()) / (self.end_s * self.lifts), 3)


# Our side's say on background work (``simulate(admit=…)``): (job, now, idle lifts) → may it go now.
Admission = Callable[[DesJob, float, int], bool]


def simulate(
    config: TowerConfig,
    jobs: list[DesJob],
    *,
    poses: dict[int, LiftPose] | None = None,
    admit: Admission | None = None,
    recheck_s: float = 5.0,
) -> DesReport:
    """Run the jobs through the tower's lifts and return what happened to each.

    ``admit``, when given, is a gate in front of the controller's queue for background jobs
    (priority below ``config.customer_priority``): such a job is left out of the dispatch while
    ``admit(job, now, idle lifts)`` is False, asked again at every event and every ``recheck_s``
    seconds (a gate that looks ahead changes its answer as time passes). Customers' jobs never
    wait for it. The benchmark uses it for what-if columns (a look-ahead from the bookings, or
    from knowing each customer some seconds early); the shipped policy has no such gate.

    Raises ValueError for a job naming a bay the tower does not have.
    """
    places = {job.name: (_place(config, job.source_bay), _place(config, job.target_bay)) for job in jobs}
    env = simpy.Environment()
    report = DesReport(lifts=config.lifts, busy_s=dict.fromkeys(range(1, config.lifts + 1), 0.0))
    lift_poses = dict(poses or {n: LiftPose() for n in range(1, config.lifts + 1)})
    idle = set(lift_poses)
    waiting: dict[int, DesJob] = {}

    def start_ready() -> None:
        while idle:
            # + 1e-9: a hold timer fires at arrival + hold, which float rounding can put a hair
            # short of the hold (about 2 % of the time), and the job would wait for another event.
            queue = (
                dispatch.Waiting(i, j.priority, env.now - j.arrival_s + 1e-9, j.type)
                for i, j in waiting.items()
                if admit is None or j.priority >= config.customer_priority or admit(j, env.now, len(idle))
            )
            order = dispatch.next_job(config, queue, len(idle))
            if order is None:
                return
            job = waiting.pop(order)
            source, target = places[job.name]
            lift = dispatch.choose_lift(config, [(n, lift_poses[n]) for n in sorted(idle)], source)
            idle.discard(lift)
            env.process(run(job, lift, source, target))

    def run(job: DesJob, lift: int, source: BayPlace, target: BayPlace) -> Generator[simpy.Event, Any, None]:
        phases = job_phases(config, lift_poses[lift], source, target)
        start = env.now
        yield env.timeout(total_s(phases))
        lift_poses[lift] = phases[-1].pose_after
        report.busy_s[lift] += env.now - start
        report.outcomes.append(DesOutcome(job, lift, start, env.now, lower_bound_s(config, source, target)))
        idle.add(lift)
        start_ready()
        if lift in idle and (ride := dwell_phase(config, lift_poses[lift])) is not None:
            # Nothing for this lift: it rides to the dwell level, and takes no job until there
            # (the controller does the same; a real one might turn back, so this is the slower).
            idle.discard(lift)
            yield env.timeout(ride.seconds)
            lift_poses[lift] = ride.pose_after
            idle.add(lift)
            start_ready()

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for order, job in sorted(enumerate(jobs), key=lambda item: (item[1].arrival_s, item[0])):
            yield env.timeout(max(0.0, job.arrival_s - env.now))
            waiting[order] = job
            start_ready()
            if order in waiting and job.priority < config.customer_priority and config.reserved_lifts:
                env.process(hold_ends(config.reserve_max_hold_s))

    def hold_ends(after_s: float) -> Generator[simpy.Event, Any, None]:
        """A held-back job may take the kept-back lift once it has waited long enough."""
        yield env.timeout(after_s)
        start_ready()

    def recheck() -> Generator[simpy.Event, Any, None]:
        """While jobs are still to come or waiting, ask the gate again every ``recheck_s``."""
        while env.now <= last_arrival or waiting:
            yield env.timeout(recheck_s)
            start_ready()

    last_arrival = max((job.arrival_s for job in jobs), default=0.0)
    env.process(arrivals())
    if admit is not None:
        env.process(recheck())
    env.run()
    report.end_s = env.now
    return report


def _place(config: TowerConfig, code: str) -> BayPlace:
    place = config.place(code)
    if place is None:
        raise ValueError(f"unknown bay {code}")
    return place


def synthetic_day(
    config: TowerConfig, *, seed: int, retrieves: int = 120, hours: float = 12.0, fill: float = 0.8
) -> list[DesJob]:
    """A busy day: `retrieves` cars fetched at random times to the delivery bays in turn
    (priority 5: a customer waits), each stored back (priority 0) after a 20–60 minute drive
    into a storage bay that is free at that moment."""
    rng = random.Random(seed)
    storage = [c for c in config.bay_codes() if not c.startswith("D")]
    occupied = set(rng.sample(storage, int(len(storage) * fill)))
    timeline: list[tuple[float, int, str, str]] = []  # (time, tie-breaker, kind, bay)
    for i in range(retrieves):
        heapq.heappush(timeline, (rng.uniform(0, hours * 3600), i, "retrieve", ""))
    jobs: list[DesJob] = []
    serial = retrieves
    while timeline:
        at, i, kind, bay = heapq.heappop(timeline)
        if kind == "retrieve" and occupied:
            source = rng.choice(sorted(occupied))
            occupied.discard(source)
            delivery = delivery_code(i % config.delivery_bays + 1)
            jobs.append(DesJob(f"retrieve-{i}", at, source, delivery, priority=5))
            serial += 1
            heapq.heappush(timeline, (at + rng.uniform(1200, 3600), serial, "store", delivery))
        elif kind == "store":
            target = rng.choice(sorted(set(storage) - occupied))
            occupied.add(target)
            jobs.append(DesJob(f"store-{i}", at, bay, target))
    return jobs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m towersim.des", description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--retrieves", type=int, default=120)
    parser.add_argument("--hours", type=float, default=12.0)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    report = simulate(
        config, synthetic_day(config, seed=args.seed, retrieves=args.retrieves, hours=args.hours)
    )
    summaries = {"retrieve": report.summary("retrieve"), "all": report.summary()}
    for kind, summary in summaries.items():
        print(f"{kind:>8}: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    print(json.dumps({"tower": config.tower, **summaries}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
