"""A worker killed (SIGKILL) in the middle of a face decision: while the kiosk polls, the attempt is
queued again, and the worker that comes back decides it once, within seconds (issue 12 §5)."""

import signal
import time
import uuid

import psycopg
import pytest
from celery.app.task import Task
from django.urls import reverse
from django_fsm_log.models import StateLog

from biometrics.crypto import template_encrypt
from biometrics.engine import embed
from biometrics.models import FaceTemplate, VerificationAttempt
from testdrives.models import State, TestDrive
from testdrives.services.face import testdrive_face_check_start
from testdrives.services.kiosks import kiosk_create
from tests.e2e.conftest import WorkerProcess, worker_start, worker_stop
from tests.fixtures.database import worker_database_url
from tests.fixtures.faces import FACES, burst, needs_faces
from tests.fixtures.world import TEN

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_faces,
]

# Issue 12 §5's goal is a decision at most 10 s (p95) after a worker is back; measured 0-6 s on a
# quiet machine (docs/BIOMETRICS.md). A single timed run on a loaded CI machine is no measure of a
# p95 (13.7 s was seen with five test suites on two cores), so the test asserts what tells the
# fast path from the old one, which waited for the minute sweep (70-90 s): well under a minute.
RECOVERY_BOUND_S = 30.0
KIOSK_POLL_S = 2.0  # the kiosk page's hx-trigger="every 2s"


@pytest.fixture
def queue(monkeypatch) -> str:
    """One private queue for the killed worker and its replacement; every task goes there."""
    name = f"test-recovery-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Task, "delay", lambda self, *a, **kw: self.apply_async(a, kw, queue=name))
    return name


def start(queue: str) -> WorkerProcess:
    return worker_start(
        extra_env={"DATABASE_URL": worker_database_url(), "BIOMETRICS_REQUIRE_CHALLENGE": "false"},
        queue=queue,
    )


def kiosk_poll(client, td: TestDrive, clock) -> None:
    """One poll of the kiosk's status region; the test's frozen clock moves on by the poll period."""
    clock.shift(KIOSK_POLL_S)
    response = client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def wait_until(check, *, timeout: float, poll=None) -> float:
    """Seconds until ``check()`` held; ``poll()`` runs every KIOSK_POLL_S meanwhile."""
    start = time.monotonic()
    next_poll = start
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        if poll and time.monotonic() >= next_poll:
            poll()
            next_poll += KIOSK_POLL_S
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


def lock_waiters() -> int:
    """Backends of the test database waiting for a row lock (the worker, mid-decision)."""
    with psycopg.connect(worker_database_url(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        ).fetchone()[0]


@pytest.fixture
def at_kiosk(client, book, super_member, store, staff, clock) -> TestDrive:
    """An enrolled member checked in at a kiosk whose page (``client``) polls the booking."""
    FaceTemplate.objects.create(
        member=super_member, model="SFace", vector_encrypted=template_encrypt(embed(FACES / "img16.jpg"))
    )
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="k", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    return td


def killed_mid_decision(queue: str, td: TestDrive, *, before_kill=lambda: None) -> VerificationAttempt:
    """Start a worker, let it take the attempt's task, and SIGKILL it while it decides.

    The test holds the attempt's row, so the worker is caught inside face_verify_pickup, waiting
    for the lock, its message taken and not acknowledged; then the lock goes with the worker.
    """
    worker = start(queue)
    with psycopg.connect(worker_database_url()) as blocker:
        attempt = testdrive_face_check_start(
            test_drive=td, frames=burst("img59.jpg"), request_key=uuid.uuid4()
        )
        blocker.execute(
            "SELECT id FROM biometrics_verificationattempt WHERE id = %s FOR UPDATE", [attempt.pk]
        )
        wait_until(lambda: lock_waiters() > 0, timeout=60)
        before_kill()
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=10)
        blocker.rollback()
    return attempt


def decided(attempt: VerificationAttempt) -> bool:
    return VerificationAttempt.objects.get(pk=attempt.pk).result != "pending"


def assert_decided_once(attempt: VerificationAttempt, td: TestDrive) -> None:
    assert VerificationAttempt.objects.get(pk=attempt.pk).result == "match"
    assert TestDrive.objects.get(pk=td.pk).state == State.READY
    # Exactly once: one attempt, one verified transition in the booking's log.
    assert VerificationAttempt.objects.filter(test_drive=td).count() == 1
    assert StateLog.objects.for_(TestDrive.objects.get(pk=td.pk)).filter(transition="verify").count() == 1


def test_the_worker_that_comes_back_decides_the_attempt_once_well_before_the_minute_sweep(
    queue, client, at_kiosk, clock
):
    td = at_kiosk
    attempt = killed_mid_decision(queue, td)
    # No worker: the kiosk keeps polling, and nothing decides the attempt.
    for _ in range(3):
        kiosk_poll(client, td, clock)
        time.sleep(KIOSK_POLL_S)
    assert not decided(attempt)

    launched = time.monotonic()
    replacement = start(queue)  # returns when it first answers a ping: the worker is back
    back = time.monotonic()
    try:
        wait_until(lambda: decided(attempt), timeout=60, poll=lambda: kiosk_poll(client, td, clock))
        done = time.monotonic()
        time.sleep(KIOSK_POLL_S)  # copies queued meanwhile find it decided
    finally:
        worker_stop(replacement)

    print(f"decided {done - back:+.1f} s from the worker's return ({done - launched:.1f} s from its launch)")
    assert done - back <= RECOVERY_BOUND_S
    assert_decided_once(attempt, td)


def test_a_second_worker_takes_over_well_before_the_minute_sweep(queue, client, at_kiosk, clock):
    td = at_kiosk
    second: list[WorkerProcess] = []
    attempt = killed_mid_decision(queue, td, before_kill=lambda: second.append(start(queue)))
    killed_at = time.monotonic()
    try:
        wait_until(lambda: decided(attempt), timeout=60, poll=lambda: kiosk_poll(client, td, clock))
        took = time.monotonic() - killed_at
        time.sleep(KIOSK_POLL_S)
    finally:
        worker_stop(second[0])

    print(f"a second worker decided it {took:.1f} s after the first was killed")
    assert took <= RECOVERY_BOUND_S
    assert_decided_once(attempt, td)
