"""Parsing and checking a move command; reasons are the machine-readable words of the protocol."""

import uuid
from dataclasses import dataclass
from typing import Any

from tower.protocol import BAY_KINDS, COMMAND_TYPES, VIN_PATTERN, BayPlace, TowerConfig


class Rejection(Exception):
    """A command or request refused. `stored` rejections are final for their command_id;
    the others (`retryable`) are not recorded, and the same command_id may be sent again."""

    def __init__(self, reason: str, detail: str = "", *, http_status: int = 422, stored: bool = True) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.http_status = http_status
        self.stored = stored


@dataclass(frozen=True)
class MoveRequest:
    command_id: str
    type: str
    source_bay: str
    target_bay: str
    vin: str
    priority: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "command_id": self.command_id,
            "type": self.type,
            "source_bay": self.source_bay,
            "target_bay": self.target_bay,
            "vin": self.vin,
            "priority": self.priority,
        }


def invalid(detail: str) -> Rejection:
    return Rejection("invalid_request", detail, http_status=400, stored=False)


def parse_move(body: Any) -> MoveRequest:
    """The request as a MoveRequest, or an `invalid_request` Rejection (never stored)."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    try:
        command_id = str(uuid.UUID(str(body["command_id"])))
    except KeyError:
        raise invalid("command_id is required") from None
    except ValueError:
        raise invalid("command_id must be a UUID") from None
    kind = body.get("type")
    if kind not in COMMAND_TYPES:
        raise invalid(f"type must be one of {', '.join(COMMAND_TYPES)}")
    for name in ("source_bay", "target_bay", "vin"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise invalid(f"{name} must be a non-empty string")
    if not VIN_PATTERN.match(body["vin"]):
        raise invalid("vin must be 17 characters, letters (no I, O, Q) and digits, upper case")
    priority = body.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 9:
        raise invalid("priority must be an integer from 0 to 9")
    return MoveRequest(command_id, kind, body["source_bay"], body["target_bay"], body["vin"], priority)


def check_bays(config: TowerConfig, move: MoveRequest) -> tuple[BayPlace, BayPlace]:
    """The two bays, or a stored Rejection: unknown_bay, same_bay or wrong_bay_kind."""
    source, target = config.place(move.source_bay), config.place(move.target_bay)
    if source is None or target is None:
        raise Rejection("unknown_bay", move.source_bay if source is None else move.target_bay)
    if source.code == target.code:
        raise Rejection("same_bay", source.code)
    want_source, want_target = BAY_KINDS[move.type]
    if source.is_delivery != want_source or target.is_delivery != want_target:
        raise Rejection(
            "wrong_bay_kind", f"{move.type} goes from {_kind(want_source)} to {_kind(want_target)}"
        )
    return source, target


def _kind(is_delivery: bool) -> str:
    return "a delivery bay" if is_delivery else "a storage bay"


def check_occupancy(
    move: MoveRequest, *, source_vin: str | None, target_vin: str | None, vin_location: str | None
) -> None:
    """Raise source_empty, vin_mismatch or target_occupied against the current inventory."""
    if source_vin is None:
        where = f"; {move.vin} is in {vin_location}" if vin_location else ""
        raise Rejection("source_empty", f"{move.source_bay} is empty{where}")
    if source_vin != move.vin:
        where = f"; {move.vin} is in {vin_location}" if vin_location else f"; {move.vin} is not in the tower"
        raise Rejection("vin_mismatch", f"{move.source_bay} holds {source_vin}{where}")
    if target_vin is not None:
        raise Rejection("target_occupied", f"{move.target_bay} holds {target_vin}")
