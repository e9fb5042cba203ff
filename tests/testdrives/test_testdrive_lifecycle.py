"""The whole lifecycle through the services, as the kiosk, the face check, the tower and staff
drive it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django_fsm_log.models import StateLog

from fleet.models import VehicleHold, VehicleStatus
from testdrives.errors import PaymentFailed, PickupCodeUnknown, TransitionRefused
from testdrives.models import Kiosk, Notification, PurchaseOrder, State, TestDrive
from testdrives.selectors import testdrive_timeline
from testdrives.services.booking import testdrive_pay_fee
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
    testdrive_inspect,
    testdrive_return,
    testdrive_unlock,
)
from testdrives.services.purchase import testdrive_purchase
from tests.factories import StoreFactory
from tests.fixtures.world import TEN
from tests.returns_support import four_sides

pytestmark = pytest.mark.django_db


def to_ready(td: TestDrive, kiosk: Kiosk, capture) -> TestDrive:
    """Check in, pass the face check and let the (instant) tower bring the car down."""
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    testdrive_face_check_started(test_drive=td)
    with capture(execute=True):
        testdrive_identity_verified(test_drive=td, method="face")
    return TestDrive.objects.get(pk=td.pk)


def test_a_booking_runs_from_check_in_to_completed(
    book, super_member, kiosk, staff, clock, django_capture_on_commit_callbacks
):
    td = book(super_member)

    td = to_ready(td, kiosk, django_capture_on_commit_callbacks)

    assert td.state == State.READY
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
    assert td.vehicle.bay == td.delivery_bay
    assert td.delivery_bay.kind == "delivery"

    testdrive_depart(test_drive=td)
    td.refresh_from_db()
    assert td.state == State.ON_DRIVE
    assert td.due_back_at == td.departed_at + timedelta(hours=72)
    assert td.vehicle.status == VehicleStatus.ON_DRIVE
    assert td.vehicle.bay is None
    assert td.return_code

    clock.move_to(td.due_back_at - timedelta(hours=1))
    testdrive_return(test_drive=td, odometer_km=td.odometer_out_km + 180, energy_pct=40, sides=four_sides())
    td.refresh_from_db()
    assert td.state == State.RETURNED
    assert td.late_fee_cny == 0
    assert td.vehicle.odometer_km == td.odometer_out_km + 180

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_inspect(test_drive=td, by=staff, notes="clean, no damage")
    td.refresh_from_db()
    assert td.state == State.COMPLETED
    assert td.vehicle.status == VehicleStatus.STORED
    assert VehicleHold.objects.get(booking_id=td.pk).released_at is not None
    steps = [(t["from"], t["to"]) for t in testdrive_timeline(test_drive=td)]
    assert steps == [
        ("scheduled", "checked_in"),
        ("checked_in", "verifying"),
        ("verifying", "verified"),
        ("verified", "dispatching"),
        ("dispatching", "ready"),
        ("ready", "on_drive"),
        ("on_drive", "returned"),
        ("returned", "completed"),
    ]
    assert StateLog.objects.filter(state="completed", by=staff, description="clean, no damage").exists()
    assert set(Notification.objects.filter(test_drive=td).values_list("kind", flat=True)) == {
        "booked",
        "ready",
    }


def test_a_late_return_pays_per_started_hour_after_the_grace_period(
    book, super_member, kiosk, clock, django_capture_on_commit_callbacks
):
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    td.refresh_from_db()

    clock.move_to(td.due_back_at + timedelta(hours=2, minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_return(
            test_drive=td, odometer_km=td.odometer_out_km + 10, energy_pct=50, sides=four_sides()
        )

    td.refresh_from_db()
    assert td.late_fee_cny == 3 * 50
    assert td.payments.get(purpose="late_fee").status == "paid"


def test_within_the_grace_period_there_is_no_late_fee(
    book, super_member, kiosk, clock, django_capture_on_commit_callbacks
):
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    td.refresh_from_db()
    clock.move_to(td.due_back_at + timedelta(minutes=29))

    testdrive_return(test_drive=td, odometer_km=td.odometer_out_km, energy_pct=50, sides=four_sides())

    td.refresh_from_db()
    assert td.late_fee_cny == 0


def test_a_return_with_an_odometer_going_backwards_is_refused_and_changes_nothing(
    book, super_member, kiosk, django_capture_on_commit_callbacks
):
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    td.refresh_from_db()

    with pytest.raises(TransitionRefused):
        testdrive_return(test_drive=td, odometer_km=td.odometer_out_km - 1, energy_pct=50, sides=four_sides())

    td.refresh_from_db()
    assert td.state == State.ON_DRIVE
    assert td.vehicle.status == VehicleStatus.ON_DRIVE


def test_five_failed_face_checks_lock_the_booking_and_staff_can_unlock_it(book, super_member, kiosk, staff):
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    for failures in range(1, settings.TESTDRIVE_FACE_ATTEMPTS_MAX + 1):
        testdrive_face_check_started(test_drive=td)
        td = testdrive_face_check_failed(test_drive=td, failures=failures, reason="no match")
        assert td.state == (
            State.LOCKED if failures == settings.TESTDRIVE_FACE_ATTEMPTS_MAX else State.CHECKED_IN
        )

    td = testdrive_unlock(test_drive=td, by=staff, reason="member called, photo was dark")
    assert td.state == State.CHECKED_IN


def test_staff_verify_by_hand_only_saying_what_they_checked(book, super_member, kiosk, staff):
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    with pytest.raises(TransitionRefused):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note=" ")
    td = testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")

    assert td.state == State.DISPATCHING
    assert td.identity_method == "staff"
    assert StateLog.objects.filter(state="verified", by=staff, description__contains="licence").exists()


def test_check_in_is_refused_for_another_stores_code_too_early_or_unpaid(
    book, super_member, basic_member, kiosk, clock, staff
):
    td = book(super_member)
    elsewhere, _token = kiosk_create(store=StoreFactory(), name="Other", by=staff)
    with pytest.raises(PickupCodeUnknown):
        testdrive_check_in(kiosk=elsewhere, pickup_code=td.pickup_code)

    clock.move_to(TEN - timedelta(minutes=31))
    with pytest.raises(TransitionRefused):
        testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    unpaid = book(basic_member)
    clock.move_to(TEN)
    with pytest.raises(PaymentFailed):
        testdrive_check_in(kiosk=kiosk, pickup_code=unpaid.pickup_code)
    testdrive_pay_fee(test_drive=unpaid)
    assert testdrive_check_in(kiosk=kiosk, pickup_code=unpaid.pickup_code.lower()).state == State.CHECKED_IN


def test_a_second_tap_on_check_in_changes_nothing(book, super_member, kiosk):
    td = book(super_member)

    first = testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    second = testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    assert first.state == second.state == State.CHECKED_IN
    assert StateLog.objects.for_(td).count() == 1


@pytest.mark.parametrize("method", ["full", "financed"])
def test_the_member_buys_the_car_during_the_drive(
    book, super_member, kiosk, method, django_capture_on_commit_callbacks
):
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    args = {"down_payment_cny": 50_000, "term_months": 36} if method == "financed" else {}

    order = testdrive_purchase(test_drive=td, member=super_member, method=method, **args)
    again = testdrive_purchase(test_drive=td, member=super_member, method=method, **args)

    assert order.pk == again.pk
    td.refresh_from_db()
    assert td.state == State.PURCHASED
    assert td.vehicle.status == VehicleStatus.SOLD
    assert order.price_cny == 200_000 == order.down_payment_cny + order.financed_cny
    assert order.payment.status == "paid"
    assert VehicleHold.objects.get(booking_id=td.pk).released_at is not None
    assert PurchaseOrder.objects.count() == 1


def test_a_financing_down_payment_below_a_fifth_is_refused(
    book, super_member, kiosk, django_capture_on_commit_callbacks
):
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)

    with pytest.raises(TransitionRefused):
        testdrive_purchase(
            test_drive=td, member=super_member, method="financed", down_payment_cny=1000, term_months=36
        )

    assert not PurchaseOrder.objects.exists()


def test_a_booking_not_yet_on_the_road_cannot_be_bought(book, super_member):
    td = book(super_member)

    with pytest.raises(TransitionRefused):
        testdrive_purchase(test_drive=td, member=super_member, method="full")


def test_the_purchase_finances_exactly_what_the_calculator_quotes(
    book, super_member, kiosk, django_capture_on_commit_callbacks, settings
):
    from fleet.pricing import FinanceRefused, finance_quote

    settings.FINANCE_MIN_DOWN_PAYMENT_PCT = 30
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    with pytest.raises(FinanceRefused) as calculator:
        finance_quote(price_cny=200_000, down_payment_cny=50_000, term_months=36)
    with pytest.raises(TransitionRefused) as purchase:
        testdrive_purchase(
            test_drive=td, member=super_member, method="financed", down_payment_cny=50_000, term_months=36
        )
    assert str(purchase.value) == str(calculator.value)

    order = testdrive_purchase(
        test_drive=td, member=super_member, method="financed", down_payment_cny=60_000, term_months=36
    )
    quote = finance_quote(price_cny=200_000, down_payment_cny=60_000, term_months=36)
    assert (order.down_payment_cny, order.financed_cny) == (quote.down_payment_cny, quote.financed_cny)
