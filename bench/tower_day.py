"""A busy day at one tower in the discrete-event model: the customer's wait from "identity
verified" to "car at the delivery bay" on demand, with pre-staging, with early retrieve (the car
sent for at check-in), with both, with both on a customer-first controller, and the physical
lower bound, side by side in one run. The last line is one JSON object; its ``prestage`` is the
configuration the store runs (pre-staging, early retrieve and the tower's customer-first policy).

    .venv/bin/python bench/tower_day.py --seed 1 [--config towersim/configs/sha-t1.json]

The day: ``--pickups`` bookings in 15-minute slots over ``--hours`` (each customer verified at a
uniformly random moment inside the slot: a Poisson process conditioned on its count), each car
returned and stored after a 20–60 minute drive, and ``--walk-ins`` unbooked customers; ``--demand``
multiplies both. Storage starts ``--fill`` full above the staging levels; returns go back to the
lowest free bay above them (our store policy, ``tower.bays.storage_bay_for_stow``).

Over capacity: a customer who comes while every car of the tower is out on a drive finds none;
they are counted (``refused``, ``over_capacity``, an ``OVER CAPACITY`` line) and left out of the
waits, never a crash. The day cannot fit this fleet: a store would not have taken the booking.

The customers-only bound: the same customers with every booked car already in a staging bay and
no store or relocation at all, as if an oracle fitted all that background work into moments no
customer needed a lift; what is left is the moves themselves and customers queueing behind each
other. Between it and the shipped column is the cost of the background work.

Pre-staging, as ``tower.prestage`` does: ``--lead-min`` minutes before each booked slot the
car is relocated (priority 0 as our outbox sends it, like a store: behind every customer retrieve) to the lowest free bay of the first
``--staging-levels`` levels. A relocation that has not finished when its customer's retrieve is
asked is a miss: that customer's car is fetched from its storage bay instead (found by re-running
the model without that relocation until no miss is left). Walk-ins are always fetched on demand.

Early retrieve, as ``testdrives.services.dispatch.dispatch_prefetch`` does: a booked customer's
retrieve is asked when they check in at the kiosk, ``--kiosk-min``..``--kiosk-max`` seconds
(uniform, its own seeded stream, so the day itself is the same) before their identity is verified:
walking to the camera, the face burst and the decision. ASSUMPTION: 20–60 s; the gain depends on
it (a kiosk interaction of 0 s is on demand). The wait is then max(0, arrival − verified): 0 when
the car already stands behind the delivery bay's door.

Customer-first controller: the tower configuration's ``reserved_lifts`` (a lift kept back for
customer moves; a store or relocation takes it only after ``reserve_max_hold_s``) and
``dwell_level`` (idle lifts wait at the staging level). The columns without it run the same tower
with both switched off (and idle-time relocations, ``idle_only_types``), one column each shows
either part alone, and one the shipped tower with relocations released by the hold as before. Its cost is reported as
``store_wait``: how long a returned car stands in its delivery bay before a lift takes it.

Retrieves go at the priority our side sends them (``tower.priorities.retrieve_priority``): a
pre-staged car's ahead of a car fetched from storage (the shorter move first, since
2026-12-05); the column ``prestage_before_staged_first`` is the same store with every retrieve at
one priority.

What-if gates (not shipped; ``towersim.des.simulate(admit=…)``): how far holding background work
back could go with what a store might know ahead. ``lookahead_bookings``: from the day's bookings
(a booked customer who has not checked in yet is expected uniformly over their slot); a store or
relocation waits while the chance that it leaves a customer without a free lift is above 5 %.
``heads_up``: every customer known ``--heads-up-s`` seconds before their retrieve is asked (no
such signal exists today). Either gate lets a returned car wait at most twice the tower's hold.

Not modelled: customers who fail the check or leave (their car goes back: one more store move
each), walk-ins' check-in (on demand), and the delivery bays' occupancy (a car waiting for its
customer, a returned car waiting for a lift): ``bench/tower_bays.py`` runs the same days with it
(``towersim.des.BayModel``), and there the two delivery bays, not the lifts, bound the wait at 2×.
"""

import argparse
import bisect
import json
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tower.arrival_gate import background_admitted
from tower.priorities import BACKGROUND_PRIORITY, retrieve_priority
from tower.protocol import (
    LiftPose,
    TowerConfig,
    delivery_code,
    job_phases,
    lower_bound_s,
    percentiles,
    total_s,
)
from towersim.config import load_config
from towersim.des import Admission, BayModel, DesJob, DesReport, simulate

