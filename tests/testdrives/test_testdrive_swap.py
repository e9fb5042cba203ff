"""Swapping the car once during the drive: a booking of its own, holding a car of the new model
until the first car's due time; picked up at the kiosk once the first car is back; the three days
do not restart; one test drive against the quota."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from fleet.models import VehicleHold
from members.models import Member
from testdrives.eligibility import member_booking_standing, member_eligibility
from testdrives.errors import BookingRefused, NoCarLeft, SwapRefused, TransitionRefused
from testdrives.models import State, TestDrive
from testdrives.services.booking import testdrive_cancel
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_identity_verified,
    testdrive_return,
)
from testdrives.services.swap import testdrive_swap, testdrive_swap_choices
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory
from tests.fixtures.world import TEN, on_the_road
from tests.returns_support import four_sides

pytestmark = pytest.mark.django_db
DUE = TEN + timedelta(hours=72)


@pytest.fixture
def other_paint(store):
    """A paint of another model, with one car at the store."""
    paint = PaintFactory(car_model=CarModelFactory(msrp_cny=300_000))
    VehicleFactory(store=store, car_model=paint.car_model, paint=paint)
    return paint


@pytest.fixture
def driving(book, super_member, clock) -> TestDrive:
    td = on_the_road(book(super_member))
    clock.move_to(TEN + timedelta(days=1))
    return td


def swap(td: TestDrive, paint, member: Member | None = None) -> TestDrive:
    return testdrive_swap(test_drive=td, member=member or td.member, car_model=paint.car_model, paint=paint)


def test_it_books_a_car_of_the_new_model_until_the_first_cars_due_time(driving, other_paint, settings):
    new = swap(driving, other_paint)

    assert new.state == State.SCHEDULED
    assert (new.swap_of_id, new.car_model_id, new.store_id) == (
        driving.pk,
        other_paint.car_model_id,
        driving.store_id,
    )
    assert new.fee_cny == 0
    assert new.slot_end == DUE
    assert new.pickup_code
    assert new.pickup_code != driving.pickup_code
    hold = VehicleHold.objects.get(booking_id=new.pk)
    assert hold.ends_at == DUE + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    assert hold.vehicle.car_model_id == other_paint.car_model_id


def test_asking_twice_swaps_once_and_a_second_swap_is_refused(driving, other_paint, store):
    first = swap(driving, other_paint)
    assert swap(driving, other_paint).pk == first.pk

    third = PaintFactory(car_model=CarModelFactory())
    VehicleFactory(store=store, car_model=third.car_model, paint=third)
    with pytest.raises(SwapRefused, match="one swap"):
        swap(driving, third)
    with pytest.raises(SwapRefused, match="one swap"):
        swap(first, third)
    assert TestDrive.objects.filter(swap_of=driving).count() == 1


def test_a_cancelled_swap_may_be_asked_for_again(driving, other_paint):
    first = swap(driving, other_paint)
    testdrive_cancel(test_drive=first, by=driving.member.user)

    again = swap(driving, other_paint)

    assert again.pk != first.pk
    assert VehicleHold.objects.get(booking_id=first.pk).released_at is not None


def test_the_database_holds_one_live_swap_per_drive(driving, other_paint):
    new = swap(driving, other_paint)

    with pytest.raises(IntegrityError), transaction.atomic():
        TestDrive.objects.create(
            member=new.member,
            vehicle=new.vehicle,
            car_model=new.car_model,
            paint=new.paint,
            store=new.store,
            slot_start=new.slot_start,
            slot_end=new.slot_end,
            pickup_code="DUPLICATE1",
            swap_of=driving,
        )


def test_it_refuses_the_same_model_an_overdue_car_and_one_not_on_the_road(
    driving, other_paint, paint, book, basic_member
):
    with pytest.raises(SwapRefused, match="another model"):
        swap(driving, paint)
    TestDrive.objects.filter(pk=driving.pk).update(state=State.OVERDUE)
    with pytest.raises(SwapRefused, match="overdue"):
        swap(driving, other_paint)
    scheduled = book(basic_member, slot_start=TEN + timedelta(days=5))
    with pytest.raises(SwapRefused, match="during its test drive"):
        swap(scheduled, other_paint)
    assert not TestDrive.objects.filter(swap_of__isnull=False).exists()


def test_it_says_so_when_no_car_of_that_model_is_free(driving, store):
    paint = PaintFactory(car_model=CarModelFactory())  # no car of it at the store

    with pytest.raises(NoCarLeft, match="is free at"):
        swap(driving, paint)

    assert testdrive_swap_choices(test_drive=driving, now=TEN + timedelta(days=1)) == []
    assert not TestDrive.objects.filter(swap_of__isnull=False).exists()


def test_it_refuses_a_model_the_member_drove_before(driving, other_paint, super_member):
    TestDrive.objects.create(
        member=super_member,
        vehicle=other_paint.car_model.vehicles.first(),
        car_model=other_paint.car_model,
        paint=other_paint,
        store=driving.store,
        slot_start=TEN - timedelta(days=30),
        slot_end=TEN - timedelta(days=30) + timedelta(minutes=15),
        departed_at=TEN - timedelta(days=30),
        pickup_code="OLDDRIVE01",
    )
    TestDrive.objects.filter(pickup_code="OLDDRIVE01").update(state=State.COMPLETED)

    with pytest.raises(BookingRefused) as refused:
        swap(driving, other_paint)

    assert [r["rule"] for r in refused.value.extra["reasons"]] == ["quota_model_once"]


def test_the_swap_counts_as_one_drive_and_uses_up_its_model(driving, other_paint, super_member, clock):
    new = swap(driving, other_paint)
    TestDrive.objects.filter(pk=driving.pk).update(state=State.COMPLETED, returned_at=TEN + timedelta(days=1))
    TestDrive.objects.filter(pk=new.pk).update(
        state=State.COMPLETED, departed_at=TEN + timedelta(days=1), due_back_at=DUE
    )
    clock.move_to(TEN + timedelta(days=4))

    standing = member_booking_standing(member=super_member, at=TEN + timedelta(days=4))
    assert standing.quota.used == 1
    again = member_eligibility(
        member=super_member, car_model=other_paint.car_model, at=TEN + timedelta(days=4)
    )
    assert "quota_model_once" in [r.code for r in again.refusing]


def test_the_swapped_car_is_picked_up_after_the_return_and_keeps_the_due_time(
    book, super_member, other_paint, kiosk, staff, clock, django_capture_on_commit_callbacks
):
    first = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=first.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(
            test_drive=first, method="staff", by=staff, note="licence and ID card seen"
        )
    first = testdrive_depart(test_drive=first)
    due = first.due_back_at
    clock.move_to(TEN + timedelta(days=1))
    new = swap(first, other_paint)

    with pytest.raises(TransitionRefused, match="First return"):
        testdrive_check_in(kiosk=kiosk, pickup_code=new.pickup_code)

    testdrive_return(
        test_drive=first, odometer_km=first.odometer_out_km + 80, energy_pct=60, sides=four_sides()
    )
    testdrive_check_in(kiosk=kiosk, pickup_code=new.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=new, method="staff", by=staff, note="licence and ID card seen")
    new.refresh_from_db()
    assert new.state == State.READY
    new = testdrive_depart(test_drive=new)

    assert new.state == State.ON_DRIVE
    assert new.due_back_at == due
    assert new.return_code
    assert new.return_code != first.return_code
