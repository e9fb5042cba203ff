"""A Redis cache that degrades to a miss when Redis is down, instead of failing the request.

Everything we cache (the rendered catalogue cards) can be rebuilt from the database, so a
Redis outage must cost speed, not pages: reads answer "not cached", writes are dropped, both
logged (at most once every ``LOG_EVERY_SECONDS`` per process, not once per request). After a
failure, Redis is left alone for ``RETRY_AFTER_SECONDS`` so that a Redis that hangs rather than
refuses does not add its timeout to every request.

``incr`` still raises: a counter that silently answers is no counter, and its one user
(``vendingstore.ratelimit``) falls back to counting in the process.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5.0
LOG_EVERY_SECONDS = 30.0


class CacheUnavailable(ConnectionError):
    """Redis failed moments ago; not tried again yet."""


class ResilientRedisCache(RedisCache):
    _down_until = 0.0
    _logged_at = 0.0

    def _guarded(self, operation: str, call: Callable[[], T], miss: T) -> T:
        try:
            return self._call(operation, call)
        except (RedisError, OSError):
            return miss

    def _call(self, operation: str, call: Callable[[], T]) -> T:
        now = time.monotonic()
        if now < self._down_until:
            raise CacheUnavailable(f"cache {operation}: Redis failed less than {RETRY_AFTER_SECONDS} s ago")
        try:
            return call()
        except (RedisError, OSError) as exc:
            self._down_until = now + RETRY_AFTER_SECONDS
            if now - self._logged_at >= LOG_EVERY_SECONDS:
                self._logged_at = now
                logger.warning("cache %s failed, answering as a miss: %r", operation, exc)
            raise

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        return self._guarded("get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._guarded("has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guarded("set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list:
        return self._guarded(
            "set_many", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._guarded("delete", lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guarded(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version))