SLOT_S = 15 * 60
RELOCATE_PRIORITY = STORE_PRIORITY = BACKGROUND_PRIORITY  # as tower sends them
# The share of customers a p95 goal lets wait longer: the look-ahead gates below hold a
# background move back while the chance that it leaves a customer without a free lift is above it.
RISK = 0.05


@dataclass(frozen=True)
class Pickup:
    name: str
    verified_s: float
    checked_in_s: float  # the early retrieve's request (booked pickups)
    home_bay: str  # where the car is stored
    delivery_bay: str
    booked: bool
    slot_start_s: float


@dataclass(frozen=True)
class Day:
    pickups: list[Pickup]
    stores: list[DesJob]
    # Customers whose car was not in the tower when they came (every stored car out on a drive):
    # the day does not fit this tower's fleet; they are counted, not simulated.
    refused: list[str]
    cars: int  # cars in the tower at the start (every other is out)


def storage_codes(config: TowerConfig, levels: range) -> list[str]:
    """The storage bays on ``levels``, in the tower's order (lowest level first)."""
    places = [config.place(code) for code in config.bay_codes()]
    return [p.code for p in places if p and not p.is_delivery and p.level in levels]


def make_day(config: TowerConfig, args: argparse.Namespace) -> Day:
    """Bookings, walk-ins and returns; cars drawn from the storage above the staging levels."""
    rng = random.Random(args.seed)
    kiosk = random.Random(f"kiosk-{args.seed}")  # its own stream: the day is the same without it
    homes = storage_codes(config, range(args.staging_levels + 1, config.levels + 1))
    stored = set(rng.sample(homes, int(len(homes) * args.fill)))
    slots = int(args.hours * 3600 // SLOT_S)
    arrivals = [(rng.randrange(slots) * SLOT_S, True) for _ in range(args.pickups)]
    arrivals += [(rng.uniform(0, args.hours * 3600), False) for _ in range(args.walk_ins)]
    events = sorted(
        (slot + (rng.uniform(0, SLOT_S) if booked else 0.0), slot, booked) for slot, booked in arrivals
    )
    cars = len(stored)
    pickups: list[Pickup] = []
    stores: list[DesJob] = []
    refused: list[str] = []
    returns: list[tuple[float, str]] = []  # (time, delivery bay) of cars coming back

    def store(at: float, bay: str) -> None:
        """The car returned to ``bay`` at ``at`` goes to a free bay above the staging levels:
        the lowest (``tower.bays.storage_bay_for_stow``) or, with ``--store-random``, any."""
        free = [h for h in homes if h not in stored]  # lowest level first
        target = rng.choice(free) if args.store_random else free[0]
        stored.add(target)
        stores.append(DesJob(f"store-{len(stores)}", at, bay, target, STORE_PRIORITY, "store"))

    for i, (verified, slot, booked) in enumerate(events):
        for at, bay in sorted(r for r in returns if r[0] <= verified):
            store(at, bay)
        returns = [r for r in returns if r[0] > verified]
        if not stored:
            # Every car is out on a drive: no car to hand over. A real store would not have
            # taken the booking; the benchmark counts it as over capacity.
            refused.append(f"pickup-{i}")
            continue
        home = rng.choice(sorted(stored))
        stored.discard(home)
        delivery = delivery_code(i % config.delivery_bays + 1)
        checked_in = verified - kiosk.uniform(args.kiosk_min, args.kiosk_max) if booked else verified
        pickups.append(
            Pickup(f"pickup-{i}", verified, checked_in, home, delivery, booked, slot if booked else verified)
        )
        returns.append((verified + rng.uniform(1200, 3600) + 120, delivery))
    for at, bay in returns:
        store(at, bay)
    return Day(pickups, stores, refused, cars)


def staging_plan(
    config: TowerConfig, day: Day, args: argparse.Namespace, skip: set[str]
) -> dict[str, tuple[float, str]]:
    """pickup name → (relocation time, staging bay) for every booked pickup not in ``skip``; a
    staging bay is taken from the relocation until its customer's retrieve."""
    bays = storage_codes(config, range(1, args.staging_levels + 1))
    busy_until = dict.fromkeys(bays, -1.0)
    plan = {}
    for p in sorted(day.pickups, key=lambda p: p.slot_start_s):
        if not p.booked or p.name in skip:
            continue
        at = max(0.0, p.slot_start_s - args.lead_min * 60)
        free = [b for b in bays if busy_until[b] <= at]
        if free:
            plan[p.name] = (at, free[0])
            busy_until[free[0]] = p.verified_s + 60
    return plan


def asked_s(p: Pickup, early: bool) -> float:
    """When the customer's retrieve is asked: at check-in (early retrieve) or at verification."""
    return p.checked_in_s if early else p.verified_s


def run(
    config: TowerConfig,
    day: Day,
    plan: dict[str, tuple[float, str]],
    *,
    early: bool,
    staging_levels: int = 0,
    admit: Admission | None = None,
    bays: BayModel | None = None,
    predeliver_s: float | None = None,
) -> DesReport:
    """The day's moves through the tower. Retrieves go at ``tower.priorities.retrieve_priority``
    as our side sends them (a pre-staged car first) given the ``staging_levels``; 0 sends every
    retrieve at one priority (the store before 2026-12-05). ``admit``: a what-if gate in front
    of the tower's queue for stores and relocations (``towersim.des.simulate``). ``bays``: the
    delivery bays' occupancy; with it, ``predeliver_s`` (seconds from the slot's start) lets a
    booked car go to a delivery bay ahead of its customer (``bench/tower_bays.py``)."""

    def retrieve(p: Pickup, source: str) -> DesJob:
        level = config.place(source).level  # type: ignore[union-attr]
        priority = retrieve_priority(source_level=level, staging_levels=staging_levels)
        job = DesJob(p.name, asked_s(p, early), source, p.delivery_bay, priority, "retrieve")
        if bays is None:
            return job
        ahead = p.slot_start_s + predeliver_s if predeliver_s is not None and p.booked else None
        after = f"relocate-{p.name}" if p.name in plan else ""
        return replace(job, customer_s=p.verified_s, early_s=ahead, after=after)

    jobs = list(day.stores)
    for p in day.pickups:
        if p.name in plan:
            at, bay = plan[p.name]
            jobs.append(DesJob(f"relocate-{p.name}", at, p.home_bay, bay, RELOCATE_PRIORITY, "relocate"))
            jobs.append(retrieve(p, bay))
        else:
            jobs.append(retrieve(p, p.home_bay))
    return simulate(config, jobs, admit=admit, bays=bays)


def prestaged(
    config: TowerConfig,
    day: Day,
    args: argparse.Namespace,
    *,
    early: bool,
    staged_first: bool = True,
    admit: Admission | None = None,
    bays: BayModel | None = None,
    predeliver_s: float | None = None,
) -> tuple[DesReport, dict]:
    """Run with pre-staging, dropping late relocations (not done when the customer's retrieve is
    asked) until every planned one is in time. ``staged_first``: a pre-staged car's retrieve goes
    ahead of other customers' (``tower.priorities``), as the store sends them since 2026-12-05."""
    skip: set[str] = set()
    asked = {p.name: asked_s(p, early) for p in day.pickups}
    levels = args.staging_levels if staged_first else 0
    while True:
        plan = staging_plan(config, day, args, skip)
        report = run(
            config,
            day,
            plan,
            early=early,
            staging_levels=levels,
            admit=admit,
            bays=bays,
            predeliver_s=predeliver_s,
        )
        finish = {o.job.name: o.finish_s for o in report.outcomes}
        late = {name for name in plan if finish[f"relocate-{name}"] > asked[name]}
        if not late:
            return report, plan
        skip |= late


def customers_only(
    config: TowerConfig, day: Day, args: argparse.Namespace, bays: BayModel | None = None
) -> DesReport:
    """The queueing bound of any schedule of the background work: every booked car already in a
    staging bay (the first one: a short move), walk-ins from their bays, and no store or
    relocation at all, as if an oracle fitted every one into a moment no customer needed the
    lift. What is left is customers queueing behind each other (in the order our side gives
    them: a pre-staged car first) and the moves themselves; with ``bays``, also for the delivery
    bays (no returned car ever uses one)."""
    staging = storage_codes(config, range(1, args.staging_levels + 1))

    def retrieve(p: Pickup) -> DesJob:
        source = staging[0] if p.booked and staging else p.home_bay
        level = config.place(source).level  # type: ignore[union-attr]
        priority = retrieve_priority(source_level=level, staging_levels=args.staging_levels)
        job = DesJob(p.name, asked_s(p, early=True), source, p.delivery_bay, priority, "retrieve")
        return replace(job, customer_s=p.verified_s)

    return simulate(replace(config, reserved_lifts=0), [retrieve(p) for p in day.pickups], bays=bays)


# --- What-if gates for background work (not shipped): how far looking ahead could go -----------


def move_s(config: TowerConfig, job: DesJob) -> float:
    """How long a move takes from a lift waiting at the dwell level (at ground without one)."""
    source, target = config.place(job.source_bay), config.place(job.target_bay)
    assert source
    assert target
    return total_s(job_phases(config, LiftPose(config.dwell_level or 0), source, target))


def at_least(chances: list[float], k: int) -> float:
    """The probability that at least ``k`` of independent events with these chances happen."""
    dist = [1.0]  # dist[n]: the probability that n of the events so far happened
    for c in chances:
        dist = [a * (1 - c) + b * c for a, b in zip([*dist, 0.0], [0.0, *dist], strict=True)]
    return sum(dist[k:])


def store_overdue(config: TowerConfig, job: DesJob, now: float) -> bool:
    """A gate never holds a returned car in its delivery bay longer than twice the tower's own
    hold (``reserve_max_hold_s``) since it was asked: it must make room for the next car."""
    return job.type == "store" and now - job.arrival_s >= 2 * config.reserve_max_hold_s


def bookings_gate(config: TowerConfig, day: Day, args: argparse.Namespace) -> Admission:
    """Look-ahead from the day's bookings, as our side could know it: a store or relocation is
    held back while the chance that at least as many booked customers check in during the move
    as there are idle lifts is above ``RISK`` (one of them would find no lift free). A booked
    customer who has not checked in yet checks in uniformly over [slot start − longest kiosk
    time, slot end − shortest kiosk time]; one who has is known (their retrieve is asked).
    Walk-ins are not in the bookings."""
    booked = sorted(
        (p.slot_start_s - args.kiosk_max, p.slot_start_s + SLOT_S - args.kiosk_min, p.checked_in_s)
        for p in day.pickups
        if p.booked
    )
    opens = [b[0] for b in booked]
    durations: dict[str, float] = {}

    def admit(job: DesJob, now: float, idle: int) -> bool:
        if store_overdue(config, job, now):
            return True
        window = durations.setdefault(job.name, move_s(config, job))
        chances = []
        for opens_s, closes_s, checked_in_s in booked[: bisect.bisect_right(opens, now + window)]:
            if checked_in_s <= now or closes_s <= now:
                continue
            begin = max(opens_s, now)
            chances.append((min(closes_s, now + window) - begin) / (closes_s - begin))
        return at_least(chances, idle) <= RISK

    return admit


def heads_up_gate(config: TowerConfig, day: Day, heads_up_s: float) -> Admission:
    """Knowing every customer ``heads_up_s`` before their retrieve is asked (e.g. a sensor at the
    door, if one gave that much warning): a store or relocation is held back while at least as
    many customers will ask for a car before it ends (seen that far ahead) as there are idle
    lifts. With a heads-up as long as a move it is the best any gate could do."""
    asked = sorted(asked_s(p, early=True) for p in day.pickups)
    durations: dict[str, float] = {}

    def admit(job: DesJob, now: float, idle: int) -> bool:
        if store_overdue(config, job, now):
            return True
        window = min(heads_up_s, durations.setdefault(job.name, move_s(config, job)))
        return bisect.bisect_left(asked, now + window) - bisect.bisect_left(asked, now) < idle

    return admit


# --- The shipped arrival gate (``tower.arrival_gate``), with members who announce ---------------


def announcers(day: Day, seed: int, share: float) -> list[Pickup]:
    """The booked customers who say "I'm at the store" from their phone: each with chance
    ``share``, from its own seeded stream (the day is the same; a smaller share's announcers are
    a subset of a larger one's). Walk-ins have no booking to announce."""
    draw = random.Random(f"arrival-{seed}")
    return [p for p in day.pickups if p.booked and draw.random() < share]


def arrival_gate(day: Day, args: argparse.Namespace, share: float, warning_s: float) -> Admission:
    """The store's gate as shipped (``tower.arrival_gate.background_admitted``): announced
    customers ``warning_s`` before their check-in; one is expected from the announcement until
    their check-in (in the model every announcer comes, so the store's expiry never applies);
    the pre-staging relocation of an expected customer's own car is theirs: not held for them."""
    who = announcers(day, args.seed, share)
    announced = sorted(p.checked_in_s - warning_s for p in who)
    checked_in = sorted(p.checked_in_s for p in who)
    expected_from = {f"relocate-{p.name}": (p.checked_in_s - warning_s, p.checked_in_s) for p in who}

    def admit(job: DesJob, now: float, idle: int) -> bool:
        expected = bisect.bisect_right(announced, now) - bisect.bisect_right(checked_in, now)
        start, end = expected_from.get(job.name, (0.0, 0.0))
        return background_admitted(
            is_stow=job.type == "store",
            idle_lifts=idle,
            arrivals_expected=expected,
            waited_s=now - job.arrival_s,
            own_car=start <= now < end,
        )

    return admit


def arrival_key(share: float, warning_s: float) -> str:
    return f"arrival_{round(share * 100)}pct_{warning_s:g}s"


def background_share(report: DesReport) -> float:
    """The share of the lifts' time (over the whole run) spent on stores and relocations."""
    if not report.end_s:
        return 0.0
    busy = sum(o.finish_s - o.start_s for o in report.outcomes if o.job.type in ("store", "relocate"))
    return round(busy / (report.end_s * report.lifts), 3)


def waits(report: DesReport, day: Day, names: set[str]) -> list[float]:
    """Each customer's wait: from identity verified to the car in the delivery bay (0 when it was
    there already)."""
    verified = {p.name: p.verified_s for p in day.pickups}
    return [max(0.0, o.finish_s - verified[o.job.name]) for o in report.outcomes if o.job.name in names]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line, with ``--pickups`` and ``--walk-ins`` multiplied by ``--demand``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default="towersim/configs/sha-t1.json")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demand", type=float, default=1.0, help="multiplies --pickups and --walk-ins")
    parser.add_argument("--pickups", type=int, default=120, help="booked pickups at 1x demand")
    parser.add_argument("--walk-ins", type=int, default=40, help="walk-ins at 1x demand")
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument("--fill", type=float, default=0.8)
    parser.add_argument(
        "--store-random",
        action="store_true",
        help="store a returned car in a random free bay (the days recorded before 2026-12-05)",
    )
    parser.add_argument("--staging-levels", type=int, default=2)
    parser.add_argument("--lead-min", type=float, default=10.0, help="Django TOWER_PRESTAGE_MINUTES")
    parser.add_argument("--kiosk-min", type=float, default=20.0, help="check-in → verified, shortest (s)")
    parser.add_argument("--kiosk-max", type=float, default=60.0, help="check-in → verified, longest (s)")
    parser.add_argument(
        "--heads-up-s",
        type=float,
        default=30.0,
        help="what-if: every customer known this many seconds before their retrieve is asked",
    )
    parser.add_argument(
        "--arrival-share",
        type=float,
        nargs="+",
        default=[1.0, 0.5],
        help="shipped arrival gate: the share of booked members who announce their arrival (one column each)",
    )
    parser.add_argument(
        "--arrival-warning-s",
        type=float,
        nargs="+",
        default=[30.0],
        help="shipped arrival gate: how long before their kiosk check-in a member announces (s)",
    )
    args = parser.parse_args(argv)
    args.pickups, args.walk_ins = round(args.pickups * args.demand), round(args.walk_ins * args.demand)
    return args


