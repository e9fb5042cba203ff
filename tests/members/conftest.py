import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import User

from members.models import Member
from tests.factories import MemberFactory, StaffFactory


@pytest.fixture
def staff() -> User:
    return StaffFactory(username="desk")


@pytest.fixture
def member() -> Member:
    return MemberFactory(user__username="li@example.com", user__email="li@example.com")


@dataclass
class FakeBureau:
    """A credit bureau on 127.0.0.1 that answers from a script of (status, body, delay) steps.

    Each request takes the next step; the last one repeats. Requests are kept for assertions.
    """

    url: str = ""
    steps: list[tuple[int, object, float]] = field(
        default_factory=lambda: [(200, {"score": 720, "reference": "r1"}, 0)]
    )
    requests: list[dict] = field(default_factory=list)

    def answer(self, *steps: tuple[int, object, float]) -> None:
        self.steps = list(steps)


@pytest.fixture
def fake_bureau(settings) -> Iterator[FakeBureau]:
    bureau = FakeBureau()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            bureau.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            index = min(len(bureau.requests) - 1, len(bureau.steps) - 1)
            status, body, delay = bureau.steps[index]
            if delay:
                threading.Event().wait(delay)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bureau.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CREDIT_PROVIDER = "http"
    settings.CREDIT_HTTP_URL = bureau.url
    settings.CREDIT_HTTP_KEY = "test-key"
    settings.CREDIT_HTTP_TIMEOUT_SECONDS = 0.5
    settings.CREDIT_HTTP_RETRIES = 2
    settings.CREDIT_HTTP_BACKOFF_SECONDS = 0.01
    yield bureau
    server.shutdown()
    server.server_close()
