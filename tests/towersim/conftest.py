"""Fixtures for the tower simulator: an in-process tower, a webhook receiver, a tiny client.

Nothing here touches the database: the simulator has no Django in it.
"""

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tower.protocol import BayPlace, TowerConfig
from towersim.app import TowerApp, tower_start
from towersim.config import config_from_dict

SECRET = "test-secret"
OPERATOR = {"X-Tower-Operator": SECRET}


def vin(n: int) -> str:
    return f"LTEST{n:012d}"


def small_config(**overrides: Any) -> TowerConfig:
    """Four levels of four bays, one lift, two delivery bays, default physics."""
    data = {"tower": "t-test", "levels": 4, "bays_per_level": 4, "lifts": 1, "delivery_bays": 2, **overrides}
    return config_from_dict(data)


def place(config: TowerConfig, code: str) -> BayPlace:
    bay = config.place(code)
    assert bay is not None, code
    return bay


def call(
    base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One JSON request; returns (status, decoded body) for 2xx and error statuses alike."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def move(kind: str, source: str, target: str, car: str, **extra: Any) -> dict[str, Any]:
    return {
        "command_id": str(uuid.uuid4()),
        "type": kind,
        "source_bay": source,
        "target_bay": target,
        "vin": car,
        **extra,
    }


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, step: float = 0.01) -> Any:
    """Poll until predicate() is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"timed out after {timeout} s waiting for {predicate}")


def command_status(base: str, command_id: str) -> str:
    return call(base, "GET", f"/v1/commands/{command_id}")[1]["status"]


def events(base: str, after: int = 0) -> list[dict[str, Any]]:
    return call(base, "GET", f"/v1/events?after={after}&limit=1000")[1]["events"]


@dataclass
class Receiver:
    """A local webhook endpoint recording every delivery; answers 500 to the first `failures`."""

    url: str = ""
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(body) for _, body in self.deliveries]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with box.lock:
                failing = box.failures > 0
                if failing:
                    box.failures -= 1
                else:
                    box.deliveries.append((dict(self.headers.items()), body))
            self.send_response(500 if failing else 204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture
def seeded() -> dict[str, str]:
    return {"L04-B03": vin(1), "L01-B01": vin(2), "L02-B02": vin(3), "D2": vin(4)}


@pytest.fixture
def start_tower(tmp_path: Path) -> Iterator[Callable[..., TowerApp]]:
    """Start in-process towers (stopped at teardown); keyword arguments go to tower_start."""
    apps: list[TowerApp] = []

    def start(**kwargs: Any) -> TowerApp:
        options = {
            "config": small_config(),
            "state_dir": tmp_path / "state",
            "speed": 1000.0,
            "secret": SECRET,
        }
        app = tower_start(**{**options, **kwargs})
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.stop()


@pytest.fixture
def tower(start_tower: Callable[..., TowerApp], seeded: dict[str, str]) -> TowerApp:
    """A fast tower (speed 1000) seeded with four cars, no webhook."""
    app = start_tower()
    status, _ = call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    assert status == 200
    return app
