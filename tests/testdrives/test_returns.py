"""Returns that free the delivery bay by themselves: four side photos, the car stowed once the
member has left the bay, held until the operator's review, which completes the drive with or
without a charge."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from fleet.models import VehicleHold, VehicleStatus
from testdrives.errors import ChargeRefused, ReturnPhotoRefused, ReturnSidesMissing, TransitionRefused
from testdrives.models import Notification, Payment, ReturnPhoto, State, TestDrive
from testdrives.services.dispatchers import InstantDispatcher
from testdrives.services.lifecycle import testdrive_return
from testdrives.services.purchase import testdrive_buyable
from testdrives.services.return_photos import return_view
from testdrives.services.returns import (
    testdrive_bay_left,
    testdrive_charge_open,
    testdrive_return_photo_add,
    testdrive_review_ok,
)
from testdrives.services.sweeps import sweep_overdue_holds, sweep_returns_left_in_bay
from tests.fixtures.world import TEN, make_member
from tests.returns_support import four_sides, side_png
from vendingstore.uploads import PhotoRefused, PhotoTooLarge

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate(monkeypatch) -> None:
    """A tower that reports its delivery bays' gates (as a controller does)."""
    monkeypatch.setattr(InstantDispatcher, "gate_reported", lambda self: True)


def give_back(td: TestDrive, capture, **kwargs) -> TestDrive:
    with capture(execute=True):
        testdrive_return(
            test_drive=td,
            odometer_km=td.odometer_out_km + 120,
            energy_pct=55,
            **{"sides": four_sides(), **kwargs},
        )
    return TestDrive.objects.select_related("vehicle").get(pk=td.pk)


# --- the four sides ------------------------------------------------------------------------


def test_it_refuses_a_members_return_without_every_side_and_stores_nothing(out_on_drive) -> None:
    with pytest.raises(ReturnSidesMissing) as refused, translation.override("en"):
        testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 10,
            energy_pct=50,
            sides={"front": side_png("front"), "back": side_png("back")},
        )

    assert "left side, right side" in str(refused.value.message)
    out_on_drive.refresh_from_db()
    assert out_on_drive.state == State.ON_DRIVE
    assert not ReturnPhoto.objects.exists()


def test_sides_sent_from_the_phone_count_and_the_kiosk_takes_the_rest(
    out_on_drive, super_member, django_capture_on_commit_callbacks
) -> None:
    for side in ("front", "left"):
        testdrive_return_photo_add(
            test_drive=out_on_drive, side=side, upload=side_png(side), by=super_member.user
        )

    td = give_back(
        out_on_drive,
        django_capture_on_commit_callbacks,
        sides={"back": side_png("back"), "right": side_png("right")},
    )

    assert td.state == State.RETURNED
    assert return_view(test_drive=td).sides_sent == 4


def test_a_side_sent_again_replaces_the_first(out_on_drive, super_member) -> None:
    first = testdrive_return_photo_add(
        test_drive=out_on_drive, side="front", upload=side_png("front"), by=super_member.user
    )
    again = testdrive_return_photo_add(
        test_drive=out_on_drive, side="front", upload=side_png("front", "blue"), by=super_member.user
    )

    assert list(ReturnPhoto.objects.filter(test_drive=out_on_drive).values_list("pk", flat=True)) == [
        again.pk
    ]
    assert first.pk != again.pk


def test_the_phone_sends_no_photo_once_the_car_is_back(
    out_on_drive, super_member, django_capture_on_commit_callbacks
):
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)

    with pytest.raises(TransitionRefused):
        testdrive_return_photo_add(
            test_drive=td, side="front", upload=side_png("front"), by=super_member.user
        )


def test_it_refuses_a_file_that_is_not_a_picture_or_an_unknown_side_with_a_clear_message(
    out_on_drive,
) -> None:
    with pytest.raises(PhotoRefused) as not_an_image:
        testdrive_return_photo_add(
            test_drive=out_on_drive, side="front", upload=SimpleUploadedFile("front.jpg", b"not an image")
        )
    truncated = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(truncated, "JPEG")
    with pytest.raises(PhotoRefused):
        testdrive_return_photo_add(
            test_drive=out_on_drive,
            side="back",
            upload=SimpleUploadedFile("back.jpg", truncated.getvalue()[:-300]),
        )
    with pytest.raises(ReturnPhotoRefused):
        testdrive_return_photo_add(test_drive=out_on_drive, side="roof", upload=side_png("roof"))

    assert not_an_image.value.status_code == 400
    assert str(not_an_image.value.message)
    assert not ReturnPhoto.objects.exists()


