"""Signed webhook delivery of events, in seq order, from the durable outbox in the store.

Each POST carries the event JSON as its body and these headers:

    X-Tower-Id: <tower code>
    X-Tower-Event-Seq: <seq>
    X-Tower-Timestamp: <unix time in whole seconds, at sending>
    X-Tower-Signature: <hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

A retry is signed afresh with its own timestamp. Any 2xx answer marks the event delivered;
anything else (or no answer) is retried with exponential backoff, and later events wait, so the
receiver sees them in order unless a fault injection drops one.
"""

import threading
import time
import urllib.error
import urllib.request

from tower.protocol import signed_headers
from towersim.store import TowerStore

FIRST_BACKOFF_S = 0.5


class WebhookSender:
    """A background thread pushing undelivered events; faults can drop or duplicate deliveries."""

    def __init__(
        self, store: TowerStore, url: str, secret: str, *, max_backoff_s: float = 30.0, timeout_s: float = 5.0
    ) -> None:
        self.store = store
        self.url = url
        self.secret = secret
        self.max_backoff_s = max_backoff_s
        self.timeout_s = timeout_s
        self.drop_next = 0
        self.duplicate_next = 0
        self.paused_until = 0.0  # time.monotonic(); set while the tower plays offline
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        self._thread.join(timeout=5)

    def wake(self) -> None:
        """Call after committing new events."""
        with self._wake:
            self._wake.notify_all()

    def inject(self, *, drop: int = 0, duplicate: int = 0) -> None:
        with self._wake:
            self.drop_next += drop
            self.duplicate_next += duplicate

    def _sleep(self, seconds: float) -> None:
        with self._wake:
            if not self._stopped:
                self._wake.wait(seconds)

    def _run(self) -> None:
        backoff = FIRST_BACKOFF_S
        while not self._stopped:
            pause = self.paused_until - time.monotonic()
            item = self.store.first_undelivered() if pause <= 0 else None
            if item is None:
                self._sleep(max(pause, 0.5) if pause > 0 else 0.5)
                continue
            seq, body = item
            if self._deliver(seq, body.encode()):
                self.store.mark_delivered(seq)
                backoff = FIRST_BACKOFF_S
            else:
                self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)

    def _deliver(self, seq: int, body: bytes) -> bool:
        """True when the event counts as delivered (sent and 2xx, or swallowed by a drop fault)."""
        with self._wake:
            if self.drop_next > 0:
                self.drop_next -= 1
                return True
            copies = 1
            if self.duplicate_next > 0:
                self.duplicate_next -= 1
                copies = 2
        return all(self._post(seq, body) for _ in range(copies))

    def _post(self, seq: int, body: bytes) -> bool:
        headers = signed_headers(self.secret, body, tower=self.store.config.tower, seq=seq)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False
