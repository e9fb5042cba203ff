"""Which job runs next and on which lift: one policy for the real-time controller and the DES."""

from collections.abc import Iterable, Sequence

from fleet.towersim.config import BayPlace, TowerConfig
from fleet.towersim.physics import LiftPose, move_s


def queue_key(policy: str, *, priority: int, order: int) -> tuple[int, int]:
    """Sort key of a waiting job: lowest first. FIFO ignores priority; ties keep arrival order."""
    if policy == "priority":
        return (-priority, order)
    return (0, order)


def next_job(config: TowerConfig, waiting: Iterable[tuple[int, int]], idle_lifts: int) -> int | None:
    """The order number of the job to start now, from (order, priority) pairs, or None.

    Queue order decides (``queue_key``). A job below ``config.customer_priority`` starts only
    while more than ``config.reserved_lifts`` lifts are idle: the lift kept back is what lets a
    customer who just checked in find one free instead of waiting out a store move (~50 s).
    """
    if idle_lifts < 1:
        return None
    for order, priority in sorted(
        waiting, key=lambda item: queue_key(config.queue, priority=item[1], order=item[0])
    ):
        if priority >= config.customer_priority or idle_lifts > config.reserved_lifts:
            return order
    return None


def choose_lift(config: TowerConfig, idle: Sequence[tuple[int, LiftPose]], source: BayPlace) -> int:
    """The idle lift that reaches the job's source bay soonest (lowest lift number on a tie).

    `idle` holds (lift number, pose) pairs and must not be empty.
    """
    return min(idle, key=lambda item: (move_s(item[1], source, config.physics), item[0]))[0]
