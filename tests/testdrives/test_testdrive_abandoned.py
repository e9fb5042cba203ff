"""A member who checks in and leaves without driving off: ``TESTDRIVE_ABANDONED_MINUTES`` after
the window ends the booking is a no-show, its car goes back into storage and its hold ends, the
member is told and staff alerted. Locked bookings and those waiting on the tower are left alone.
The clock is frozen; the car moves with the instant dispatcher."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fleet.models import BayKind, Vehicle, VehicleHold, VehicleStatus
from testdrives.eligibility import member_eligibility
from testdrives.models import Notification, State, TestDrive
from testdrives.notify import notification_text
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_dispatch_failed,
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
)
from testdrives.services.sweeps import sweep_abandoned, testdrives_sweep

pytestmark = pytest.mark.django_db

LEFT_STATES = [State.CHECKED_IN, State.VERIFYING, State.READY]


@pytest.fixture
def checked_in(book, super_member, kiosk, django_capture_on_commit_callbacks) -> Callable[..., TestDrive]:
    """Book and check in at 10:01; with ``fetch`` the car sent for at check-in reaches a delivery
    bay, without it the move is still queued."""

    def _checked_in(*, fetch: bool = True) -> TestDrive:
        td = book(super_member)
        with django_capture_on_commit_callbacks(execute=fetch):
            testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
        return TestDrive.objects.get(pk=td.pk)

    return _checked_in


@pytest.fixture
def sweep(django_capture_on_commit_callbacks) -> Callable[[], int]:
    """Run the beat sweep and what it starts after commit (car moves, e-mails); returns how many
    bookings it found left after check-in."""

    def _sweep() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return testdrives_sweep()["abandoned"]

    return _sweep


def left_in(state: str, td: TestDrive) -> TestDrive:
    """Walk a checked-in booking, its car in a delivery bay, on to ``state``, as a member would."""
    if state in (State.VERIFYING, State.READY):
        testdrive_face_check_started(test_drive=td)
    if state == State.READY:
        testdrive_identity_verified(test_drive=td, method="face")
    td.refresh_from_db()
    assert td.state == state
    return td


def time_up(td: TestDrive) -> datetime:
    return td.slot_end + timedelta(minutes=settings.TESTDRIVE_ABANDONED_MINUTES)


def vehicle_of(td: TestDrive) -> Vehicle:
    return Vehicle.objects.select_related("bay").get(pk=td.vehicle_id)


@pytest.mark.parametrize("state", LEFT_STATES)
def test_a_booking_left_after_check_in_is_a_no_show_exactly_when_its_time_is_up(
    state, checked_in, clock, sweep
):
    td = left_in(state, checked_in())

    clock.move_to(time_up(td) - timedelta(seconds=1))
    assert sweep() == 0
    assert TestDrive.objects.get(pk=td.pk).state == state
    clock.move_to(time_up(td))
    assert sweep() == 1

    td.refresh_from_db()
    assert td.state == State.NO_SHOW
    assert td.finished_at == time_up(td)


@pytest.mark.parametrize("state", LEFT_STATES)
def test_the_car_goes_back_into_storage_and_its_hold_ends(state, checked_in, clock, sweep):
    td = left_in(state, checked_in())
    assert vehicle_of(td).status == VehicleStatus.AT_DELIVERY_BAY

    clock.move_to(time_up(td))
    sweep()

    assert vehicle_of(td).status == VehicleStatus.STORED
    assert vehicle_of(td).bay.kind == BayKind.STORAGE
    assert VehicleHold.objects.get(booking_id=td.pk).released_at == time_up(td)


def test_the_member_is_told_and_staff_alerted_once(checked_in, clock, sweep, mailoutbox):
    td = left_in(State.READY, checked_in())
    clock.move_to(time_up(td))

    assert sweep() == 1
    storage_bay = vehicle_of(td).bay
    assert sweep() == 0

    note = Notification.objects.get(test_drive=td, kind="abandoned")
    subject, body = notification_text(note)
    told = [m for m in mailoutbox if m.to == [td.member.user.email] and m.subject == subject]
    assert [m.body for m in told] == [body]
    assert notification_text(note, language="en")[0] == "Test drive missed"
    staff = [address for _, address in settings.ADMINS]
    alerts = [m for m in mailoutbox if m.to == staff and td.pickup_code in m.subject]
    assert len(alerts) == 1
    assert "checked in but left" in alerts[0].subject
    assert vehicle_of(td).bay == storage_bay


def test_a_booking_that_became_ready_late_gets_its_own_wait(
    checked_in, staff, clock, sweep, django_capture_on_commit_callbacks
):
    td = checked_in(fetch=False)  # the car's move is stuck until the tower recovers
    with django_capture_on_commit_callbacks(execute=False) as retrieve:
        td = testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
    arrived_at = time_up(td) + timedelta(minutes=10)
    clock.move_to(arrived_at)
    for callback in retrieve:
        callback()
    assert TestDrive.objects.get(pk=td.pk).state == State.READY

    assert sweep() == 0
    clock.move_to(arrived_at + timedelta(minutes=settings.TESTDRIVE_ABANDONED_MINUTES))
    assert sweep() == 1


def locked(td: TestDrive, staff) -> TestDrive:
    for failures in range(1, settings.TESTDRIVE_FACE_ATTEMPTS_MAX + 1):
        testdrive_face_check_started(test_drive=td)
        testdrive_face_check_failed(test_drive=td, failures=failures, reason="no match")
    return td


def dispatching(td: TestDrive, staff) -> TestDrive:
    return testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")


def dispatch_failed(td: TestDrive, staff) -> TestDrive:
    return testdrive_dispatch_failed(test_drive=dispatching(td, staff), reason="lift fault")


@pytest.mark.parametrize(
    ("walk", "state", "fetch"),
    [
        (locked, State.LOCKED, True),
        (dispatching, State.DISPATCHING, False),
        (dispatch_failed, State.DISPATCH_FAILED, False),
    ],
)
def test_bookings_for_staff_or_the_tower_are_left_alone(
    walk, state, fetch, checked_in, staff, clock, django_capture_on_commit_callbacks
):
    td = checked_in(fetch=fetch)
    with django_capture_on_commit_callbacks(execute=False):  # a queued car move stays queued
        walk(td, staff)
    where = vehicle_of(td).bay
    clock.move_to(time_up(td) + timedelta(hours=1))

    # The sweep on its own: the beat run would also re-queue the lost move of a dispatching car.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_abandoned(now=timezone.now()) == 0

    td.refresh_from_db()
    assert td.state == state
    assert VehicleHold.objects.get(booking_id=td.pk).released_at is None
    assert not Notification.objects.filter(test_drive=td, kind="abandoned").exists()
    assert vehicle_of(td).bay == where


def test_it_counts_against_the_rolling_quota_like_any_no_show(checked_in, clock, sweep, car_model):
    td = left_in(State.READY, checked_in())
    clock.move_to(time_up(td))
    sweep()

    eligibility = member_eligibility(member=td.member, car_model=car_model, at=timezone.now())
    rules = {r.code: r for r in eligibility.rules}
    assert rules["quota_rolling"].used == 1
    assert rules["quota_one_active"].passed  # no longer booked
    assert rules["quota_model_once"].passed  # a no-show does not use the model up