def default_args(seed: int, demand: float) -> argparse.Namespace:
    """The benchmark's defaults for one seed and demand (``bench/tower_variants.py``)."""
    return parse_args(["--seed", str(seed), "--demand", str(demand)])


def seed_range(text: str) -> list[int]:
    """``--seeds`` of the tower benchmarks: "1-6" or "3"."""
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def customers_summary(p95_per_day: list[float], booked: list[float], walk_ins: list[float]) -> dict:
    """The customers' numbers of several days, as the benchmarks over days print them: p95 per
    day, booked customers pooled, the share over 30 s, walk-ins."""
    walk = percentiles(walk_ins)
    return {
        "p95_s": p95_per_day,
        "pooled_p95_s": percentiles(booked)["p95_s"],
        "over_30_s": round(sum(v > 30 for v in booked) / max(1, len(booked)), 3),
        "walk_ins_p95_s": walk["p95_s"],
        "walk_ins_max_s": walk["max_s"],
    }


def days_parser(description: str | None) -> argparse.ArgumentParser:
    """The arguments of the benchmarks that run several days of one tower: its configuration,
    the demand and the seeds (tower_variants, tower_arrival, tower_bays)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default="towersim/configs/sha-t1.json")
    parser.add_argument("--demand", type=float, default=2.0)
    parser.add_argument("--seeds", type=seed_range, default=seed_range("1-6"), help="e.g. 1-6")
    return parser


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    tower = load_config(args.config)  # the tower as configured: its customer-first policy included
    plain = replace(
        tower, reserved_lifts=0, dwell_level=None, idle_only_types=()
    )  # the same tower without it
    day = make_day(tower, args)
    booked = {p.name for p in day.pickups if p.booked}
    walk_ins = {p.name for p in day.pickups if not p.booked}

    on_demand = run(plain, day, {}, early=False)
    early_only = run(plain, day, {}, early=True)
    prestage_only, plan_late = prestaged(plain, day, args, early=False)
    both_plain, plan_plain = prestaged(plain, day, args, early=True)
    reserve_only, plan_reserve = prestaged(
        replace(plain, reserved_lifts=tower.reserved_lifts), day, args, early=True
    )
    dwell_only, plan_dwell = prestaged(replace(plain, dwell_level=tower.dwell_level), day, args, early=True)
    shipped, plan = prestaged(tower, day, args, early=True)  # what the store runs
    # The same without idle-time relocations (the tower's configuration before 2026-12-05).
    hold_released, plan_hold_released = prestaged(replace(tower, idle_only_types=()), day, args, early=True)
    # Every retrieve at one priority (the store before 2026-12-05), and two what-if gates.
    before, plan_before = prestaged(tower, day, args, early=True, staged_first=False)
    lookahead, plan_lookahead = prestaged(tower, day, args, early=True, admit=bookings_gate(tower, day, args))
    heads_up, plan_heads_up = prestaged(
        tower, day, args, early=True, admit=heads_up_gate(tower, day, args.heads_up_s)
    )
    arrivals = {}  # key → (gated, plan, gated with every retrieve at one priority, its plan)
    for share in args.arrival_share:
        for warning in args.arrival_warning_s:
            gate = arrival_gate(day, args, share, warning)
            arrivals[arrival_key(share, warning)] = (
                *prestaged(tower, day, args, early=True, admit=gate),
                *prestaged(tower, day, args, early=True, staged_first=False, admit=gate),
            )
    oracle = customers_only(tower, day, args)
    bounds = [
        lower_bound_s(tower, tower.place(p.home_bay), tower.place(p.delivery_bay))  # type: ignore[arg-type]
        for p in day.pickups
        if p.booked
    ]

    def customers(report: DesReport, hit: dict | None = None) -> dict[str, float]:
        values = waits(report, day, booked)
        result = {
            **percentiles(values),
            "at_bay_already": round(sum(v == 0 for v in values) / max(1, len(values)), 3),
        }
        if hit is not None:
            result["hit_rate"] = round(len(hit) / max(1, len(booked)), 3)
        return result

    def stores(report: DesReport) -> dict[str, float]:
        """A returned car's time in the delivery bay before the store move takes it away."""
        return percentiles([o.wait_s for o in report.outcomes if o.job.name.startswith("store")])

    result = {
        "tower": tower.tower,
        "seed": args.seed,
        "demand": args.demand,
        "pickups": len(booked),
        "walk_ins": len(walk_ins),
        "cars": day.cars,
        # Customers who found no car in the tower (all out on drives): the day does not fit.
        "over_capacity": bool(day.refused),
        "refused": len(day.refused),
        "kiosk_s": [args.kiosk_min, args.kiosk_max],
        "lead_min": args.lead_min,
        "staging_levels": args.staging_levels,
        "controller": {"reserved_lifts": tower.reserved_lifts, "dwell_level": tower.dwell_level},
        "prestage": customers(shipped, plan),
        "prestage_is": "prestage_early_retrieve_customer_first",
        "prestage_relocations_on_hold_release": customers(hold_released, plan_hold_released),
        "prestage_before_staged_first": customers(before, plan_before),
        "lookahead_bookings": customers(lookahead, plan_lookahead),
        "heads_up": customers(heads_up, plan_heads_up),
        "heads_up_s": args.heads_up_s,
        "prestage_early_retrieve": customers(both_plain, plan_plain),
        "prestage_early_retrieve_reserved_lift": customers(reserve_only, plan_reserve),
        "prestage_early_retrieve_dwell": customers(dwell_only, plan_dwell),
        "prestage_only": customers(prestage_only, plan_late),
        "early_retrieve_only": customers(early_only),
        "on_demand": customers(on_demand),
        "lower_bound": {k: v for k, v in percentiles(bounds).items() if k != "max_s"},
        "customers_only_bound": customers(oracle),
        "customers_queued": round(
            sum(o.wait_s > 1 for o in shipped.outcomes if o.job.name in booked) / max(1, len(booked)), 3
        ),
        "background_lift_share": background_share(shipped),
        "walk_ins_wait": percentiles(waits(shipped, day, walk_ins)),
        "walk_ins_wait_plain": percentiles(waits(both_plain, day, walk_ins)),
        "walk_ins_wait_before": percentiles(waits(before, day, walk_ins)),
        "mean_wait_all_customers": round(
            sum(waits(shipped, day, booked | walk_ins)) / max(1, len(booked | walk_ins)), 1
        ),
        "mean_wait_all_customers_before": round(
            sum(waits(before, day, booked | walk_ins)) / max(1, len(booked | walk_ins)), 1
        ),
        "store_wait": stores(shipped),
        "store_wait_plain": stores(both_plain),
        "store_wait_lookahead": stores(lookahead),
        "store_wait_heads_up": stores(heads_up),
        "arrival_share": args.arrival_share,
        "arrival_warning_s": args.arrival_warning_s,
        **{
            name: {
                **customers(gated, gated_plan),
                "one_priority": customers(flat, flat_plan),
                "store_wait": stores(gated),
                "store_wait_one_priority": stores(flat),
                "walk_ins_wait": percentiles(waits(gated, day, walk_ins)),
                "walk_ins_wait_one_priority": percentiles(waits(flat, day, walk_ins)),
                "mean_wait_all_customers": round(
                    sum(waits(gated, day, booked | walk_ins)) / max(1, len(booked | walk_ins)), 1
                ),
                "mean_wait_all_customers_one_priority": round(
                    sum(waits(flat, day, booked | walk_ins)) / max(1, len(booked | walk_ins)), 1
                ),
                "announced": len(announcers(day, args.seed, float(name.split("_")[1][:-3]) / 100)),
            }
            for name, (gated, gated_plan, flat, flat_plan) in arrivals.items()
        },
        "moves_per_hour_per_lift": shipped.moves_per_hour_per_lift(),
        "lift_utilisation": shipped.utilisation(),
        "on_demand_lift_utilisation": on_demand.utilisation(),
    }
    print(
        f"tower {tower.tower}, seed {args.seed}: {len(booked)} booked pickups, {len(walk_ins)} walk-ins, "
        f"{len(day.stores)} returns stored, {len(plan)} cars pre-staged {args.lead_min:g} min ahead; "
        f"check-in → verified {args.kiosk_min:g}–{args.kiosk_max:g} s; "
        f"controller: {tower.reserved_lifts} lift(s) kept for customers, dwell level {tower.dwell_level}"
    )
    rows = (
        "on_demand",
        "prestage_only",
        "early_retrieve_only",
        "prestage_early_retrieve",
        "prestage_early_retrieve_reserved_lift",
        "prestage_early_retrieve_dwell",
        "prestage_relocations_on_hold_release",
        "prestage_before_staged_first",
        "prestage",
        "lookahead_bookings",
        "heads_up",
        *arrivals,
        "lower_bound",
        "customers_only_bound",
        "walk_ins_wait",
        "walk_ins_wait_plain",
        "walk_ins_wait_before",
        "store_wait",
        "store_wait_plain",
        "store_wait_lookahead",
        "store_wait_heads_up",
    )
    if day.refused:
        print(
            f"  OVER CAPACITY: {len(day.refused)} of {args.pickups + args.walk_ins} customers found no car "
            f"in the tower ({day.cars} cars, every one out on a drive); they are left out of the waits below"
        )
    for key in rows:
        print(f"  {key:>37}: " + ", ".join(f"{k} {v}" for k, v in result[key].items()))
    print(
        f"  moves/h/lift {result['moves_per_hour_per_lift']}, lift utilisation {result['lift_utilisation']} "
        f"(on demand {result['on_demand_lift_utilisation']}); stores and relocations hold "
        f"{result['background_lift_share']} of the lifts' time; {result['customers_queued']} of booked "
        f"customers found no lift free"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
