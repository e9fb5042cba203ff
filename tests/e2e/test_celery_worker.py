import time

import pytest
from celery import Celery

from vendingstore.celery import app
from vendingstore.health import HEARTBEAT_KEY, _redis, check_worker, heartbeat_age
from vendingstore.tasks import heartbeat

pytestmark = pytest.mark.integration


def test_a_real_worker_answers_a_ping(celery_worker_process) -> None:
    replies = app.control.ping(destination=[celery_worker_process.hostname], timeout=2)
    assert replies == [{celery_worker_process.hostname: {"ok": "pong"}}]


def test_the_beat_heartbeat_task_runs_on_a_real_worker(celery_worker_process) -> None:
    _redis().delete(HEARTBEAT_KEY)
    heartbeat.apply_async(queue=celery_worker_process.queue)
    deadline = time.monotonic() + 20
    while heartbeat_age() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    age = heartbeat_age()
    assert age is not None
    assert age < 20


def test_the_worker_check_fails_when_no_worker_listens_on_the_broker(settings) -> None:
    empty_broker = settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    lonely = Celery("lonely", broker=empty_broker)
    check = check_worker(app=lonely, timeout=0.5)
    assert not check.ok
    assert check.detail == "no worker answered"
