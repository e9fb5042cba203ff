"""The wire contract with a tower controller, shared by our link (``tower``) and the simulator
(``towersim``). Standard library only: no Django, so the simulator can import it as a separate
program. docs/TOWER_PROTOCOL.md describes the HTTP API in words; this module is its code:

- the vocabulary: command types and which bays each moves between, payload shapes;
- the tower's shape and bay codes (the codes ``fleet.models.Bay.code`` produces);
- the physics of one lift job (trapezoidal lift motion, phases), used by the simulator to run
  the tower and by our side to estimate a car's time to the delivery bay;
- webhook signing: HMAC-SHA256 over ``f"{timestamp}.{body}"`` with a timestamp window;
- the percentiles both the benchmark and ``pickup_times`` report, so their numbers compare.
"""

import hashlib
import hmac
import math
import re
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict

# --- Vocabulary ------------------------------------------------------------------------------

# "store" is the wire word for putting a car into storage; our code calls that "stow".
CommandType = Literal["retrieve", "store", "relocate"]
COMMAND_TYPES: tuple[CommandType, ...] = ("retrieve", "store", "relocate")
# type → (source is a delivery bay, target is a delivery bay)
BAY_KINDS: dict[str, tuple[bool, bool]] = {
    "retrieve": (False, True),
    "store": (True, False),
    "relocate": (False, False),
}
# Lifecycle events of a command, and the ones that end it.
COMMAND_EVENTS = ("accepted", "running", "completed", "failed", "aborted")
FINAL_COMMAND_EVENTS = ("completed", "failed", "aborted")
# A delivery bay's customer-side gate closed behind the last person to walk out (its presence
# sensors saw nobody inside); `occupied` is its car sensor. The controller cannot read a VIN there.
GATE_CLOSED_EVENT = "gate_closed"
PRIORITY_MIN, PRIORITY_MAX = 0, 9

SIGNATURE_HEADER = "X-Tower-Signature"
TIMESTAMP_HEADER = "X-Tower-Timestamp"
TOWER_HEADER = "X-Tower-Id"
SEQ_HEADER = "X-Tower-Event-Seq"
OPERATOR_HEADER = "X-Tower-Operator"
SIGNATURE_WINDOW_S = 300


class CommandPayload(TypedDict):
    """The body of ``POST /v1/commands``; ``command_id`` (a UUID) is the idempotency key."""

    command_id: str
    type: CommandType
    source_bay: str
    target_bay: str
    vin: str
    priority: int


class EventPayload(TypedDict, total=False):
    """One event of a tower's log (webhook body, or an item of ``GET /v1/events``).

    ``seq``, ``tower``, ``kind`` and ``at`` are always there; the rest depend on the kind
    (a command's events carry ``command_id``, ``vin``, bays, ``lift``, ``estimate_s``,
    ``fault_code``; a mode change carries ``mode`` and ``reason``).
    """

    seq: int
    tower: str
    kind: str
    at: str
    command_id: str
    type: str
    vin: str
    source_bay: str
    target_bay: str
    lift: int
    estimate_s: float
    fault_code: str
    mode: str
    reason: str


def command_payload(
    *, command_id: str, type: CommandType, source_bay: str, target_bay: str, vin: str, priority: int
) -> CommandPayload:
    return CommandPayload(
        command_id=command_id,
        type=type,
        source_bay=source_bay,
        target_bay=target_bay,
        vin=vin,
        priority=priority,
    )


# --- The tower's shape and bay codes ---------------------------------------------------------

STORAGE_CODE = re.compile(r"^L(\d{2,})-B(\d{2,})$")
DELIVERY_CODE = re.compile(r"^D(\d+)$")
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
QUEUE_POLICIES = ("fifo", "priority")


@dataclass(frozen=True)
class Physics:
    """Timing parameters, in metres, seconds and degrees of the real tower (before --speed).

    The defaults put the farthest bay of a 20-level tower about 1 min 44 s from the delivery
    bay (VW Autostadt's published figure) and a 6–8 level tower near a minute.
    """

    level_height_m: float = 3.0
    lift_speed_m_s: float = 2.0
    lift_accel_m_s2: float = 0.5
    turntable_deg_s: float = 45.0
    transfer_s: float = 15.0
    door_s: float = 6.0


@dataclass(frozen=True)
class BayPlace:
    """Where a bay is: its level (0 = ground), its heading around the lift, its kind."""

    code: str
    level: int
    position: int
    heading_deg: float
    is_delivery: bool


