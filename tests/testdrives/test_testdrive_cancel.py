from datetime import timedelta

import pytest

from fleet.models import VehicleHold, VehicleStatus
from testdrives.errors import TransitionRefused
from testdrives.models import Notification, PickupWindow, State, TestDrive
from testdrives.services.booking import testdrive_cancel, testdrive_pay_fee
from testdrives.services.lifecycle import testdrive_check_in, testdrive_identity_verified
from tests.fixtures.world import TEN, make_member

pytestmark = pytest.mark.django_db


def test_a_member_cancels_before_check_in_and_the_car_is_free_at_once(book, super_member, clock, cars):
    td = book(super_member)

    testdrive_cancel(test_drive=td, by=super_member.user)
    testdrive_cancel(test_drive=td, by=super_member.user)  # a double click

    td.refresh_from_db()
    assert td.state == State.CANCELLED
    assert VehicleHold.objects.get(booking_id=td.pk).released_at is not None
    assert PickupWindow.objects.get(starts_at=TEN).booked == 0
    assert Notification.objects.filter(test_drive=td, kind="cancelled").count() == 1
    others = [make_member(score=760) for _ in range(2)]
    assert {book(m).vehicle for m in others} == set(cars)


def test_a_member_cannot_cancel_after_check_in_but_staff_can(book, super_member, staff, kiosk):
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    with pytest.raises(TransitionRefused):
        testdrive_cancel(test_drive=td, by=super_member.user)
    testdrive_cancel(test_drive=td, by=staff, as_staff=True, reason="member left")

    td.refresh_from_db()
    assert td.state == State.CANCELLED


def test_staff_cancelling_a_car_already_at_the_bay_sends_it_back_to_storage(
    book, super_member, staff, kiosk, django_capture_on_commit_callbacks
):
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")
    td.refresh_from_db()
    assert td.state == State.READY

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_cancel(test_drive=td, by=staff, as_staff=True, reason="member changed their mind")

    td.vehicle.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.STORED


def test_nobody_cancels_once_the_car_has_left(book, super_member, staff):
    td = book(super_member)
    TestDrive.objects.filter(pk=td.pk).update(state=State.ON_DRIVE, departed_at=TEN)

    with pytest.raises(TransitionRefused):
        testdrive_cancel(test_drive=td, by=super_member.user)
    with pytest.raises(TransitionRefused):
        testdrive_cancel(test_drive=td, by=staff, as_staff=True)
    assert TestDrive.objects.get(pk=td.pk).state == State.ON_DRIVE


def test_cancelling_a_paid_fee_booking_refunds_the_fee(
    book, basic_member, django_capture_on_commit_callbacks
):
    td = book(basic_member)
    testdrive_pay_fee(test_drive=td)

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_cancel(test_drive=td, by=basic_member.user)

    assert td.payments.get(purpose="fee").status == "refunded"


def test_the_window_place_is_kept_when_cancelling_after_the_window_started(book, super_member, clock, staff):
    td = book(super_member)
    clock.move_to(TEN + timedelta(minutes=5))

    testdrive_cancel(test_drive=td, by=staff, as_staff=True)

    assert PickupWindow.objects.get(starts_at=TEN).booked == 1
