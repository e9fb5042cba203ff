"""The simulator's durable state in one SQLite file: inventory, mode, lifts, commands, events.

Every state change and the event that reports it are written in one transaction
(`with store.transaction():`), with `synchronous=FULL`, so a `kill -9` at any instant leaves
either both or neither. Events are also the webhook outbox: `delivered` flips once our side
answered 2xx (or a drop fault swallowed the delivery).
"""

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tower.protocol import TowerConfig

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bays (
    code TEXT PRIMARY KEY, vin TEXT UNIQUE, jammed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS lifts (
    lift INTEGER PRIMARY KEY, level INTEGER NOT NULL, heading_deg REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    type TEXT NOT NULL,
    source_bay TEXT NOT NULL,
    target_bay TEXT NOT NULL,
    vin TEXT NOT NULL,
    priority INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    lift INTEGER,
    estimate_s REAL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS commands_open ON commands (status) WHERE status IN ('accepted', 'running');
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, body TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_undelivered ON events (seq) WHERE delivered = 0;
"""

OPEN_STATUSES = ("accepted", "running")
COMMAND_FIELDS = (
    "command_id",
    "type",
    "source_bay",
    "target_bay",
    "vin",
    "priority",
    "status",
    "reason",
    "detail",
    "lift",
    "estimate_s",
    "created_at",
    "started_at",
    "finished_at",
)


def utc_now() -> str:
    """Wall-clock time as ISO 8601 UTC with milliseconds and a Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TowerStore:
    """Thread-safe access to the state file; one connection guarded by a re-entrant lock."""

    def __init__(self, path: Path, config: TowerConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(SCHEMA)
        with self.transaction():
            self._initialise()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all; nests (inner blocks join the outer)."""
        with self.lock:
            if self.conn.in_transaction:
                yield
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _initialise(self) -> None:
        existing = self.meta("tower")
        if existing is not None and existing != self.config.tower:
            raise ValueError(f"state belongs to tower {existing!r}, not {self.config.tower!r}")
        # A grown shape adds bays; a shrunk one keeps the old ones (they may hold cars).
        self.conn.executemany(
            "INSERT OR IGNORE INTO bays (code) VALUES (?)", [(c,) for c in self.config.bay_codes()]
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO lifts (lift, level, heading_deg) VALUES (?, 0, 0)",
            [(n,) for n in range(1, self.config.lifts + 1)],
        )
        if existing is None:
            self.set_meta("tower", self.config.tower)
            self.set_meta("mode", "auto")
            self.set_meta("mode_reason", "")
            self.set_meta("queue_order", "0")
            self.replace_inventory(self.config.inventory)

    # meta ------------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def next_queue_order(self) -> int:
        """A durable arrival counter, so FIFO order survives a restart."""
        with self.transaction():
            order = int(self.meta("queue_order") or 0) + 1
            self.set_meta("queue_order", str(order))
        return order

    # bays and lifts --------------------------------------------------------------------------

    def inventory(self) -> dict[str, str | None]:
        with self.lock:
            rows = self.conn.execute("SELECT code, vin FROM bays").fetchall()
        order = {code: i for i, code in enumerate(self.config.bay_codes())}
        return {
            r["code"]: r["vin"] for r in sorted(rows, key=lambda r: (order.get(r["code"], 1e9), r["code"]))
        }

    def vin_in(self, code: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT vin FROM bays WHERE code = ?", (code,)).fetchone()
        return None if row is None else row[0]

    def bay_of(self, vin: str) -> str | None:
        with self.lock:
            row = self.conn.execute("SELECT code FROM bays WHERE vin = ?", (vin,)).fetchone()
        return None if row is None else row[0]

    def move_car(self, source: str, target: str) -> None:
        """Call inside a transaction: the car in source now stands in target."""
        vin = self.vin_in(source)
        self.conn.execute("UPDATE bays SET vin = NULL WHERE code = ?", (source,))
        self.conn.execute("UPDATE bays SET vin = ? WHERE code = ?", (vin, target))

    def replace_inventory(self, bays: dict[str, str]) -> None:
        """Call inside a transaction: bays listed get their VIN, every other bay is emptied."""
        self.conn.execute("UPDATE bays SET vin = NULL")
        self.conn.executemany("UPDATE bays SET vin = ? WHERE code = ?", [(v, c) for c, v in bays.items()])

    def jammed_bays(self) -> list[str]:
        with self.lock:
            return [r[0] for r in self.conn.execute("SELECT code FROM bays WHERE jammed = 1 ORDER BY code")]

    def set_jammed(self, code: str, jammed: bool) -> None:
        with self.lock:
            self.conn.execute("UPDATE bays SET jammed = ? WHERE code = ?", (int(jammed), code))

    def lift_poses(self) -> dict[int, tuple[int, float]]:
        with self.lock:
            rows = self.conn.execute("SELECT lift, level, heading_deg FROM lifts ORDER BY lift").fetchall()
        return {r["lift"]: (r["level"], r["heading_deg"]) for r in rows}

    def set_lift_pose(self, lift: int, level: int, heading_deg: float) -> None:
        with self.lock:
            self.conn.execute(
                "UPDATE lifts SET level = ?, heading_deg = ? WHERE lift = ?", (level, heading_deg, lift)
            )

    # commands --------------------------------------------------------------------------------

    def command(self, command_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT * FROM commands WHERE command_id = ?", (command_id,)).fetchone()
        return None if row is None else _command_dict(row)

    def command_request(self, command_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT request FROM commands WHERE command_id = ?", (command_id,)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def insert_command(self, request: dict[str, Any], fields: dict[str, Any]) -> None:
        columns = ["request", *fields]
        values = [json.dumps(request, sort_keys=True), *fields.values()]
        marks = ", ".join("?" for _ in columns)
        with self.lock:
            self.conn.execute(f"INSERT INTO commands ({', '.join(columns)}) VALUES ({marks})", values)

    def update_command(self, command_id: str, **fields: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.lock:
            self.conn.execute(
                f"UPDATE commands SET {assignments} WHERE command_id = ?", [*fields.values(), command_id]
            )

    def open_commands(self) -> list[dict[str, Any]]:
        """Commands accepted or running, oldest first."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT * FROM commands WHERE status IN ('accepted', 'running') ORDER BY rowid"
            ).fetchall()
        return [_command_dict(r) for r in rows]

    # events ----------------------------------------------------------------------------------

    def append_event(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Call inside a transaction: record the next event; returns it with its seq."""
        seq = self.high_water_seq() + 1
        event = {"seq": seq, "tower": self.config.tower, "kind": kind, "at": utc_now(), **fields}
        self.conn.execute("INSERT INTO events (seq, body) VALUES (?, ?)", (seq, _dump(event)))
        return event

    def high_water_seq(self) -> int:
        with self.lock:
            return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def events_after(self, after: int, limit: int) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def first_undelivered(self) -> tuple[int, str] | None:
        """(seq, body) of the oldest event not yet delivered to the webhook."""
        with self.lock:
            row = self.conn.execute(
                "SELECT seq, body FROM events WHERE delivered = 0 ORDER BY seq LIMIT 1"
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def mark_delivered(self, seq: int) -> None:
        with self.lock:
            self.conn.execute("UPDATE events SET delivered = 1 WHERE seq = ?", (seq,))

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _dump(value: dict[str, Any]) -> str:
    """Compact JSON: the exact bytes stored are the bytes signed and sent."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _command_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {name: row[name] for name in COMMAND_FIELDS}