@dataclass(frozen=True)
class TowerConfig:
    tower: str
    levels: int
    bays_per_level: int
    lifts: int = 1
    delivery_bays: int = 2
    queue: str = "fifo"
    physics: Physics = field(default_factory=Physics)
    # Customer-first policy (see `dispatch.next_job`): jobs of at least `customer_priority` are
    # customers waiting; any other job starts only while more than `reserved_lifts` lifts are
    # idle, or after waiting `reserve_max_hold_s`, so a customer's retrieve seldom queues behind
    # a store or a relocation, and a returned car still leaves its delivery bay soon.
    customer_priority: int = 5
    reserved_lifts: int = 0
    reserve_max_hold_s: float = 90.0
    # Dwell point: an idle lift with nothing to start travels to this level and waits there
    # (None: it stays where its last job ended). The staging levels are the usual choice.
    dwell_level: int | None = None
    # Idle-time work: command types (e.g. "relocate") that start only while more than
    # `reserved_lifts` lifts are idle and never take the kept-back lift after the hold. Unlike a
    # returned car standing in a delivery bay, a pre-staging move can wait for a quiet moment;
    # at high demand its hold release is what put both lifts on relocations as customers came.
    idle_only_types: tuple[str, ...] = ()
    # Applied once, when a state directory is first created; later changes go through the API.
    inventory: dict[str, str] = field(default_factory=dict)

    def bay_codes(self) -> list[str]:
        """Every bay of the tower: delivery bays first, then storage bays level by level."""
        codes = [delivery_code(p) for p in range(1, self.delivery_bays + 1)]
        for level in range(1, self.levels + 1):
            codes += [storage_code(level, p) for p in range(1, self.bays_per_level + 1)]
        return codes

    def place(self, code: str) -> BayPlace | None:
        """The bay with this code, or None when the tower has no such bay."""
        if match := DELIVERY_CODE.match(code):
            position = int(match[1])
            if 1 <= position <= self.delivery_bays and code == delivery_code(position):
                return BayPlace(code, 0, position, _heading(position, self.delivery_bays), True)
            return None
        if match := STORAGE_CODE.match(code):
            level, position = int(match[1]), int(match[2])
            valid = 1 <= level <= self.levels and 1 <= position <= self.bays_per_level
            if valid and code == storage_code(level, position):
                return BayPlace(code, level, position, _heading(position, self.bays_per_level), False)
        return None


def storage_code(level: int, position: int) -> str:
    return f"L{level:02d}-B{position:02d}"


def delivery_code(position: int) -> str:
    return f"D{position}"


def _heading(position: int, count: int) -> float:
    """Bays stand evenly around the lift shaft; position 1 faces 0°."""
    return (position - 1) * 360.0 / count


# --- Physics of one lift job -----------------------------------------------------------------
#
# All times are seconds of the real tower (the simulator divides them by its --speed). A job is a
# list of phases; the lift's level and platform heading after each phase let the controller
# report positions and the next job start from where this one ended.


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


# --- Webhook signing -------------------------------------------------------------------------
#
# Each POST carries the event JSON as its body, the tower id and seq, a unix timestamp in whole
# seconds (at sending) and the hex HMAC-SHA256(secret, f"{timestamp}.{body}"). A retry is signed
# afresh with its own timestamp.


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over the bytes of f"{timestamp}.{body}"."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, *, tower: str, seq: int, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        TOWER_HEADER: tower,
        SEQ_HEADER: str(seq),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def signature_is_valid(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance_s: float = SIGNATURE_WINDOW_S,
    now: float | None = None,
) -> bool:
    """What a receiver checks: a fresh timestamp and a matching signature (constant-time compare).

    Never valid without a secret."""
    if not secret:
        return False  # an HMAC under the empty key is no signature at all
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)


# --- Statistics shared by the benchmark and the pickup report --------------------------------


def percentiles(values: list[float], *, prefix: str = "") -> dict[str, float]:
    """Median, p95 (nearest rank) and maximum, in seconds rounded to 0.1 (zeros when empty)."""
    if not values:
        return {f"{prefix}p50_s": 0.0, f"{prefix}p95_s": 0.0, f"{prefix}max_s": 0.0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        f"{prefix}p50_s": round(statistics.median(ordered), 1),
        f"{prefix}p95_s": round(p95, 1),
        f"{prefix}max_s": round(ordered[-1], 1),
    }


# A webhook secret shorter than this is guessable offline from one signed event.
SECRET_MIN_LENGTH = 32


def secret_problems(*, controllers: Mapping[str, str], secrets: Mapping[str, str]) -> list[str]:
    """What is wrong with the towers' own secrets, one sentence per tower (empty when fine).

    Every tower with a controller needs its own secret of ``SECRET_MIN_LENGTH`` characters or
    more: a shared development default would let anyone who knows it forge the tower's events.
    Pure (no settings read), so the production profile can call it while it is being loaded.
    """
    problems = []
    for code in sorted(controllers):
        secret = str(secrets.get(code) or "")
        if not secret:
            problems.append(
                f"tower {code} has a controller in TOWER_CONTROLLERS but no secret in TOWER_SECRETS"
            )
        elif len(secret) < SECRET_MIN_LENGTH:
            problems.append(
                f"tower {code}'s secret in TOWER_SECRETS is {len(secret)} characters; "
                f"use at least {SECRET_MIN_LENGTH} random characters"
            )
    return problems
