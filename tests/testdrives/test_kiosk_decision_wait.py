"""The kiosk's status request that waits for the face decision (``?wait=decision``)."""

import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.urls import reverse

from testdrives import selectors
from testdrives.models import State, TestDrive
from testdrives.selectors import testdrive_state_wait_while
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in
from tests.fixtures.database import worker_database_url
from tests.fixtures.world import TEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def verifying(client, store, staff, clock, book, super_member):
    """A kiosk signed in and a booking of its store waiting for a worker's face decision."""
    clock.move_to(TEN)
    kiosk, token = kiosk_create(store=store, name="Entrance", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    TestDrive.objects.filter(pk=td.pk).update(state=State.VERIFYING)
    return td


def decision_commits_on_first_sleep(monkeypatch, td: TestDrive) -> list[float]:
    """time.sleep replaced: the first nap is when the worker's decision commits."""
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        TestDrive.objects.filter(pk=td.pk).update(state=State.READY)

    monkeypatch.setattr(selectors.time, "sleep", nap)
    return naps


def test_the_wait_ends_at_the_first_look_after_the_decision(monkeypatch, verifying):
    naps = decision_commits_on_first_sleep(monkeypatch, verifying)

    state = testdrive_state_wait_while(test_drive_id=verifying.pk, state=State.VERIFYING, wait_s=1.5)

    assert state == State.READY
    assert naps == [0.01]


def test_the_wait_gives_up_after_its_bound_even_on_a_frozen_clock(monkeypatch, verifying):
    naps: list[float] = []
    monkeypatch.setattr(selectors.time, "sleep", naps.append)
    monkeypatch.setattr(selectors.time, "monotonic", lambda: 0.0)  # a clock that never moves

    state = testdrive_state_wait_while(test_drive_id=verifying.pk, state=State.VERIFYING, wait_s=0.1)

    assert state == State.VERIFYING
    assert len(naps) == 10  # 0.1 s in 10 ms looks, then the answer "still verifying"


def test_the_kiosk_status_asked_to_wait_shows_the_decision_made_meanwhile(client, monkeypatch, verifying):
    decision_commits_on_first_sleep(monkeypatch, verifying)
    url = reverse("kiosk:drive", args=[verifying.pickup_code])

    response = client.get(url, {"wait": "decision"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'data-state="ready"' in response.content.decode()


def test_the_ordinary_poll_never_waits(client, monkeypatch, verifying):
    naps = decision_commits_on_first_sleep(monkeypatch, verifying)
    url = reverse("kiosk:drive", args=[verifying.pickup_code])

    response = client.get(url, HTTP_HX_REQUEST="true")

    assert 'data-state="verifying"' in response.content.decode()
    assert naps == []


def commit_elsewhere_later(*statements: tuple[str, list], after_s: float = 0.2) -> threading.Thread:
    """Another connection (the worker's) runs ``statements`` in one transaction, ``after_s`` from now."""

    def run() -> None:
        time.sleep(after_s)
        with psycopg.connect(worker_database_url()) as other:
            for sql, params in statements:
                other.execute(sql, params)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_on_postgresql_the_wait_is_woken_by_the_decisions_commit(monkeypatch, verifying):
    monkeypatch.setattr(selectors, "STATE_RECHECK_S", 5.0)  # only the notification can end it early
    worker = commit_elsewhere_later(
        ("UPDATE testdrives_testdrive SET state = 'ready' WHERE id = %s", [verifying.pk]),
        ("SELECT pg_notify(%s, '')", [f"testdrive_state_{verifying.pk}"]),
    )
    started = time.monotonic()

    state = testdrive_state_wait_while(test_drive_id=verifying.pk, state=State.VERIFYING, wait_s=5.0)

    worker.join()
    assert state == State.READY
    assert time.monotonic() - started < 2.0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_a_change_that_notifies_no_one_is_still_seen_at_the_next_look(monkeypatch, verifying):
    monkeypatch.setattr(selectors, "STATE_RECHECK_S", 0.1)
    worker = commit_elsewhere_later(
        ("UPDATE testdrives_testdrive SET state = 'ready' WHERE id = %s", [verifying.pk])
    )

    state = testdrive_state_wait_while(test_drive_id=verifying.pk, state=State.VERIFYING, wait_s=5.0)

    worker.join()
    assert state == State.READY


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_the_face_verdict_notifies_the_bookings_channel_when_it_commits(verifying):
    from testdrives.services.face import testdrive_face_verdict_apply

    with psycopg.connect(worker_database_url(), autocommit=True) as kiosk:
        kiosk.execute(f"LISTEN testdrive_state_{verifying.pk}")
        with transaction.atomic():
            testdrive_face_verdict_apply(test_drive=verifying.pk, verdict="match", note="distance 0.3")
            assert list(kiosk.notifies(timeout=0.2)) == []  # nothing before the commit
        heard = [n.channel for n in kiosk.notifies(timeout=2.0, stop_after=1)]

    assert heard == [f"testdrive_state_{verifying.pk}"]
