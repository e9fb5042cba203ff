"""The kiosk's status request that waits for the face decision (``?wait=decision``)."""

import pytest
from django.urls import reverse

from testdrives import selectors
from testdrives.models import State, TestDrive
from testdrives.selectors import testdrive_state_wait_while
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in
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
