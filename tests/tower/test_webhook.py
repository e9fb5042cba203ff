"""The webhook: signatures and the timestamp window, and exactly-once application whatever the
delivery order (duplicates, gaps, reversed)."""

import json
import time

import pytest
from django.test import Client

from fleet.models import VehicleStatus
from testdrives.models import State
from testdrives.services.tower_moves import testdrive_ref
from tests.tower.conftest import SECRET, wait_idle
from tower.models import CommandStatus, TowerCommand, TowerEvent, TowerLink
from tower.protocol import signed_headers

pytestmark = pytest.mark.django_db(transaction=True)


def post(client: Client, tower, event: dict, *, secret: str = SECRET, age_s: float = 0.0):
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = signed_headers(secret, body, tower=tower.code, seq=event["seq"], now=time.time() - age_s)
    return client.post(
        f"/tower/{tower.code}/events/",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


@pytest.fixture
def events(sim, sim_client, tower, verified, settings):
    """A retrieve run to completion in the simulator, its events not yet seen by us."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    td = verified()
    wait_idle(sim_client)
    log = sim_client.events(after=TowerLink.objects.get(tower=tower).applied_seq)["events"]
    assert [e["kind"] for e in log][-3:] == ["accepted", "running", "completed"]
    return td, log


def assert_ready_once(td) -> None:
    td.refresh_from_db()
    assert td.state == State.READY
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
    command = TowerCommand.objects.get(ref=testdrive_ref(td.pk))
    assert command.status == CommandStatus.COMPLETED
    assert TowerEvent.objects.filter(command=command, kind="completed").count() == 1


def test_it_applies_signed_events_in_order(client, tower, events) -> None:
    td, log = events
    for event in log:
        assert post(client, tower, event).status_code == 200
    assert_ready_once(td)


def test_it_applies_a_duplicated_delivery_once(client, tower, events) -> None:
    td, log = events
    for event in log + log:
        assert post(client, tower, event).status_code == 200
    assert_ready_once(td)
    assert TowerEvent.objects.filter(tower=tower).count() == len(log)


def test_it_waits_for_a_gap_when_delivered_in_reverse(client, tower, events, monkeypatch) -> None:
    td, log = events
    # No catch-up from the log here: the missing events must come from the webhook alone.
    monkeypatch.setattr("tower.views._catch_up_later", lambda tower_pk: None)
    for event in reversed(log[1:]):
        assert post(client, tower, event).status_code == 200
    td.refresh_from_db()
    assert td.state == State.DISPATCHING  # everything after the gap waits
    assert post(client, tower, log[0]).status_code == 200
    assert_ready_once(td)


def test_it_catches_up_a_dropped_event_from_the_log(client, tower, events) -> None:
    td, log = events
    response = post(client, tower, log[-1])  # every earlier delivery was "dropped"

    assert response.status_code == 200
    assert_ready_once(td)  # the gap was filled from GET /v1/events (eager task)


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "not-the-secret"},
        {"age_s": 3600},  # a replay of an old delivery
        {"age_s": -3600},
    ],
    ids=["wrong-secret", "stale", "future"],
)
def test_it_refuses_forged_or_replayed_webhooks(client, tower, events, forgery) -> None:
    td, log = events
    for event in log:
        assert post(client, tower, event, **forgery).status_code == 403
    assert not TowerEvent.objects.filter(tower=tower, seq__in=[e["seq"] for e in log]).exists()
    td.refresh_from_db()
    assert td.state == State.DISPATCHING


def test_it_refuses_a_tampered_body(client, tower, events) -> None:
    _td, log = events
    event = log[-1]
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = signed_headers(SECRET, body, tower=tower.code, seq=event["seq"])
    tampered = body.replace(b"completed", b"failed\x20\x20\x20")
    response = client.post(
        f"/tower/{tower.code}/events/",
        data=tampered,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert response.status_code == 403


def test_it_answers_400_to_an_event_of_another_tower(client, tower, events) -> None:
    _td, log = events
    assert post(client, tower, {**log[0], "tower": "elsewhere"}).status_code == 400
