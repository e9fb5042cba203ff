"""The HTTP/JSON face of one tower (stdlib only). See docs/TOWER_PROTOCOL.md for the contract."""

import json
import re
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from towersim.commands import Rejection
from towersim.controller import TowerController

MAX_BODY = 1_000_000
EVENTS_DEFAULT_LIMIT = 100
EVENTS_MAX_LIMIT = 1000
COMMAND_PATH = re.compile(r"^/v1/commands/([^/]+)$")

Answer = tuple[int, dict[str, Any]]


class TowerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], controller: TowerController) -> None:
        super().__init__(address, TowerHandler)
        self.controller = controller
        # time.monotonic() deadlines of the network faults; fault endpoints ignore both.
        self.stall_until = 0.0
        self.offline_until = 0.0

    def network_fault(self, kind: str, seconds: float) -> None:
        """Stall (answers wait) or go offline (connections dropped) for `seconds` of wall time;
        webhook deliveries pause for the same time."""
        until = time.monotonic() + seconds
        if kind == "stall":
            self.stall_until = until
        else:
            self.offline_until = until
        if self.controller.webhook:
            self.controller.webhook.paused_until = max(self.controller.webhook.paused_until, until)

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="http", daemon=True)
        thread.start()
        return thread


class TowerHandler(BaseHTTPRequestHandler):
    server: TowerServer
    server_version = "towersim/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a busy demo would drown in access lines (errors still go to stderr)."""

    def log_error(self, format: str, *args: Any) -> None:
        super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        if not url.path.startswith(("/v1/faults/", "/v1/world/")) and not self._network_allows():
            return
        try:
            status, body = self._route(method, url.path, parse_qs(url.query))
        except Rejection as rejection:
            status, body = rejection.http_status, _rejection_body(rejection)
        except json.JSONDecodeError:
            status, body = (
                400,
                _rejection_body(
                    Rejection("invalid_request", "the body is not JSON", http_status=400, stored=False)
                ),
            )
        except Exception as error:  # a bug must still answer, so clients see a 500 and retry
            self.log_error("internal error: %r", error)
            status, body = 500, {"reason": "internal_error", "detail": type(error).__name__}
        self._send(status, body)

    def _network_allows(self) -> bool:
        """Apply stall/offline faults: False when the connection was dropped unanswered."""
        if time.monotonic() < self.server.offline_until:
            self.close_connection = True
            return False
        wait = self.server.stall_until - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return True

    def _route(self, method: str, path: str, query: dict[str, list[str]]) -> Answer:
        tower = self.server.controller
        if method == "GET" and (match := COMMAND_PATH.match(path)):
            record = tower.command(match[1])
            return (200, record) if record else (404, {"reason": "not_found", "detail": match[1]})
        routes: dict[tuple[str, str], Callable[[], Answer]] = {
            ("GET", "/v1/state"): lambda: (200, tower.state()),
            ("GET", "/v1/events"): lambda: (200, self._events(query)),
            ("POST", "/v1/commands"): lambda: tower.submit(self._body()),
            ("POST", "/v1/hold"): lambda: self._hold(),
            ("POST", "/v1/clear"): lambda: self._clear(),
            ("PUT", "/v1/inventory"): lambda: self._inventory(),
            ("POST", "/v1/faults/estop"): lambda: self._estop(),
            ("POST", "/v1/faults/hold"): lambda: self._hold(),
            ("POST", "/v1/faults/bay-jam"): lambda: self._jam(),
            ("POST", "/v1/faults/fail-next"): lambda: self._fail_next(),
            ("POST", "/v1/faults/webhooks"): lambda: self._webhooks(),
            ("POST", "/v1/faults/stall"): lambda: self._network("stall"),
            ("POST", "/v1/faults/offline"): lambda: self._network("offline"),
            ("POST", "/v1/world/gate-closed"): lambda: self._gate_closed(),
        }
        route = routes.get((method, path))
        if route is None:
            return 404, {"reason": "not_found", "detail": f"{method} {path}"}
        return route()

    # handlers --------------------------------------------------------------------------------

    def _events(self, query: dict[str, list[str]]) -> dict[str, Any]:
        after = _int_param(query, "after", 0)
        limit = min(max(_int_param(query, "limit", EVENTS_DEFAULT_LIMIT), 1), EVENTS_MAX_LIMIT)
        tower = self.server.controller
        return {
            "tower": tower.config.tower,
            "high_water_seq": tower.store.high_water_seq(),
            "events": tower.store.events_after(after, limit),
        }

    def _hold(self) -> Answer:
        self.server.controller.hold(_text(self._body(), "reason", "hold requested"))
        return 200, self.server.controller.state()

    def _estop(self) -> Answer:
        self.server.controller.estop(_text(self._body(), "reason", "emergency stop"))
        return 200, self.server.controller.state()

    def _clear(self) -> Answer:
        body = self._body()
        self.server.controller.clear(self._operator(), _text(body, "reason", "cleared by the operator"))
        return 200, self.server.controller.state()

    def _inventory(self) -> Answer:
        bays = self._body().get("bays")
        event = self.server.controller.put_inventory(self._operator(), bays)
        return 200, {"event": event, "state": self.server.controller.state()}

    def _jam(self) -> Answer:
        body = self._body()
        self.server.controller.jam(_text(body, "bay", ""), bool(body.get("jammed", True)))
        return 200, self.server.controller.state()

    def _fail_next(self) -> Answer:
        body = self._body()
        count = _count(body, "count", 1)
        self.server.controller.inject_failures(count, _text(body, "fault_code", "transfer_fault"))
        return 200, {"fail_next": count}

    def _webhooks(self) -> Answer:
        body = self._body()
        sender = self.server.controller.webhook
        if sender is None:
            raise Rejection(
                "no_webhook", "the simulator runs without --webhook", http_status=409, stored=False
            )
        sender.inject(drop=_count(body, "drop", 0), duplicate=_count(body, "duplicate", 0))
        return 200, {"drop_next": sender.drop_next, "duplicate_next": sender.duplicate_next}

    def _gate_closed(self) -> Answer:
        body = self._body()
        event = self.server.controller.gate_closed(_text(body, "bay", ""), bool(body.get("occupied", True)))
        return 200, event

    def _network(self, kind: str) -> Answer:
        seconds = self._body().get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= 3600:
            raise Rejection(
                "invalid_request", "seconds must be a number from 0 to 3600", http_status=400, stored=False
            )
        self.server.network_fault(kind, float(seconds))
        return 200, {kind: seconds}

    # plumbing --------------------------------------------------------------------------------

    def _operator(self) -> str | None:
        return self.headers.get("X-Tower-Operator")

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise Rejection("invalid_request", "body too large", http_status=413, stored=False)
        raw = self.rfile.read(length) if length else b"{}"
        body = json.loads(raw or b"{}")
        if not isinstance(body, dict):
            raise Rejection(
                "invalid_request", "the body must be a JSON object", http_status=400, stored=False
            )
        return body

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _rejection_body(rejection: Rejection) -> dict[str, Any]:
    return {
        "status": "rejected",
        "accepted": False,
        "reason": rejection.reason,
        "detail": rejection.detail,
        "retryable": not rejection.stored,
    }


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        raise Rejection(
            "invalid_request", f"{name} must be an integer", http_status=400, stored=False
        ) from None


def _count(body: Any, name: str, default: int) -> int:
    value = body.get(name, default) if isinstance(body, dict) else default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
        raise Rejection(
            "invalid_request", f"{name} must be an integer from 0 to 10000", http_status=400, stored=False
        )
    return value


def _text(body: Any, name: str, default: str) -> str:
    value = body.get(name, default) if isinstance(body, dict) else default
    return str(value)[:200]
