"""A tower's configuration read from JSON and checked (the shape itself is ``tower.protocol``'s).

Bay codes are ``tower.protocol``'s: storage bays `L{level:02d}-B{position:02d}` on levels
1..N (e.g. `L03-B05`), delivery bays `D{position}` at ground level 0 (e.g. `D1`).
"""

import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from tower.protocol import (
    COMMAND_TYPES,
    QUEUE_POLICIES,
    VIN_PATTERN,
    Physics,
    TowerConfig,
)


class ConfigError(ValueError):
    """The tower configuration is unusable; the message says why."""


# The optional keys and how each is read; a key left out keeps TowerConfig's default.
OPTIONAL_KEYS: dict[str, Callable[[Any], Any]] = {
    "lifts": int,
    "delivery_bays": int,
    "queue": str,
    "customer_priority": int,
    "reserved_lifts": int,
    "reserve_max_hold_s": float,
    "dwell_level": lambda level: None if level is None else int(level),
    "idle_only_types": lambda types: tuple(str(t) for t in types),
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
    if set(config.idle_only_types) - set(COMMAND_TYPES):
        raise ConfigError(f"idle_only_types must be among {list(COMMAND_TYPES)}")
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
