"""A bay gate that never closes after a return reaches an operator: once the returned car has stood
in its delivery bay ``OPS_GATE_OPEN_MINUTES`` with the gate not closed behind the member, an item
is queued and alerted once; the operator who saw the bay empty on its camera has the car stowed in
one click (with what the camera showed), audited."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from fleet.models import Vehicle, VehicleStatus
from ops.alerts import ops_alerts
from ops.models import AuditEntry, Duty, QueueItem, QueueKind
from ops.queues import needs_open
from ops.services import OverrideNeedsReason, ops_bay_clear
from testdrives.errors import TransitionRefused
from testdrives.models import State, TestDrive
from testdrives.services.dispatchers import InstantDispatcher
from testdrives.services.lifecycle import testdrive_return
from testdrives.services.returns import testdrive_bay_left, testdrive_review_ok
from tests.fixtures.world import make_member
from tests.returns_support import four_sides

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate(monkeypatch) -> None:
    """A tower that reports its delivery bays' gates (as a controller does)."""
    monkeypatch.setattr(InstantDispatcher, "gate_reported", lambda self: True)


@pytest.fixture
def returned(out_on_drive, gate, django_capture_on_commit_callbacks) -> TestDrive:
    with django_capture_on_commit_callbacks(execute=True):
        return testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 50,
            energy_pct=60,
            sides=four_sides(),
        )


def _gates() -> list:
    return [n for n in needs_open() if n.kind == QueueKind.GATE_OPEN]


def _late(clock, settings) -> None:
    clock.shift(settings.OPS_GATE_OPEN_MINUTES * 60 + 1)


def test_a_gate_still_open_after_the_time_is_queued_with_a_clear_subject(
    returned, clock, settings, store
) -> None:
    assert _gates() == []

    _late(clock, settings)

    [need] = _gates()
    assert need.key == str(returned.pk)
    assert need.subject == (
        f"{store.name}: the gate of bay {returned.delivery_bay.code} has not closed since booking "
        f"{returned.pickup_code}'s car was returned (someone still inside, or the gate stuck)"
    )


def test_it_is_alerted_once_and_closes_by_itself_when_the_gate_closes(
    returned, clock, settings, operator, store, django_capture_on_commit_callbacks
) -> None:
    Duty.objects.create(user=operator, starts=time(0), ends=time(0)).stores.add(store)
    _late(clock, settings)

    ops_alerts()
    ops_alerts()
    gate_mails = [m for m in mail.outbox if "has not closed" in m.subject]
    assert len(gate_mails) == 1

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_bay_left(bay=returned.delivery_bay, occupied=True)
    assert _gates() == []
    ops_alerts()
    assert QueueItem.objects.get(kind=QueueKind.GATE_OPEN).closed_at is not None


def test_the_review_done_does_not_hide_a_gate_still_open(returned, clock, settings, operator) -> None:
    testdrive_review_ok(test_drive=returned, by=operator)
    _late(clock, settings)

    assert [n.key for n in _gates()] == [str(returned.pk)]


def test_without_gate_reports_nothing_is_queued(
    out_on_drive, clock, settings, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km,
            energy_pct=60,
            sides=four_sides(),
        )
    _late(clock, settings)

    assert _gates() == []


def test_one_click_stows_the_car_closes_the_item_and_is_audited(
    client, returned, clock, settings, operator, django_capture_on_commit_callbacks
) -> None:
    _late(clock, settings)
    client.force_login(operator)
    board = client.get(reverse("ops:console")).content.decode()
    assert 'data-action="bay_clear"' in board

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ops:act", args=["bay_clear", returned.pk]),
            {"reason": "camera: bay empty, gate jammed open"},
        )

    assert response.status_code == 302
    assert Vehicle.objects.get(pk=returned.vehicle_id).status == VehicleStatus.STORED
    assert TestDrive.objects.get(pk=returned.pk).bay_left_at is not None
    entry = AuditEntry.objects.get(action="bay_clear")
    assert (entry.by, entry.test_drive_id, entry.reason) == (
        operator,
        returned.pk,
        "camera: bay empty, gate jammed open",
    )
    assert _gates() == []


def test_it_needs_what_the_camera_showed_and_a_car_still_in_the_bay(
    returned, clock, settings, operator, django_capture_on_commit_callbacks
) -> None:
    _late(clock, settings)
    with pytest.raises(OverrideNeedsReason):
        ops_bay_clear(test_drive=returned, by=operator, reason=" ")
    assert TestDrive.objects.get(pk=returned.pk).bay_left_at is None

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_bay_left(bay=returned.delivery_bay, occupied=True)
    with pytest.raises(TransitionRefused):
        ops_bay_clear(test_drive=returned, by=operator, reason="camera: empty")
    assert not AuditEntry.objects.filter(action="bay_clear").exists()


def test_an_auditor_cannot_clear_a_bay(client, returned, clock, settings, auditor) -> None:
    _late(clock, settings)
    client.force_login(auditor)

    response = client.post(reverse("ops:act", args=["bay_clear", returned.pk]), {"reason": "camera: empty"})

    assert response.status_code == 403
    assert TestDrive.objects.get(pk=returned.pk).bay_left_at is None


def test_a_car_its_next_booking_sent_for_is_not_a_gate_left_open(returned, clock, settings) -> None:
    _late(clock, settings)
    TestDrive.objects.create(
        member=make_member(score=760),
        vehicle=returned.vehicle,
        car_model=returned.car_model,
        paint=returned.paint,
        store=returned.store,
        state=State.DISPATCHING,
        slot_start=returned.slot_start + timedelta(days=1),
        slot_end=returned.slot_end + timedelta(days=1),
        pickup_code="NEXTPICK",
    )

    assert _gates() == []
