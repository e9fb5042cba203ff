"""Wiring one simulated tower together: state, controller, webhook sender and HTTP server."""

from dataclasses import dataclass
from pathlib import Path

from tower.protocol import TowerConfig
from towersim.controller import TowerController
from towersim.server import TowerServer
from towersim.store import TowerStore
from towersim.webhook import WebhookSender

STATE_FILE = "tower.sqlite3"


@dataclass
class TowerApp:
    controller: TowerController
    server: TowerServer

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        # An AF_INET server's host is a str (typeshed also allows the bytes of other families).
        assert isinstance(host, str)
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.controller.stop()
        self.controller.store.close()


def tower_start(
    *,
    config: TowerConfig,
    state_dir: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float = 1.0,
    webhook_url: str | None = None,
    secret: str = "",
    operator_token: str | None = None,
    max_backoff_s: float = 30.0,
) -> TowerApp:
    """Open (or create) the tower's state in state_dir, recover, and serve in a background thread.

    The operator token defaults to the webhook secret. Port 0 picks a free port (see `url`).
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    store = TowerStore(state_dir / STATE_FILE, config)
    sender = WebhookSender(store, webhook_url, secret, max_backoff_s=max_backoff_s) if webhook_url else None
    controller = TowerController(
        config, store, speed=speed, operator_token=operator_token or secret, webhook=sender
    )
    controller.start()
    server = TowerServer((host, port), controller)
    server.serve_in_thread()
    return TowerApp(controller, server)
