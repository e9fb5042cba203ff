"""A tower's shape and physics, read from JSON, and the bay codes shared with the Django side.

Bay codes are the ones `fleet.models.Bay.code` produces, so our database maps 1:1:
storage bays `L{level:02d}-B{position:02d}` on levels 1..N (e.g. `L03-B05`), delivery bays
`D{position}` at ground level 0 (e.g. `D1`).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

STORAGE_CODE = re.compile(r"^L(\d{2,})-B(\d{2,})$")
DELIVERY_CODE = re.compile(r"^D(\d+)$")
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
QUEUE_POLICIES = ("fifo", "priority")


class ConfigError(ValueError):
    """The tower configuration is unusable; the message says why."""


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


# The optional keys and how each is read; a key left out keeps TowerConfig's default.
OPTIONAL_KEYS: dict[str, Callable[[Any], Any]] = {
    "lifts": int,
    "delivery_bays": int,
    "queue": str,
    "customer_priority": int,
    "reserved_lifts": int,
    "reserve_max_hold_s": float,
    "dwell_level": lambda level: None if level is None else int(level),
    "inventory": dict,
}


def config_from_dict(data: dict[str, Any]) -> TowerConfig:
    """Build and check a configuration; raises ConfigError with the first problem found."""
    known = {f.name for f in fields(TowerConfig)}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown keys: {sorted(unknown)}")
    physics_data = data.get("physics", {})
    physics_known = {f.name for f in fields(Physics)}
    if set(physics_data) - physics_known:
        raise ConfigError(f"unknown physics keys: {sorted(set(physics_data) - physics_known)}")
    physics = Physics(**{k: float(v) for k, v in physics_data.items()})
    optional = {name: read(data[name]) for name, read in OPTIONAL_KEYS.items() if name in data}
    try:
        config = TowerConfig(
            tower=str(data["tower"]),
            levels=int(data["levels"]),
            bays_per_level=int(data["bays_per_level"]),
            physics=physics,
            **optional,
        )
    except KeyError as missing:
        raise ConfigError(f"missing key: {missing}") from None
    check_config(config)
    return config


def check_config(config: TowerConfig) -> None:
    """Raise ConfigError when the shape, physics or seed inventory make no sense."""
    if min(config.levels, config.bays_per_level, config.lifts, config.delivery_bays) < 1:
        raise ConfigError("levels, bays_per_level, lifts and delivery_bays must be at least 1")
    if config.queue not in QUEUE_POLICIES:
        raise ConfigError(f"queue must be one of {QUEUE_POLICIES}")
    if not 0 <= config.reserved_lifts < config.lifts:
        raise ConfigError("reserved_lifts must be at least 0 and leave one lift for other jobs")
    if config.reserve_max_hold_s < 0:
        raise ConfigError("reserve_max_hold_s cannot be negative")
    if not 0 <= config.customer_priority <= 9:
        raise ConfigError("customer_priority must be from 0 to 9, as command priorities are")
    if config.dwell_level is not None and not 0 <= config.dwell_level <= config.levels:
        raise ConfigError("dwell_level must be a level of the tower (0 = ground)")
    p = config.physics
    if min(p.level_height_m, p.lift_speed_m_s, p.lift_accel_m_s2, p.turntable_deg_s) <= 0:
        raise ConfigError("heights, speeds and accelerations must be positive")
    if min(p.transfer_s, p.door_s) < 0:
        raise ConfigError("transfer and door times cannot be negative")
    problem = inventory_problem(config, config.inventory)
    if problem:
        raise ConfigError(f"inventory: {problem[0]}: {problem[1]}")


def inventory_problem(config: TowerConfig, bays: dict[str, str]) -> tuple[str, str] | None:
    """(reason, detail) for the first thing wrong with a bay → VIN map, or None when it is fine."""
    seen: dict[str, str] = {}
    for code, vin in bays.items():
        if config.place(code) is None:
            return "unknown_bay", code
        if not isinstance(vin, str) or not VIN_PATTERN.match(vin):
            return "invalid_vin", f"{code}: {vin!r}"
        if vin in seen:
            return "duplicate_vin", f"{vin} in {seen[vin]} and {code}"
        seen[vin] = code
    return None


def load_config(path: str | Path) -> TowerConfig:
    return config_from_dict(json.loads(Path(path).read_text()))
