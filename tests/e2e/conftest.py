"""Real processes for the end-to-end tests: a Celery worker on its own queue.

The booking world comes from tests/fixtures/world.py (a plugin: see tests/conftest.py), without
in-process tasks: here a worker runs them. A browser test that wants them in-process says so with
``pytest.mark.usefixtures("eager_tasks")``."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

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


def worker_start(*, extra_env: dict[str, str] | None = None, queue: str | None = None) -> WorkerProcess:
    """Start a real `celery worker` on a private queue and wait until it answers a ping.
    ``queue``: consume this queue instead of a new one (a worker restarted after a crash)."""
    redis_or_skip()
    tag = uuid.uuid4().hex[:8]
    hostname, queue = f"test-{tag}@localhost", queue or f"test-{tag}"
    # The worker's own follow-up tasks go to its private queue too.
    # The worker's uploads and kiosk frames in this session's folders (tests/fixtures/folders.py).
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.test",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TEST_BIOMETRICS_FRAMES_DIR": str(settings.BIOMETRICS_FRAMES_DIR),
        **(extra_env or {}),
    }
    # The worker's stderr, kept for a post-mortem; the child holds the only open handle.
    log_fd, log_path = tempfile.mkstemp(prefix=f"celery-worker-{tag}-", suffix=".log")
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
            hostname,
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_fd,
    )
    os.close(log_fd)
    from vendingstore.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited: {Path(log_path).read_text()[-2000:]}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return WorkerProcess(hostname=hostname, queue=queue, process=process)
    process.kill()
    pytest.fail(f"celery worker did not answer a ping within 60 s (its log: {log_path})")


def worker_database_url() -> str:
    """The test database as a DATABASE_URL, for a worker that must see what the test commits."""
    params = connection.settings_dict
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{params['USER']}@{host}:{port}/{params['NAME']}"


def worker_stop(worker: WorkerProcess) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.process.kill()


@pytest.fixture(scope="session")
def celery_worker_process() -> Iterator[WorkerProcess]:
    """A real `celery worker` process consuming a private queue, so it never takes work from
    (or gives work to) another worker on the same Redis."""
    worker = worker_start()
    yield worker
    worker_stop(worker)