def test_a_side_over_the_size_limit_is_refused_with_the_limit_in_the_message(out_on_drive, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = io.BytesIO()
    Image.effect_noise((1024, 1024), 100).convert("RGB").save(big, "PNG")
    assert big.tell() > settings.UPLOAD_MAX_BYTES

    with pytest.raises(PhotoTooLarge) as refused, translation.override("en"):
        testdrive_return_photo_add(
            test_drive=out_on_drive, side="left", upload=SimpleUploadedFile("left.png", big.getvalue())
        )

    assert "under 1 MB" in str(refused.value.message)
    assert not ReturnPhoto.objects.exists()


def test_staff_recording_a_return_by_hand_may_go_without_photos(out_on_drive, staff) -> None:
    td = testdrive_return(
        test_drive=out_on_drive, odometer_km=out_on_drive.odometer_out_km + 1, energy_pct=50, by=staff
    )

    assert td.state == State.RETURNED


# --- the bay freed by itself ---------------------------------------------------------------


def test_where_no_gate_is_reported_the_recorded_return_stows_the_car_at_once(
    out_on_drive, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)

    assert td.state == State.RETURNED  # the review is still to come
    assert td.bay_left_at is not None
    assert td.vehicle.status == VehicleStatus.STORED


def test_with_a_gate_the_car_waits_in_its_bay_until_the_member_has_left(
    out_on_drive, gate, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
    assert td.bay_left_at is None

    with django_capture_on_commit_callbacks(execute=True):
        assert testdrive_bay_left(bay=td.delivery_bay, occupied=True) == td

    td = TestDrive.objects.select_related("vehicle").get(pk=td.pk)
    assert td.state == State.RETURNED
    assert td.bay_left_at is not None
    assert td.vehicle.status == VehicleStatus.STORED
    assert testdrive_bay_left(bay=td.delivery_bay, occupied=True) is None  # once


def test_a_gate_closing_on_an_empty_bay_moves_nothing(
    out_on_drive, gate, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)

    assert testdrive_bay_left(bay=td.delivery_bay, occupied=False) is None

    td = TestDrive.objects.select_related("vehicle").get(pk=td.pk)
    assert td.bay_left_at is None
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY


def test_a_review_before_the_member_left_does_not_stow_the_car_under_them(
    out_on_drive, gate, staff, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_review_ok(test_drive=td, by=staff)
    td.vehicle.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_bay_left(bay=td.delivery_bay, occupied=True)
    td.vehicle.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.STORED


# --- held until the review -----------------------------------------------------------------


def test_a_returned_car_stays_held_until_its_review(
    out_on_drive, staff, clock, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)
    hold = VehicleHold.objects.get(booking_id=td.pk)
    clock.move_to(hold.ends_at + timedelta(hours=1))  # the review is very late

    sweep_overdue_holds(now=timezone.now())

    hold.refresh_from_db()
    assert hold.released_at is None
    assert hold.ends_at > timezone.now()  # nobody may be promised the car before the review

    testdrive_review_ok(test_drive=td, by=staff, notes="clean")
    hold.refresh_from_db()
    assert hold.released_at is not None


# --- the review ----------------------------------------------------------------------------


def test_ok_completes_the_drive_and_buying_stays_possible(
    out_on_drive, staff, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)

    td = testdrive_review_ok(test_drive=td, by=staff)

    assert td.state == State.COMPLETED
    assert td.inspection_notes == "reviewed: OK"
    assert testdrive_buyable(test_drive=td, at=timezone.now())


def test_a_charge_completes_the_drive_is_paid_through_the_provider_and_the_member_is_told(
    out_on_drive, staff, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)
    front = ReturnPhoto.objects.get(test_drive=td, side="front")

    with django_capture_on_commit_callbacks(execute=True):
        charge = testdrive_charge_open(
            test_drive=td,
            by=staff,
            kind="damage",
            amount_cny=800,
            reason="Scratch on the front bumper",
            photo_ids=[front.pk],
            photos=[side_png("close-up", "red")],
        )

    td.refresh_from_db()
    assert td.state == State.COMPLETED
    assert charge.payment.purpose == "charge"
    assert Payment.objects.get(pk=charge.payment_id).status == "paid"
    assert charge.photos.count() == 2
    assert Notification.objects.filter(test_drive=td, kind="charged").exists()
    view = return_view(test_drive=td)
    assert view.charge == charge
    assert front in view.charge_photos
    assert testdrive_buyable(test_drive=td, at=timezone.now())


@pytest.mark.parametrize(
    ("kind", "amount", "reason"),
    [("damage", 500, "  "), ("damage", 0, "dent"), ("damage", 10_000_000, "dent"), ("paint", 500, "dent")],
)
def test_a_charge_needs_a_reason_a_known_kind_and_a_sensible_amount(
    out_on_drive, staff, django_capture_on_commit_callbacks, kind, amount, reason
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)

    with pytest.raises(ChargeRefused):
        testdrive_charge_open(test_drive=td, by=staff, kind=kind, amount_cny=amount, reason=reason)

    td.refresh_from_db()
    assert td.state == State.RETURNED
    assert not Payment.objects.filter(test_drive=td, purpose="charge").exists()


def test_a_review_is_done_once(out_on_drive, staff, django_capture_on_commit_callbacks) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)
    testdrive_review_ok(test_drive=td, by=staff)

    with pytest.raises(TransitionRefused):
        testdrive_charge_open(test_drive=td, by=staff, kind="damage", amount_cny=100, reason="dent")


def test_a_car_still_in_its_bay_minutes_after_the_member_left_is_sent_again(
    out_on_drive, gate, clock, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):  # the stow's message is lost
        testdrive_bay_left(bay=td.delivery_bay, occupied=True)
    assert sweep_returns_left_in_bay(now=timezone.now()) == 0  # too soon: the first ask may be under way

    clock.move_to(timezone.now() + timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_returns_left_in_bay(now=timezone.now()) == 1

    td.vehicle.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.STORED
    assert sweep_returns_left_in_bay(now=timezone.now()) == 0


def test_a_gate_closing_never_stows_a_car_brought_down_for_its_next_pickup(
    out_on_drive, gate, staff, book, django_capture_on_commit_callbacks
) -> None:
    td = give_back(out_on_drive, django_capture_on_commit_callbacks)
    testdrive_review_ok(test_drive=td, by=staff)  # reviewed before the member left
    later = book(make_member(score=760), slot_start=TEN + timedelta(days=1))
    TestDrive.objects.filter(pk=later.pk).update(vehicle_id=td.vehicle_id, state=State.CHECKED_IN)

    assert testdrive_bay_left(bay=td.delivery_bay, occupied=True) is None

    td.vehicle.refresh_from_db()
    assert td.vehicle.status == VehicleStatus.AT_DELIVERY_BAY
