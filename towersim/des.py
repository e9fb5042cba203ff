"""Discrete-event model of a tower (simpy): a whole day of moves in a fraction of a second.

It uses the real-time controller's own physics (`physics.job_phases`, `physics.dwell_phase`)
and dispatch policy (`dispatch.next_job`, `dispatch.choose_lift`), so a job lasts exactly as
long, and starts in the same order, in both. It does not check storage occupancy: the caller
hands it a consistent plan of moves. The delivery bays' occupancy is modelled when asked
(`simulate(bays=BayModel(…))`).

    python -m towersim.des --config towersim/configs/sha-t1.json --seed 1

prints a summary of a synthetic busy day; its last line is one JSON object.
"""

import argparse
import heapq
import json
import math
import random
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any

import simpy

from tower.protocol import (
    BayPlace,
    LiftPose,
    Phase,
    TowerConfig,
    delivery_code,
    dwell_phase,
    job_phases,
    lower_bound_s,
    move_s,
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
    # Delivery-bay occupancy (``simulate(bays=…)`` only): when the customer of a car brought to a
    # delivery bay may take it (verified); they drive out ``BayModel.drive_out_s`` after this or
    # after the car's arrival, whichever is later.
    customer_s: float = 0.0
    # Pre-delivery: from ``early_s`` the car may be sent for as background work, before its
    # customer asks at ``arrival_s`` (``BayModel.early_admit`` decides when), once the job named
    # ``after`` (its pre-staging) has finished. One job either way: a car is never moved twice.
    early_s: float | None = None
    after: str = ""


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
    bay_busy_s: float = 0.0  # delivery-bay seconds claimed (``simulate(bays=…)`` only)

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


@dataclass(frozen=True)
class BayState:
    """What a pre-delivery gate sees of the delivery bays and lifts at one moment."""

    free_bays: int  # delivery bays with no car, no car coming and nobody's claim
    cars_waiting: int  # cars in (or on their way to) a delivery bay ahead of their customer
    idle_lifts: int
    tower_idle: bool  # no job queued or running: what our side sees as "no open command"


# (job, now, state) → may this car be sent to a delivery bay ahead of its customer now.
EarlyAdmission = Callable[[DesJob, float, BayState], bool]


@dataclass(frozen=True)
class BayModel:
    """Delivery-bay occupancy, off unless given to ``simulate``.

    Every job into or out of a delivery bay claims one when it is asked (the lowest free by
    number; the job's own delivery code is ignored): a retrieve from its request until its
    customer has driven the car out (``drive_out_s`` after ``DesJob.customer_s`` or the car's
    arrival, whichever is later); a returned car from the moment it drives in (the store job's
    ``arrival_s``) until the lift has taken it (door closed, car on the platform), its store asked
    ``drive_in_s`` later (the member parks and walks out; the gate closes). With no bay free the
    job waits outside the queue, customers' retrieves first, then returned cars (each in order of
    asking): the returned car's wait counts it. ``early_admit`` gates the pre-delivery phase of
    jobs with ``early_s`` (None: no pre-delivery)."""

    drive_out_s: float = 0.0
    drive_in_s: float = 0.0
    # A freed bay goes to a returned car waiting outside before a pickup (the member at the door
    # drives in at once; our sweep asks for a pickup's bay again within a minute).
    returns_first: bool = False
    early_admit: EarlyAdmission | None = None
    # A returned car's store priority from the delivery bays free when it is asked (None: the
    # job's own), as our side would choose it when it sends the stow.
    stow_priority: Callable[[int], int] | None = None
    early_type: str = "relocate"  # how a pre-delivery shows to the dispatch (idle-time work)
    early_priority: int = 0
    # What-ifs for the bounds (``bench/tower_bays.py``), not the store's rules:
    # ``late_claim``: a retrieve claims its delivery bay only when its car reaches the bays (the
    # transfer into the bay), not when it is asked; with none free the lift waits there, loaded.
    # At most ``lifts - 1`` lifts carry a car that has no bay yet (more could all wait, loaded,
    # while the bays hold returned cars waiting for a lift: a deadlock); a retrieve over that
    # count claims a free bay when it starts, or waits for one in the queue.
    late_claim: bool = False
    # A returning member drives in only while more than ``returns_keep_free`` bays are free and
    # not wanted by a car on its way (the rest kept for pickups), or once they have waited
    # ``returns_door_max_s`` at the door.
    returns_keep_free: int = 0
    returns_door_max_s: float = math.inf


def simulate(
    config: TowerConfig,
    jobs: list[DesJob],
    *,
    poses: dict[int, LiftPose] | None = None,
    admit: Admission | None = None,
    recheck_s: float = 5.0,
    bays: BayModel | None = None,
) -> DesReport:
    """Run the jobs through the tower's lifts and return what happened to each.

    ``admit``, when given, is a gate in front of the controller's queue for background jobs
    (priority below ``config.customer_priority``): such a job is left out of the dispatch while
    ``admit(job, now, idle lifts)`` is False, asked again at every event and every ``recheck_s``
    seconds (a gate that looks ahead changes its answer as time passes). Customers' jobs never
    wait for it. The benchmark uses it for what-if columns (a look-ahead from the bookings, or
    from knowing each customer some seconds early); the shipped policy has no such gate.

    ``bays``, when given, adds the delivery bays' occupancy (``BayModel``) and pre-delivery.

    Raises ValueError for a job naming a bay the tower does not have.
    """
    places = {job.name: (_place(config, job.source_bay), _place(config, job.target_bay)) for job in jobs}
    env = simpy.Environment()
    report = DesReport(lifts=config.lifts, busy_s=dict.fromkeys(range(1, config.lifts + 1), 0.0))
    lift_poses = dict(poses or {n: LiftPose() for n in range(1, config.lifts + 1)})
    idle = set(lift_poses)
    waiting: dict[int, DesJob] = {}
    queued_at: dict[int, float] = {}  # when each waiting job joined the lift queue
    # Delivery bays (only with ``bays``): code → the job holding it; job → its bay.
    holder: dict[str, int | None] = {delivery_code(n): None for n in range(1, config.delivery_bays + 1)}
    bay_of: dict[int, str] = {}
    claimed_at: dict[str, float] = {}
    outside: dict[int, DesJob] = {}  # asked, no delivery bay free yet
    early: dict[int, DesJob] = {}  # pre-delivery may start, not yet sent
    sent_early: set[int] = set()
    finished: set[str] = set()
    carrying: set[int] = set()  # late claim: lifts on their way with a car that has no bay yet
    loaded_waiting: list[tuple[int, simpy.Event]] = []  # ... and waiting at the bays, in order
    fresh: list[int] = []  # background jobs just queued: their hold timer starts if they wait
    running = 0

    def uses_bay(job: DesJob) -> bool:
        return bays is not None and (places[job.name][0].is_delivery or places[job.name][1].is_delivery)

    def enqueue(order: int, job: DesJob) -> None:
        if bays is not None and bays.stow_priority is not None and is_return(job):
            job = replace(job, priority=bays.stow_priority(free_bays()))
        waiting[order] = job
        # Exactly the request time when it is now (the hold timer below compares against it).
        queued_at[order] = job.arrival_s if abs(env.now - job.arrival_s) < 1e-6 else env.now
        if job.priority < config.customer_priority and config.reserved_lifts:
            fresh.append(order)

    def claim(order: int) -> str:
        code = next(c for c, who in holder.items() if who is None)
        holder[code] = order
        bay_of[order] = code
        claimed_at[code] = env.now
        return code

    def free_bays() -> int:
        return sum(who is None for who in holder.values())

    def claims_late(job: DesJob) -> bool:
        source, target = places[job.name]
        return bays is not None and bays.late_claim and target.is_delivery and not source.is_delivery

    def request(order: int, job: DesJob) -> None:
        """The job is asked for: it joins the lift queue, or waits outside for a delivery bay."""
        if uses_bay(job) and order not in bay_of and not claims_late(job):
            if not free_bays() or not may_drive_in(job):
                outside[order] = job
                if is_return(job) and bays is not None and math.isfinite(bays.returns_door_max_s):
                    env.process(door_wait_ends(order, job))
                return
            enter(order, job)
            return
        enqueue(order, job)

    def is_return(job: DesJob) -> bool:
        return places[job.name][0].is_delivery

    def may_drive_in(job: DesJob) -> bool:
        """A returning member may take a free bay (``BayModel.returns_keep_free``): a bay a
        late-claiming car on its way will want counts as taken."""
        assert bays is not None
        if not is_return(job) or not bays.returns_keep_free:
            return True
        if free_bays() - len(carrying) > bays.returns_keep_free:
            return True
        return env.now - job.arrival_s >= bays.returns_door_max_s - 1e-9

    def door_wait_ends(order: int, job: DesJob) -> Generator[simpy.Event, Any, None]:
        assert bays is not None
        yield env.timeout(max(0.0, job.arrival_s + bays.returns_door_max_s - env.now))
        if order in outside and free_bays():
            enter(order, outside.pop(order))
            start_ready()

    def may_carry() -> bool:
        """A lift may set off with a car that has no bay yet while another lift carries none
        (``BayModel.late_claim``): that one can always take a returned car out of a bay."""
        return len(carrying) < config.lifts - 1

    def may_start(order: int, job: DesJob) -> bool:
        """A late-claiming retrieve starts with no bay if ``may_carry``, else only when a bay is
        free to claim now."""
        if order in bay_of or not claims_late(job):
            return True
        return may_carry() or free_bays() > 0

    def enter(order: int, job: DesJob) -> None:
        """The job takes a free delivery bay; a returned car's store is asked once it is parked."""
        assert bays is not None
        claim(order)
        if is_return(job) and bays.drive_in_s:
            env.process(parked(order, job, bays.drive_in_s))
        else:
            enqueue(order, job)

    def parked(order: int, job: DesJob, after_s: float) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(after_s)
        enqueue(order, job)
        start_ready()

    def release(code: str) -> None:
        holder[code] = None
        report.bay_busy_s += env.now - claimed_at[code]
        if loaded_waiting:  # a lift waiting at the bays with a car goes first: it holds a lift
            order, arrived = loaded_waiting.pop(0)
            claim(order)
            arrived.succeed()
            return
        # Customers first, then returned cars (or the other way round); each in the order they asked.
        assert bays is not None
        flip = bays.returns_first

        def turn(o: int) -> tuple[bool, int]:
            return ((outside[o].priority < config.customer_priority) != flip, o)

        for order in sorted(outside, key=turn):
            if not free_bays():
                break
            if may_drive_in(outside[order]):
                enter(order, outside.pop(order))
        start_ready()

    def send_early() -> None:
        assert bays is not None
        assert bays.early_admit is not None
        for order in sorted(early, key=lambda o: (early[o].arrival_s, o)):
            job = early[order]
            if job.after and job.after not in finished:
                continue
            state = BayState(
                free_bays=free_bays(),
                cars_waiting=sum(env.now < jobs_by_order[o].arrival_s for o in sent_early if o in bay_of),
                idle_lifts=len(idle),
                tower_idle=not waiting and not running and len(idle) == config.lifts,
            )
            if state.free_bays and bays.early_admit(job, env.now, state):
                del early[order]
                sent_early.add(order)
                claim(order)
                enqueue(order, job)

    def shown(order: int, job: DesJob) -> tuple[int, str]:
        """Priority and type the dispatch sees: a pre-delivery is background work until its
        customer asks."""
        if bays is not None and order in sent_early and env.now < job.arrival_s:
            return bays.early_priority, bays.early_type
        return job.priority, job.type

    def start_ready() -> None:
        dispatch_ready()
        for order in fresh:
            if order in waiting:  # held back: the hold may release it later
                env.process(hold_ends(config.reserve_max_hold_s))
        fresh.clear()

    def dispatch_ready() -> None:
        nonlocal running
        if early:
            send_early()
        while idle:
            # + 1e-9: a hold timer fires at arrival + hold, which float rounding can put a hair
            # short of the hold (about 2 % of the time), and the job would wait for another event.
            queue = (
                dispatch.Waiting(i, priority, env.now - queued_at[i] + 1e-9, kind)
                for i, j in waiting.items()
                for priority, kind in [shown(i, j)]
                if admit is None or priority >= config.customer_priority or admit(j, env.now, len(idle))
                if may_start(i, j)
            )
            order = dispatch.next_job(config, queue, len(idle))
            if order is None:
                return
            job = waiting.pop(order)
            source, target = places[job.name]
            if claims_late(job) and order not in bay_of:
                if may_carry():
                    carrying.add(order)
                else:
                    claim(order)
            if order in bay_of:
                code = bay_of[order]
                source = _place(config, code) if source.is_delivery else source
                target = _place(config, code) if target.is_delivery else target
            lift = dispatch.choose_lift(config, [(n, lift_poses[n]) for n in sorted(idle)], source)
            idle.discard(lift)
            running += 1
            env.process(run(order, job, lift, source, target))

    def run(
        order: int, job: DesJob, lift: int, source: BayPlace, target: BayPlace
    ) -> Generator[simpy.Event, Any, None]:
        nonlocal running
        phases = job_phases(config, lift_poses[lift], source, target)
        start = env.now
        if order in carrying:
            # Late claim: up to the bays with the car, then the bay free now (or the first freed).
            cut = [p.name for p in phases].index("transfer_out")
            yield env.timeout(total_s(phases[:cut]))
            if free_bays():
                claim(order)
            else:
                arrived = env.event()
                loaded_waiting.append((order, arrived))
                yield arrived
            carrying.discard(order)
            target = _place(config, bay_of[order])
            phases = _into_bay(config, phases[cut - 1].pose_after, source, target)
        if order in bay_of and source.is_delivery:
            # The returned car leaves its bay once it is on the platform.
            taken = sum(p.seconds for p in phases[: [p.name for p in phases].index("transfer_in") + 1])
            env.process(release_at(start + taken, bay_of[order]))
        yield env.timeout(total_s(phases))
        lift_poses[lift] = phases[-1].pose_after
        report.busy_s[lift] += env.now - start
        report.outcomes.append(DesOutcome(job, lift, start, env.now, lower_bound_s(config, source, target)))
        finished.add(job.name)
        running -= 1
        if order in bay_of and target.is_delivery:
            assert bays is not None
            env.process(release_at(max(env.now, job.customer_s) + bays.drive_out_s, bay_of[order]))
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

    def release_at(at_s: float, code: str) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(max(0.0, at_s - env.now))
        release(code)

    def asked_s(job: DesJob) -> float:
        pre = bays is not None and bays.early_admit is not None and job.early_s is not None
        return min(job.early_s, job.arrival_s) if pre and job.early_s is not None else job.arrival_s

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for order, job in sorted(enumerate(jobs), key=lambda item: (asked_s(item[1]), item[0])):
            yield env.timeout(max(0.0, asked_s(job) - env.now))
            if env.now < job.arrival_s:
                early[order] = job
                env.process(customer_asks(order, job))
            else:
                request(order, job)
            start_ready()

    def customer_asks(order: int, job: DesJob) -> Generator[simpy.Event, Any, None]:
        """The customer asks: a car not sent for ahead is asked for now, as any retrieve."""
        yield env.timeout(job.arrival_s - env.now)
        if early.pop(order, None) is not None:
            request(order, job)
        start_ready()

    def hold_ends(after_s: float) -> Generator[simpy.Event, Any, None]:
        """A held-back job may take the kept-back lift once it has waited long enough."""
        yield env.timeout(after_s)
        start_ready()

    def recheck() -> Generator[simpy.Event, Any, None]:
        """While jobs are still to come or waiting, ask the gate again every ``recheck_s``."""
        while env.now <= last_arrival or waiting or early:
            yield env.timeout(recheck_s)
            start_ready()

    jobs_by_order = dict(enumerate(jobs))
    last_arrival = max((job.arrival_s for job in jobs), default=0.0)
    env.process(arrivals())
    if admit is not None or (bays is not None and bays.early_admit is not None):
        env.process(recheck())
    env.run()
    report.end_s = env.now
    return report


def _into_bay(config: TowerConfig, pose: LiftPose, source: BayPlace, bay: BayPlace) -> list[Phase]:
    """The rest of a retrieve from the lift at the delivery level: turning to the bay it got
    (if another than it headed for), then the move's own last phases into that bay."""
    at_bay = LiftPose(bay.level, bay.heading_deg)
    rest = job_phases(config, at_bay, source, bay)
    into = [p.name for p in rest].index("transfer_out")
    return [Phase("to_target", move_s(pose, bay, config.physics), at_bay), *rest[into:]]


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
