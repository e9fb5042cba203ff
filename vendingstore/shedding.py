"""Shedding load: a quick 503 with Retry-After instead of an answer that comes seconds late.

When every worker is busy, requests wait in the listen queue, and a visitor waits seconds for a
page (and often reloads, adding more). Two honest signals of that, each off when set to 0:

- ``LOAD_SHED_QUEUE_MS``: the time the request waited before a worker took it, from the
  ``X-Request-Start`` header the front proxy stamps when it accepts the request (nginx:
  ``proxy_set_header X-Request-Start "t=${msec}";``; seconds, milliseconds or microseconds since
  the epoch, with or without ``t=``). A request that already waited longer is answered 503 at
  once: its visitor has most likely given up, and rendering it only delays the ones behind it.
  Without the header nothing is shed on this ground (gunicorn alone cannot tell the wait).
- ``LOAD_SHED_IN_FLIGHT``: requests in progress in this process (threaded or async workers);
  one over it is answered 503.

The health check never gets here (HealthCheckMiddleware answers it first), and the operators'
console and the admin (``LOAD_SHED_EXEMPT_PREFIXES``) are never shed: when the store is
overloaded, its remote operators need it most. The message is plain text in both languages, as
the visitor's language is not known yet at this point.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 10.0
_last_logged = [0.0, 0]  # when we last logged, and how many were shed since


class LoadSheddingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.in_flight = 0
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(tuple(settings.LOAD_SHED_EXEMPT_PREFIXES)):
            return self.get_response(request)
        limit_ms = settings.LOAD_SHED_QUEUE_MS
        if limit_ms > 0:
            waited = queue_ms(request.META.get("HTTP_X_REQUEST_START", ""), now=time.time())
            if waited is not None and waited > limit_ms:
                return overloaded()
        limit = settings.LOAD_SHED_IN_FLIGHT
        if limit <= 0:
            return self.get_response(request)
        with self.lock:
            if self.in_flight >= limit:
                return overloaded()
            self.in_flight += 1
        try:
            return self.get_response(request)
        finally:
            with self.lock:
                self.in_flight -= 1


def queue_ms(header: str, *, now: float) -> float | None:
    """Milliseconds since the proxy's ``X-Request-Start`` stamp, or None when there is none
    readable. The unit is told by the size: seconds (10 digits before any point), ms, or µs."""
    raw = header.strip().removeprefix("t=")
    try:
        stamp = float(raw)
    except ValueError:
        return None
    if stamp > 1e14:  # microseconds
        stamp /= 1e6
    elif stamp > 1e11:  # milliseconds
        stamp /= 1e3
    if stamp <= 0:
        return None
    return max(0.0, (now - stamp) * 1000)


def overloaded() -> HttpResponse:
    # One warning every few seconds with a count, not an error per shed request: a flood of
    # logs is the last thing an overloaded machine needs.
    _last_logged[1] += 1
    now = time.monotonic()
    if now - _last_logged[0] >= LOG_EVERY_SECONDS:
        logger.warning(
            "overloaded: shed %d request(s) with 503 in the last %.0f s", _last_logged[1], LOG_EVERY_SECONDS
        )
        _last_logged[:] = [now, 0]
    retry = settings.LOAD_SHED_RETRY_AFTER_SECONDS
    lines = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            lines.append(
                _("The store is busy right now. Please try again in %(seconds)s seconds.")
                % {"seconds": retry}
            )
    response = HttpResponse("\n".join(lines) + "\n", status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, in a batch
    return response
