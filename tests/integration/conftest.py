"""Real processes for integration tests: a Celery worker on its own queue."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class WorkerProcess:
    hostname: str
    queue: str
    process: subprocess.Popen


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {settings.REDIS_URL} (bin/test starts one)")


@pytest.fixture(scope="session")
def celery_worker_process() -> Iterator[WorkerProcess]:
    """A real `celery worker` process consuming a private queue, so it never takes work from
    (or gives work to) another worker on the same Redis."""
    redis_or_skip()
    tag = uuid.uuid4().hex[:8]
    worker = WorkerProcess(hostname=f"test-{tag}@localhost", queue=f"test-{tag}", process=None)  # type: ignore[arg-type]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vendingstore.settings.test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vendingstore",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            worker.hostname,
            "--queues",
            worker.queue,
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    worker = WorkerProcess(hostname=worker.hostname, queue=worker.queue, process=process)
    from vendingstore.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited: {process.stderr.read().decode()[-2000:]}")
        if app.control.ping(destination=[worker.hostname], timeout=0.5):
            break
    else:
        process.kill()
        pytest.fail("celery worker did not answer a ping within 60 s")
    yield worker
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
