"""Rescheduling: another window, day, store or paint of the same model, from the portal and the
API; the fee and the pickup code stay; capacity and allocation are checked as for a new booking."""

from datetime import timedelta

import pytest
from django.urls import reverse

from fleet.models import VehicleHold
from testdrives.errors import NoCarLeft, SlotUnavailable, TransitionRefused
from testdrives.models import PaymentPurpose, PaymentStatus, PickupWindow, State
from testdrives.services.booking import testdrive_pay_fee
from testdrives.services.reschedule import testdrive_reschedule
from tests.factories import CarModelFactory, PaintFactory, TowerFactory, VehicleFactory
from tests.fixtures.world import TEN, make_member
from tests.testdrives.test_api import api_for

pytestmark = pytest.mark.django_db
TOMORROW = TEN + timedelta(days=1, hours=3)


def test_it_moves_the_booking_keeping_the_paid_fee_and_the_code(book, basic_member, store, paint):
    td = book(basic_member)
    testdrive_pay_fee(test_drive=td)
    code = td.pickup_code

    moved = testdrive_reschedule(
        test_drive=td, member=basic_member, store=store, paint=paint, slot_start=TOMORROW
    )

    moved.refresh_from_db()
    assert moved.slot_start == TOMORROW
    assert moved.state == State.SCHEDULED
    assert moved.pickup_code == code
    fee = moved.payments.get(purpose=PaymentPurpose.TEST_DRIVE_FEE)
    assert fee.status == PaymentStatus.PAID
    hold = VehicleHold.objects.get(booking_id=moved.pk)
    assert hold.starts_at == TOMORROW
    assert hold.released_at is None
    assert PickupWindow.objects.get(store=store, starts_at=TEN).booked == 0
    assert PickupWindow.objects.get(store=store, starts_at=TOMORROW).booked == 1


def test_it_moves_to_another_store_with_a_car_of_the_model(book, super_member, car_model, paint):
    td = book(super_member)
    other = TowerFactory().store
    car = VehicleFactory(store=other, car_model=car_model, paint=paint)

    moved = testdrive_reschedule(
        test_drive=td, member=super_member, store=other, paint=paint, slot_start=TOMORROW
    )

    assert moved.store == other
    assert moved.vehicle_id == car.pk
    assert VehicleHold.objects.get(booking_id=td.pk).vehicle_id == car.pk


def test_it_refuses_when_no_car_is_free_and_changes_nothing(book, super_member, car_model, paint, store):
    other = TowerFactory().store  # no car of the model there
    td = book(super_member)

    with pytest.raises(NoCarLeft):
        testdrive_reschedule(
            test_drive=td, member=super_member, store=other, paint=paint, slot_start=TOMORROW
        )

    td.refresh_from_db()
    assert td.slot_start == TEN
    assert td.store == store
    hold = VehicleHold.objects.get(booking_id=td.pk)
    assert (hold.starts_at, hold.released_at) == (TEN, None)
    assert not PickupWindow.objects.filter(starts_at=TOMORROW, booked__gt=0).exists()


def test_it_refuses_another_model_a_closed_window_and_a_checked_in_booking(book, super_member, store, paint):
    td = book(super_member)
    other_paint = PaintFactory(car_model=CarModelFactory())

    with pytest.raises(SlotUnavailable):
        testdrive_reschedule(
            test_drive=td, member=super_member, store=store, paint=other_paint, slot_start=TOMORROW
        )
    with pytest.raises(SlotUnavailable):
        testdrive_reschedule(
            test_drive=td,
            member=super_member,
            store=store,
            paint=paint,
            slot_start=TOMORROW + timedelta(minutes=7),
        )
    td.__class__.objects.filter(pk=td.pk).update(state=State.CHECKED_IN)
    with pytest.raises(TransitionRefused):
        testdrive_reschedule(
            test_drive=td, member=super_member, store=store, paint=paint, slot_start=TOMORROW
        )


def test_the_portal_moves_a_booking(client, book, super_member, store, paint):
    td = book(super_member)
    client.force_login(super_member.user)

    page = client.get(reverse("testdrives:reschedule", args=[td.pk]))
    assert f'action="{reverse("testdrives:reschedule", args=[td.pk])}"' in page.content.decode()
    response = client.post(
        reverse("testdrives:reschedule", args=[td.pk]),
        {"store": store.pk, "paint": paint.pk, "slot": TOMORROW.isoformat()},
    )

    assert response["Location"] == reverse("testdrives:detail", args=[td.pk])
    td.refresh_from_db()
    assert td.slot_start == TOMORROW


def test_the_api_moves_a_booking_and_refuses_another_members(book, super_member, store, paint):
    td = book(super_member)
    body = {"store": store.slug, "paint": paint.pk, "slot_start": TOMORROW.isoformat()}

    stranger = api_for(make_member(score=760)).post(
        f"/api/v1/testdrives/{td.pk}/reschedule/", body, format="json"
    )
    response = api_for(super_member).post(f"/api/v1/testdrives/{td.pk}/reschedule/", body, format="json")

    assert stranger.status_code == 404
    assert response.status_code == 200
    assert response.data["slot_start"] == TOMORROW.isoformat()
    assert response.data["pickup_code"] == td.pickup_code
