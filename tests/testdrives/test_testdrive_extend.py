"""Keeping the car longer: the due time and the car's hold move together, as far as the cap and the
car's next booking allow; a fee per started extra day; a double click extends once; a declined fee
undoes the extension; the late fee counts from the new due time."""

import uuid
from datetime import datetime, timedelta

import pytest

from fleet.models import VehicleHold
from testdrives.errors import ExtensionRefused, IdempotencyKeyReused, PaymentFailed
from testdrives.models import Extension, Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from testdrives.services import extend as extend_module
from testdrives.services.booking import testdrive_book
from testdrives.services.extend import testdrive_extend, testdrive_extend_options
from testdrives.services.lifecycle import late_fee_for
from testdrives.services.swap import testdrive_swap
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory
from tests.fixtures.world import TEN, make_member, on_the_road

pytestmark = pytest.mark.django_db
DUE = TEN + timedelta(hours=72)
# The first window after the first booking's hold (which ends 84 h 15 min after 10:00): 10:00 four
# days on.
NEXT_WINDOW = TEN + timedelta(days=4)


@pytest.fixture
def driving(book, super_member, clock) -> TestDrive:
    td = on_the_road(book(super_member))
    clock.move_to(TEN + timedelta(days=1))
    return td


def extend(td: TestDrive, hours: int, key: uuid.UUID | None = None) -> Extension:
    return testdrive_extend(test_drive=td, member=td.member, hours=hours, request_key=key or uuid.uuid4())


def test_it_moves_the_due_time_and_the_hold_and_charges_a_started_day(driving, settings):
    extension = extend(driving, 5)

    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=5)
    hold = VehicleHold.objects.get(booking_id=driving.pk)
    assert hold.ends_at == DUE + timedelta(hours=5 + settings.TESTDRIVE_TURNAROUND_HOURS)
    assert (extension.status, extension.fee_cny) == (Extension.Status.DONE, 99)
    assert extension.payment.purpose == PaymentPurpose.EXTENSION
    assert extension.payment.status == PaymentStatus.PAID


def test_a_double_click_extends_once(driving):
    key = uuid.uuid4()

    first = extend(driving, 5, key)
    again = extend(driving, 5, key)

    assert first.pk == again.pk
    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=5)
    assert Payment.objects.filter(purpose=PaymentPurpose.EXTENSION).count() == 1
    with pytest.raises(IdempotencyKeyReused):
        extend(driving, 6, key)


def test_two_extensions_inside_one_extra_day_pay_once(driving):
    assert extend(driving, 3).fee_cny == 99
    assert extend(driving, 4).fee_cny == 0

    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=7)


def test_it_is_free_when_the_store_charges_nothing(driving, settings):
    settings.TESTDRIVE_EXTEND_FEE_PER_DAY_CNY = 0

    extension = extend(driving, 2)

    assert (extension.fee_cny, extension.payment, extension.status) == (0, None, Extension.Status.DONE)


def test_it_refuses_past_the_cap_and_changes_nothing(driving, settings):
    extend(driving, 20)

    with pytest.raises(ExtensionRefused) as refused:
        extend(driving, settings.TESTDRIVE_EXTEND_MAX_HOURS - 19)

    assert "24 hours at most" in str(refused.value.message)
    assert datetime.fromisoformat(refused.value.extra["latest_due_back_at"]) == DUE + timedelta(hours=24)
    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=20)


def test_it_refuses_beyond_the_cars_next_booking_and_says_when_it_starts(store, clock, settings):
    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    VehicleFactory(store=store, car_model=car_model, paint=paint)  # the only car of its model
    first, second = make_member(score=760), make_member(score=760)
    td = on_the_road(
        testdrive_book(member=first, car_model=car_model, paint=paint, store=store, slot_start=TEN)
    )
    testdrive_book(member=second, car_model=car_model, paint=paint, store=store, slot_start=NEXT_WINDOW)
    clock.move_to(TEN + timedelta(days=1))

    options = testdrive_extend_options(test_drive=td, now=TEN + timedelta(days=1))
    # The next booking starts 96 h after 10:00 and the car needs 12 h to be made ready.
    assert [h for h, _due, _fee in options.hours] == list(range(1, 13))
    with pytest.raises(ExtensionRefused) as refused:
        extend(td, 13)

    assert "booked again" in str(refused.value.message)
    latest = datetime.fromisoformat(refused.value.extra["latest_due_back_at"])
    assert latest == NEXT_WINDOW - timedelta(hours=12)
    extend(td, 12)
    td.refresh_from_db()
    assert td.due_back_at == NEXT_WINDOW - timedelta(hours=12)


