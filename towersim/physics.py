"""Timing of one lift job, shared by the real-time controller and the discrete-event model.

All times are seconds of the real tower (the controller divides them by --speed). A job is a
list of phases; the lift's level and platform heading after each phase let the controller
report positions and the next job start from where this one ended.
"""

import math
from dataclasses import dataclass

from towersim.config import BayPlace, Physics, TowerConfig, storage_code


@dataclass(frozen=True)
class LiftPose:
    """Where a lift's platform is: level (0 = ground) and heading in degrees."""

    level: int = 0
    heading_deg: float = 0.0


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    pose_after: LiftPose


def travel_time_s(distance_m: float, physics: Physics) -> float:
    """Trapezoidal motion from rest to rest: accelerate, cruise at top speed, brake.

    A short trip never reaches top speed and is a triangle instead: t = 2·sqrt(d/a).
    """
    if distance_m <= 0:
        return 0.0
    v, a = physics.lift_speed_m_s, physics.lift_accel_m_s2
    ramp_distance = v * v / a  # accelerating plus braking at full speed
    if distance_m >= ramp_distance:
        return distance_m / v + v / a
    return 2.0 * math.sqrt(distance_m / a)


def rotation_time_s(from_deg: float, to_deg: float, physics: Physics) -> float:
    """The turntable turns the shorter way round."""
    delta = abs(from_deg - to_deg) % 360.0
    return min(delta, 360.0 - delta) / physics.turntable_deg_s


def move_s(pose: LiftPose, bay: BayPlace, physics: Physics) -> float:
    """Lift travel to the bay's level; the platform turns during the ride, so the longer wins."""
    distance = abs(bay.level - pose.level) * physics.level_height_m
    turn = rotation_time_s(pose.heading_deg, bay.heading_deg, physics)
    return max(travel_time_s(distance, physics), turn)


def job_phases(config: TowerConfig, pose: LiftPose, source: BayPlace, target: BayPlace) -> list[Phase]:
    """The phases of moving a car from source to target with a lift starting at pose.

    A delivery bay's door closes before a car is taken from it and opens after a car is put
    into it (the customer side of the door).
    """
    p = config.physics
    at_source = LiftPose(source.level, source.heading_deg)
    at_target = LiftPose(target.level, target.heading_deg)
    phases = [Phase("to_source", move_s(pose, source, p), at_source)]
    if source.is_delivery:
        phases.append(Phase("door_close", p.door_s, at_source))
    phases.append(Phase("transfer_in", p.transfer_s, at_source))
    phases.append(Phase("to_target", move_s(at_source, target, p), at_target))
    phases.append(Phase("transfer_out", p.transfer_s, at_target))
    if target.is_delivery:
        phases.append(Phase("door_open", p.door_s, at_target))
    return phases


def dwell_phase(config: TowerConfig, pose: LiftPose) -> Phase | None:
    """An idle lift's empty ride to the tower's dwell level, or None when it has none or is
    there already. The platform keeps its heading."""
    if config.dwell_level is None or pose.level == config.dwell_level:
        return None
    distance = abs(pose.level - config.dwell_level) * config.physics.level_height_m
    return Phase(
        "to_dwell", travel_time_s(distance, config.physics), LiftPose(config.dwell_level, pose.heading_deg)
    )


def return_phases(config: TowerConfig, pose: LiftPose, source: BayPlace) -> list[Phase]:
    """Bringing a car on the platform back to its source bay (after the target bay jammed)."""
    at_source = LiftPose(source.level, source.heading_deg)
    return [
        Phase("back_to_source", move_s(pose, source, config.physics), at_source),
        Phase("transfer_back", config.physics.transfer_s, at_source),
    ]


def total_s(phases: list[Phase]) -> float:
    return sum(phase.seconds for phase in phases)


def lower_bound_s(config: TowerConfig, source: BayPlace, target: BayPlace) -> float:
    """The physical lower bound of a move: the loaded lift travel alone, no transfers or doors."""
    return move_s(LiftPose(source.level, source.heading_deg), target, config.physics)


def farthest_retrieve_s(config: TowerConfig) -> float:
    """Retrieve time from the top level's farthest-turned bay to D1, the lift idle at ground."""
    target = config.place("D1")
    assert target is not None
    opposite = config.bays_per_level // 2 + 1 if config.bays_per_level > 1 else 1
    source = config.place(storage_code(config.levels, opposite))
    assert source is not None
    return total_s(job_phases(config, LiftPose(), source, target))
