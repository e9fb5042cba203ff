"""Which job runs next and on which lift: one policy for the real-time controller and the DES."""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from tower.protocol import BayPlace, LiftPose, TowerConfig, move_s


def queue_key(policy: str, *, priority: int, order: int) -> tuple[int, int]:
    """Sort key of a waiting job: lowest first. FIFO ignores priority; ties keep arrival order."""
    if policy == "priority":
        return (-priority, order)
    return (0, order)


class Waiting(NamedTuple):
    """A job in the queue, as the policy sees it; ``waited_s`` in tower seconds."""

    order: int
    priority: int
    waited_s: float
    type: str = ""  # the command type ("retrieve", "store", "relocate"), for idle_only_types


def next_job(config: TowerConfig, waiting: Iterable[Waiting], idle_lifts: int) -> int | None:
    """The order number of the job to start now, or None.

    Queue order decides (``queue_key``). A job below ``config.customer_priority`` starts only
    while more than ``config.reserved_lifts`` lifts are idle, or once it has waited
    ``config.reserve_max_hold_s``: the lift kept back lets a customer who just checked in find
    one free instead of waiting out a store move (~50 s), and the bound keeps a returned car
    from holding its delivery bay for long. A job of one of ``config.idle_only_types`` (work
    that can wait, such as pre-staging) is never released by the hold: it waits for idle lifts.
    """
    if idle_lifts < 1:
        return None
    for job in sorted(
        waiting, key=lambda job: queue_key(config.queue, priority=job.priority, order=job.order)
    ):
        if job.type in config.idle_only_types and job.priority < config.customer_priority:
            if idle_lifts > config.reserved_lifts:
                return job.order
            continue
        if (
            job.priority >= config.customer_priority
            or idle_lifts > config.reserved_lifts
            or job.waited_s >= config.reserve_max_hold_s
        ):
            return job.order
    return None


def choose_lift(config: TowerConfig, idle: Sequence[tuple[int, LiftPose]], source: BayPlace) -> int:
    """The idle lift that reaches the job's source bay soonest (lowest lift number on a tie).

    `idle` holds (lift number, pose) pairs and must not be empty.
    """
    return min(idle, key=lambda item: (move_s(item[1], source, config.physics), item[0]))[0]
