"""The whole face pickup through a real Celery worker process, Redis and PostgreSQL: enrolment
and verification decided by the worker, the booking moved on, the probe frames deleted."""

import time
import uuid
from collections.abc import Iterator

import pytest
from celery.app.task import Task

from biometrics.models import FaceTemplate, VerificationAttempt
from biometrics.services import face_enrol
from testdrives.models import Kiosk, State, TestDrive
from testdrives.services.face import testdrive_face_check_start
from testdrives.services.lifecycle import testdrive_check_in
from tests.e2e.conftest import WorkerProcess, worker_start, worker_stop
from tests.fixtures.database import worker_database_url
from tests.fixtures.faces import burst, needs_faces, photo
from tests.fixtures.world import TEN

# The worker reads the test database, so it must be a server database the test commits to.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_faces,
]


@pytest.fixture
def db_worker(transactional_db, monkeypatch) -> Iterator[WorkerProcess]:
    """A worker on the test database; every task this test queues goes to its private queue."""
    worker = worker_start(
        extra_env={"DATABASE_URL": worker_database_url(), "BIOMETRICS_REQUIRE_CHALLENGE": "true"}
    )
    monkeypatch.setattr(
        Task, "delay", lambda self, *args, **kwargs: self.apply_async(args, kwargs, queue=worker.queue)
    )
    yield worker
    worker_stop(worker)


def wait_for(check, *, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_a_member_enrols_and_is_recognised_at_the_kiosk_by_a_real_worker(
    db_worker, book, super_member, store, staff, clock
):
    face_enrol(member=super_member, photo=photo("img16.jpg"))
    wait_for(lambda: FaceTemplate.objects.filter(member=super_member).exists())

    td = book(super_member)
    clock.move_to(TEN)
    kiosk = Kiosk.objects.create(store=store, name="k", token_hash="d" * 64, created_by=staff)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    impostor = testdrive_face_check_start(test_drive=td, frames=burst("img3.jpg"), request_key=uuid.uuid4())
    wait_for(lambda: VerificationAttempt.objects.get(pk=impostor.pk).result != "pending")
    assert VerificationAttempt.objects.get(pk=impostor.pk).result == "no_match"
    wait_for(lambda: TestDrive.objects.get(pk=td.pk).state == State.CHECKED_IN)

    attempt = testdrive_face_check_start(test_drive=td, frames=burst("img59.jpg"), request_key=uuid.uuid4())
    wait_for(lambda: TestDrive.objects.get(pk=td.pk).state == State.READY)

    decided = VerificationAttempt.objects.get(pk=attempt.pk)
    assert decided.result == "match"
    assert decided.frames == []
    assert decided.timings_ms["embed"] < 2000
