"""A credit bureau over HTTP. The contract (also in docs/CREDIT_BUREAU.md):

``POST {CREDIT_HTTP_URL}/v1/scores`` with ``Authorization: Bearer {CREDIT_HTTP_KEY}``,
``Idempotency-Key`` (one per check, the same on every retry, so a retried request is one inquiry
on the person's file) and a JSON body ``{"id_number", "full_name", "date_of_birth", "subject_ref"}``.

- ``200 {"score": 350..950, "reference": "..."}``: the answer.
- ``404``: the bureau has no file for the person (``CreditSubjectNotFound``; not retried).
- ``408``, ``429``, ``5xx``, a timeout or a refused connection: retried ``CREDIT_HTTP_RETRIES``
  times, waiting ``CREDIT_HTTP_BACKOFF_SECONDS`` × 2^attempt, then ``CreditProviderUnavailable``.
- Any other status, a body that is not JSON, or a score off the scale: ``CreditProviderUnavailable``
  at once (logged: it needs a person, not a retry).
"""

import json
import logging
import time
import uuid
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from django.conf import settings

from members.credit.base import (
    CreditAnswer,
    CreditProvider,
    CreditProviderUnavailable,
    CreditRequest,
    CreditSubjectNotFound,
    score_in_scale,
)

log = logging.getLogger(__name__)
RETRYABLE_STATUSES = {408, 429, 500, 502, 503, 504}


class _Retry(Exception):
    pass


class HttpCreditProvider(CreditProvider):
    name = "http"

    def __init__(self) -> None:
        if not settings.CREDIT_HTTP_URL:
            raise CreditProviderUnavailable("CREDIT_HTTP_URL is not set")
        self.url = settings.CREDIT_HTTP_URL.rstrip("/") + "/v1/scores"
        self.timeout = settings.CREDIT_HTTP_TIMEOUT_SECONDS
        self.retries = settings.CREDIT_HTTP_RETRIES
        self.backoff = settings.CREDIT_HTTP_BACKOFF_SECONDS

    def fetch(self, request: CreditRequest) -> CreditAnswer:
        idempotency_key = str(uuid.uuid4())
        for attempt in range(self.retries + 1):
            try:
                return self._attempt(request, idempotency_key)
            except _Retry as exc:
                log.warning("credit bureau attempt %s of %s failed: %s", attempt + 1, self.retries + 1, exc)
                if attempt < self.retries:
                    time.sleep(self.backoff * 2**attempt)
        raise CreditProviderUnavailable(f"no answer after {self.retries + 1} attempts")

    def _attempt(self, request: CreditRequest, idempotency_key: str) -> CreditAnswer:
        body = json.dumps(
            {
                "id_number": request.id_number,
                "full_name": request.full_name,
                "date_of_birth": request.date_of_birth.isoformat() if request.date_of_birth else None,
                "subject_ref": f"member-{request.member_id}",
            }
        ).encode()
        http_request = Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {settings.CREDIT_HTTP_KEY}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urlopen(http_request, timeout=self.timeout) as response:
                payload = response.read()
        except HTTPError as exc:
            return self._refused(exc.code)
        except (URLError, TimeoutError, ConnectionError) as exc:
            raise _Retry(str(exc)) from exc
        return self._answer(payload)

    def _refused(self, status: int) -> CreditAnswer:
        if status == 404:
            raise CreditSubjectNotFound("the bureau has no file for this person")
        if status in RETRYABLE_STATUSES:
            raise _Retry(f"HTTP {status}")
        log.error("credit bureau refused the request with HTTP %s; check CREDIT_HTTP_KEY and URL", status)
        raise CreditProviderUnavailable(f"HTTP {status}")

    def _answer(self, payload: bytes) -> CreditAnswer:
        try:
            data = json.loads(payload)
            score, reference = data["score"], str(data.get("reference", ""))[:80]
        except (ValueError, TypeError, KeyError) as exc:
            log.error("credit bureau answered something that is not a score: %r", payload[:200])
            raise CreditProviderUnavailable("malformed answer") from exc
        if not score_in_scale(score):
            log.error("credit bureau answered a score off the scale: %r", score)
            raise CreditProviderUnavailable("score off the scale")
        return CreditAnswer(score=score, reference=reference)
