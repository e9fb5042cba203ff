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

from tests.e2e.tower_support import DB_TURN, SECRET, SimProcess, sim_start
from tower import views
from tower.reconcile import tower_inventory_push

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


# --- A tower simulator process behind the live server (the test module provides ``world``) -----


@pytest.fixture
def webhook_errors(monkeypatch) -> list[BaseException]:
    """The webhook's handling, one turn at a time, with every exception (a 500) recorded."""
    errors: list[BaseException] = []
    receive = views._receive

    def turn(tower, body):
        with DB_TURN:
            try:
                return receive(tower, body)
            except BaseException as error:
                errors.append(error)
                raise

    monkeypatch.setattr(views, "_receive", turn)
    return errors


@pytest.fixture
def sim(world, live_server, settings, tmp_path, webhook_errors) -> Iterator[SimProcess]:
    """The module's ``world`` tower run by a real simulator process, its inventory pushed, with
    the controller dispatcher; no webhook may have failed by the end of the test."""
    tower = world["tower"]
    process = sim_start(tower, live_server_url=live_server.url, state_dir=tmp_path / "state")
    settings.TOWER_DISPATCHER = "controller"
    settings.TOWER_CONTROLLERS = {tower.code: process.url}
    settings.TOWER_SECRETS = {tower.code: SECRET}
    settings.TOWER_SEND_BACKOFF_SECONDS = 0.2
    settings.TOWER_SEND_BACKOFF_MAX_SECONDS = 1.0
    settings.TOWER_PRESTAGE_ENABLED = False
    with DB_TURN:
        assert tower_inventory_push(tower=tower) == "loaded"
    yield process
    process.stop()
    assert not webhook_errors, webhook_errors
