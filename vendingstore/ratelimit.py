"""Per-address rate limits: one mechanism for the API throttle and the portal's anonymous forms.

- **Whose address.** ``REMOTE_ADDR``, the peer of this process, unless ``TRUSTED_PROXY_COUNT``
  proxies we run stand in front: then the address the outermost of them saw, read from the right
  of ``X-Forwarded-For`` (anything further left was written by the client and proves nothing).
- **Counting.** One counter per scope, address and fixed window, kept in the shared cache and
  raised with an atomic increment (Redis ``INCR``; the key is created with ``SET NX`` and an
  expiry), so parallel requests from one address are all counted, on every web process.
- **When Redis is down.** The count falls back to a counter in this process's memory (logged):
  each process still limits, just separately, so an outage neither opens the door wide nor takes
  the store down with it (the per-account login lockout is in the database and keeps working).
"""

import ipaddress
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:  # DRF's views import this module through the throttle setting
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

RATE_PATTERN = re.compile(r"(?P<limit>\d+)/(?P<every>\d*)\s*(?P<unit>[a-z]+)")
PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "day": 86400,
}
# Used only while the shared cache does not answer; one per process by design (see above).
_local = LocMemCache("vendingstore-ratelimit-fallback", {"MAX_ENTRIES": 100_000})


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """``"600/minute"``, ``"20/15min"`` or ``"30/hour"``; a bad value fails loudly."""
        match = RATE_PATTERN.fullmatch(text.strip().lower())
        if match is None or match["unit"] not in PERIODS:
            raise ValueError(f"Not a rate like '600/minute' or '20/15min': {text!r}")
        return cls(limit=int(match["limit"]), period=int(match["every"] or 1) * PERIODS[match["unit"]])


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends


def client_ip(request: HttpRequest) -> str:
    """The caller's address: see the module's docstring. Also django-axes' address callable, so
    it is always an IP address or "" (unknown; stored as NULL), never what a header made up."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if not forwarded:
        return remote
    return _valid_ip(forwarded[-min(proxies, len(forwarded))]) or remote


def _valid_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def rate_hit(*, scope: str, key: str, rate: Rate) -> Decision:
    """Count one event for ``key`` in ``scope`` and say whether it is still within ``rate``."""
    window = int(time.time() // rate.period)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    retry_after = max(1, math.ceil((window + 1) * rate.period - time.time()))
    count = _increment(cache_key, timeout=rate.period + 1)
    return Decision(allowed=count <= rate.limit, count=count, retry_after=retry_after)


def rate_peek(*, scope: str, key: str, rate: Rate) -> int:
    """The count so far in the current window, without adding to it."""
    cache_key = f"ratelimit:{scope}:{key}:{int(time.time() // rate.period)}"
    try:
        return int(cache.get(cache_key) or 0)
    except Exception:  # any cache failure: the same fallback as rate_hit
        logger.warning("rate limit: cache unavailable, reading this process's own count", exc_info=True)
        return int(_local.get(cache_key) or 0)


def _increment(cache_key: str, *, timeout: int) -> int:
    try:
        return _atomic_increment(cache, cache_key, timeout=timeout)
    except Exception:  # redis-py and the cache backends raise many kinds
        logger.warning("rate limit: cache unavailable, counting in this process only", exc_info=True)
        return _atomic_increment(_local, cache_key, timeout=timeout)


def _atomic_increment(backend: BaseCache, cache_key: str, *, timeout: int) -> int:
    # add() is SET NX with an expiry; incr() is INCRBY. The retry covers the key expiring between.
    for _attempt in range(3):
        backend.add(cache_key, 0, timeout)
        try:
            return backend.incr(cache_key)
        except ValueError:
            continue
    return 1


# --- the API: a DRF throttle ----------------------------------------------------------------


class AnonAddressThrottle(BaseThrottle):
    """Anonymous API callers, per address, at ``API_ANON_RATE`` (read at each request)."""

    scope = "api-anon"

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        if request.user and request.user.is_authenticated:
            return True
        rate = Rate.parse(settings.API_ANON_RATE)
        self.decision = rate_hit(scope=self.scope, key=client_ip(request._request), rate=rate)
        return self.decision.allowed

    def wait(self) -> float | None:
        return float(self.decision.retry_after)


# --- the portal: a decorator for anonymous POSTs --------------------------------------------


def ratelimit_anonymous_post(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Limit anonymous POSTs to ``view`` per address at ``PORTAL_ANON_POST_RATE`` (one counter
    shared by every form so decorated: login, sign-up, password reset, snap-a-car)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.method == "POST" and not request.user.is_authenticated:
            rate = Rate.parse(settings.PORTAL_ANON_POST_RATE)
            decision = rate_hit(scope="portal-anon-post", key=client_ip(request), rate=rate)
            if not decision.allowed:
                return too_many_requests(request, retry_after=decision.retry_after)
        return view(request, *args, **kwargs)

    return wrapped


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """429 with Retry-After: JSON for the API, a page for the portal."""
    message = _("Too many requests from your address. Please wait %(seconds)s seconds and try again.") % {
        "seconds": retry_after
    }
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": "throttled", "detail": message}, status=429)
    else:
        response = render(request, "ratelimited.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
