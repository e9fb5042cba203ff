"""Which job runs next and on which lift: one policy for the real-time controller and the DES."""

from collections.abc import Sequence

from fleet.towersim.config import BayPlace, TowerConfig
from fleet.towersim.physics import LiftPose, move_s


def queue_key(policy: str, *, priority: int, order: int) -> tuple[int, int]:
    """Sort key of a waiting job: lowest first. FIFO ignores priority; ties keep arrival order."""
    if policy == "priority":
        return (-priority, order)
    return (0, order)


def choose_lift(config: TowerConfig, idle: Sequence[tuple[int, LiftPose]], source: BayPlace) -> int:
    """The idle lift that reaches the job's source bay soonest (lowest lift number on a tie).

    `idle` holds (lift number, pose) pairs and must not be empty.
    """
    return min(idle, key=lambda item: (move_s(item[1], source, config.physics), item[0]))[0]
