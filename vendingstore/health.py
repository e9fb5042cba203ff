"""Health checks for the load balancer: the database, Redis and a Celery worker."""

import time
from dataclasses import dataclass
from functools import lru_cache

import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from vendingstore.celery import app as default_app

HEARTBEAT_KEY = "vendingstore:heartbeat"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _redis() -> redis.Redis:
    return _redis_for(settings.REDIS_URL)


@lru_cache(maxsize=4)
def _redis_for(url: str) -> redis.Redis:
    # One client (and connection pool) per process: a load balancer probes every few seconds.
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", True, connection.vendor)
    except Exception as exc:  # any driver error means "down" to a load balancer
        return Check("database", False, type(exc).__name__)


def check_redis() -> Check:
    try:
        _redis().ping()
        return Check("redis", True, "pong")
    except redis.RedisError as exc:
        return Check("redis", False, type(exc).__name__)


def check_worker(*, app: Celery | None = None, timeout: float = 1.0) -> Check:
    """Ping the workers; returns as soon as the first one answers."""
    app = app or default_app
    try:
        replies = app.control.ping(timeout=timeout, limit=1)
    except Exception as exc:  # broker unreachable
        return Check("celery", False, type(exc).__name__)
    if not replies:
        return Check("celery", False, "no worker answered")
    return Check("celery", True, next(iter(replies[0])))


def heartbeat_record() -> None:
    _redis().set(HEARTBEAT_KEY, time.time())


def heartbeat_age() -> float | None:
    """Seconds since beat last got a heartbeat task through a worker, or None if never."""
    try:
        value = _redis().get(HEARTBEAT_KEY)
    except redis.RedisError:
        return None
    return None if value is None else time.time() - float(value)


def run_checks() -> list[Check]:
    checks = [check_database(), check_redis()]
    # Without a broker the worker ping would only repeat the Redis failure, slowly.
    checks.append(check_worker() if checks[1].ok else Check("celery", False, "broker down"))
    return checks
