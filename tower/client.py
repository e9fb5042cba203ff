"""A small HTTP/JSON client for one tower controller (docs/TOWER_PROTOCOL.md), standard library only."""

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from fleet.models import Tower
from tower.conf import controller_url_for, operator_token_for
from tower.protocol import CommandPayload


class ControllerUnreachable(Exception):
    """No answer: connection refused or dropped, timeout, or a body that is not JSON."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def reason(self) -> str:
        return str(self.body.get("reason") or "")


class TowerClient:
    """Talks to one controller. Every method raises ``ControllerUnreachable`` when it gets no answer."""

    def __init__(self, base_url: str, *, operator_token: str = "", timeout: float | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.operator_token = operator_token
        self.timeout = timeout if timeout is not None else settings.TOWER_HTTP_TIMEOUT_SECONDS

    def submit(self, command: CommandPayload) -> Answer:
        return self._call("POST", "/v1/commands", command)

    def command(self, command_id: str) -> Answer:
        return self._call("GET", f"/v1/commands/{command_id}")

    def events(self, *, after: int, limit: int = 500) -> dict[str, Any]:
        return self._ok(self._call("GET", f"/v1/events?after={after}&limit={limit}"))

    def state(self) -> dict[str, Any]:
        return self._ok(self._call("GET", "/v1/state"))

    def hold(self, reason: str) -> Answer:
        return self._call("POST", "/v1/hold", {"reason": reason[:200]})

    def clear(self, reason: str) -> Answer:
        return self._call("POST", "/v1/clear", {"reason": reason[:200]}, operator=True)

    def put_inventory(self, bays: dict[str, str]) -> Answer:
        return self._call("PUT", "/v1/inventory", {"bays": bays}, operator=True)

    def _ok(self, answer: Answer) -> dict[str, Any]:
        if answer.status != 200:
            raise ControllerUnreachable(f"HTTP {answer.status}: {answer.reason}")
        return answer.body

    def _call(
        self, method: str, path: str, body: Mapping[str, object] | None = None, *, operator: bool = False
    ) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if operator:
            request.add_header("X-Tower-Operator", self.operator_token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, _json(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _json(error.read()))
        except (OSError, ValueError) as error:  # URLError, timeouts and resets are OSErrors
            raise ControllerUnreachable(str(error)) from error


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError as error:
        raise ControllerUnreachable("the answer is not JSON") from error
    return body if isinstance(body, dict) else {}


def client_for(tower: Tower) -> TowerClient | None:
    """A client for the tower's controller, or None when none is configured."""
    url = controller_url_for(tower.code)
    if not url:
        return None
    return TowerClient(url, operator_token=operator_token_for(tower.code))
