"""Early retrieve with the instant dispatcher: the car starts for a delivery bay when the member
checks in, waits there while the identity is checked, and the booking is ready the moment it is
verified (or when the car arrives, if verification was quicker)."""

from collections.abc import Callable

import pytest
from celery import Task
from celery.signals import task_prerun
from django.conf import settings

from fleet.models import Bay, BayKind, Vehicle, VehicleStatus
from fleet.services import vehicle_place
from testdrives.models import Notification, State, TestDrive
from testdrives.selectors import testdrive_timeline
from testdrives.services import instant
from testdrives.services.booking import testdrive_cancel
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
    testdrive_unlock,
)
from tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moves(monkeypatch) -> list[tuple[int, str]]:
    """Every move the instant dispatcher makes: (vehicle, kind of the target bay)."""
    done: list[tuple[int, str]] = []
    place = instant.vehicle_place

    def recording(*, vehicle: Vehicle, bay: Bay) -> Vehicle:
        done.append((vehicle.pk, bay.kind))
        return place(vehicle=vehicle, bay=bay)

    monkeypatch.setattr(instant, "vehicle_place", recording)
    return done


def vehicle_of(td: TestDrive) -> Vehicle:
    return Vehicle.objects.select_related("bay").get(pk=td.vehicle_id)


def tasks_run(callbacks: list[Callable[[], object]]) -> list[str]:
    """Run captured on-commit callbacks; the names of the tasks they start (eagerly, in order)."""
    names: list[str] = []

    def record(sender: Task, **_: object) -> None:
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        for callback in callbacks:
            callback()
    finally:
        task_prerun.disconnect(record)
    return names


def test_checking_in_brings_the_car_to_a_delivery_bay_without_making_the_booking_ready(
    book, super_member, kiosk, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)

    with django_capture_on_commit_callbacks(execute=True):
        td = testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    td.refresh_from_db()
    assert td.state == State.CHECKED_IN
    assert vehicle_of(td).status == VehicleStatus.AT_DELIVERY_BAY
    assert vehicle_of(td).bay.kind == BayKind.DELIVERY
    assert moves == [(td.vehicle_id, BayKind.DELIVERY)]
    assert not Notification.objects.filter(test_drive=td, kind="ready").exists()


def test_a_verification_after_the_car_arrived_makes_the_booking_ready_at_once(
    book, super_member, kiosk, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    testdrive_face_check_started(test_drive=td)

    # Ready within the verification's own transaction: no car move is asked after its commit.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        td = testdrive_identity_verified(test_drive=td, method="face")

    assert td.state == State.READY
    assert td.delivery_bay == vehicle_of(td).bay
    assert Notification.objects.filter(test_drive=td, kind="ready").count() == 1
    assert tasks_run(callbacks) == ["testdrives.tasks.notification_deliver"]
    assert moves == [(td.vehicle_id, BayKind.DELIVERY)]
    steps = [(t["from"], t["to"]) for t in testdrive_timeline(test_drive=td)]
    assert steps[-3:] == [("verifying", "verified"), ("verified", "dispatching"), ("dispatching", "ready")]


def test_a_verification_before_the_car_arrived_makes_it_ready_on_arrival(
    book, super_member, kiosk, staff, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=False) as early:  # the move is still queued
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=False) as on_verify:
        td = testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
    assert td.state == State.DISPATCHING
    assert vehicle_of(td).status == VehicleStatus.STORED

    for callback in [*early, *on_verify]:  # the early move arrives, then the verification's (a no-op)
        callback()

    td.refresh_from_db()
    assert td.state == State.READY
    assert td.delivery_bay == vehicle_of(td).bay
    assert moves == [(td.vehicle_id, BayKind.DELIVERY)]


def test_a_second_tap_on_check_in_sends_for_the_car_once(
    book, super_member, kiosk, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=True) as first:
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True) as second:
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    assert len(first) == 1
    assert second == []
    assert moves == [(td.vehicle_id, BayKind.DELIVERY)]


def test_staff_cancelling_while_the_car_waits_in_the_bay_send_it_back_once(
    book, super_member, kiosk, staff, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_cancel(test_drive=td, by=staff, as_staff=True, reason="member left")

    td.refresh_from_db()
    assert td.state == State.CANCELLED
    assert vehicle_of(td).status == VehicleStatus.STORED
    assert moves == [(td.vehicle_id, BayKind.DELIVERY), (td.vehicle_id, BayKind.STORAGE)]


def test_staff_cancelling_while_the_car_is_on_its_way_leave_it_in_storage(
    book, super_member, kiosk, staff, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=False) as early:
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_cancel(test_drive=td, by=staff, as_staff=True, reason="member left")

    for callback in early:  # the early move's task runs after the cancellation
        callback()

    assert vehicle_of(td).status == VehicleStatus.STORED
    assert moves == []


def test_failed_face_checks_and_a_lock_keep_the_car_waiting_in_the_bay(
    book, super_member, kiosk, staff, moves, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    bay = vehicle_of(td).bay

    with django_capture_on_commit_callbacks(execute=True):
        for failures in range(1, settings.TESTDRIVE_FACE_ATTEMPTS_MAX + 1):
            testdrive_face_check_started(test_drive=td)
            testdrive_face_check_failed(test_drive=td, failures=failures, reason="no match")
    td.refresh_from_db()
    assert td.state == State.LOCKED
    assert vehicle_of(td).bay == bay

    testdrive_unlock(test_drive=td, by=staff, reason="photo was dark")
    testdrive_face_check_started(test_drive=td)
    td = testdrive_identity_verified(test_drive=td, method="face")

    assert td.state == State.READY
    assert td.delivery_bay == bay
    assert moves == [(td.vehicle_id, BayKind.DELIVERY)]


def test_with_every_delivery_bay_taken_check_in_still_succeeds_and_the_car_waits(
    book, super_member, kiosk, store, moves, django_capture_on_commit_callbacks
):
    for bay in Bay.objects.filter(tower__store=store, kind=BayKind.DELIVERY):  # cars of another model
        vehicle_place(vehicle=VehicleFactory(store=store), bay=bay)
    td = book(super_member)

    with django_capture_on_commit_callbacks(execute=True):
        td = testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    td.refresh_from_db()
    assert td.state == State.CHECKED_IN
    assert vehicle_of(td).status == VehicleStatus.STORED
    assert moves == []