def test_it_refuses_an_overdue_drive_one_past_its_due_time_and_one_not_yet_out(
    book, basic_member, driving, clock
):
    TestDrive.objects.filter(pk=driving.pk).update(state=State.OVERDUE)
    with pytest.raises(ExtensionRefused, match="overdue"):
        extend(driving, 1)

    TestDrive.objects.filter(pk=driving.pk).update(state=State.ON_DRIVE)
    clock.move_to(DUE + timedelta(minutes=1))
    with pytest.raises(ExtensionRefused, match="passed"):
        extend(driving, 1)

    scheduled = book(basic_member, slot_start=TEN + timedelta(days=5))
    with pytest.raises(ExtensionRefused, match="on the road"):
        extend(scheduled, 1)
    assert not Extension.objects.exists()


def test_a_declined_fee_undoes_the_extension(driving, settings):
    settings.TESTDRIVE_EXTEND_FEE_PER_DAY_CNY = 113  # the sandbox declines amounts ending in 13
    hold_end = VehicleHold.objects.get(booking_id=driving.pk).ends_at

    with pytest.raises(PaymentFailed):
        extend(driving, 20)

    driving.refresh_from_db()
    assert driving.due_back_at == DUE
    assert VehicleHold.objects.get(booking_id=driving.pk).ends_at == hold_end
    extension = Extension.objects.get()
    assert extension.status == Extension.Status.FAILED
    assert extension.payment.status == PaymentStatus.FAILED


def test_the_late_fee_counts_from_the_new_due_time(driving, settings):
    extend(driving, 5)
    driving.refresh_from_db()

    assert late_fee_for(test_drive=driving, returned_at=DUE + timedelta(hours=4)) == 0
    assert late_fee_for(test_drive=driving, returned_at=DUE + timedelta(hours=7)) == (
        2 * settings.TESTDRIVE_LATE_FEE_PER_HOUR_CNY
    )


def test_only_the_member_of_the_drive_may_extend_it(driving, basic_member):
    with pytest.raises(Exception, match="not your"):
        testdrive_extend(test_drive=driving, member=basic_member, hours=1, request_key=uuid.uuid4())


def test_a_swapped_car_is_extended_from_the_first_cars_due_time(driving, store, settings):
    paint = PaintFactory(car_model=CarModelFactory())
    VehicleFactory(store=store, car_model=paint.car_model, paint=paint)
    swap = testdrive_swap(test_drive=driving, member=driving.member, car_model=paint.car_model, paint=paint)
    TestDrive.objects.filter(pk=driving.pk).update(state=State.RETURNED, returned_at=TEN + timedelta(days=1))
    TestDrive.objects.filter(pk=swap.pk).update(
        state=State.ON_DRIVE, departed_at=TEN + timedelta(days=1), due_back_at=DUE
    )
    swap.refresh_from_db()

    assert extend(swap, settings.TESTDRIVE_EXTEND_MAX_HOURS).due_after == DUE + timedelta(hours=24)
    with pytest.raises(ExtensionRefused):
        extend(swap, 1)


def test_an_extension_whose_charge_never_came_back_is_settled_by_the_next_request(driving, monkeypatch):
    monkeypatch.setattr(extend_module, "_extension_charge", lambda extension: None)  # the crash
    stale = extend(driving, 2)
    assert stale.status == Extension.Status.PENDING
    monkeypatch.undo()

    later = extend(driving, 3)

    stale.refresh_from_db()
    assert stale.status == Extension.Status.DONE
    assert stale.payment.status == PaymentStatus.PAID
    assert later.status == Extension.Status.DONE
    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=5)


def test_it_refuses_more_hours_than_the_cap_before_any_arithmetic(driving):
    with pytest.raises(ExtensionRefused, match="at most"):
        extend(driving, 10**9)
