"""Moving a booking to another pickup window, day, store or paint of the same model."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import Paint, Store, VehicleHold
from members.models import Member
from testdrives.eligibility import member_eligibility
from testdrives.errors import BookingRefused, NoCarLeft, SlotUnavailable, TransitionRefused
from testdrives.models import PickupWindow, State, TestDrive
from testdrives.selectors import hold_period, is_bookable_window, slot_length, store_moment
from testdrives.services.booking import _window_claim, vehicle_take_first_free


def testdrive_reschedule(
    *, test_drive: TestDrive, member: Member, store: Store, paint: Paint, slot_start: datetime
) -> TestDrive:
    """Move a scheduled booking to ``slot_start`` at ``store`` in ``paint`` (same model), or raise
    and change nothing.

    The same checks as a new booking, under the same locks: the window must be open and have room,
    the member must still be eligible at the new time (the booking itself does not count against
    the quotas), and a car must be free for the whole new hold. The fee, paid or not, and the
    pickup code stay; the old window's place is given back. Moving to where it already is changes
    nothing. A ``slot_start`` without an offset is a time on the store's clock (``store_moment``).
    """
    slot_start = store_moment(store=store, moment=slot_start)
    if paint.car_model_id != test_drive.car_model_id:
        raise SlotUnavailable(_("A booking keeps its model: pick a paint of the same car."))
    if (test_drive.store_id, test_drive.paint_id, test_drive.slot_start) == (store.pk, paint.pk, slot_start):
        return test_drive
    now = timezone.now()
    if not is_bookable_window(store=store, starts_at=slot_start, now=now):
        raise SlotUnavailable(_("This pickup time is not open for booking. Please pick one from the list."))
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        td = TestDrive.objects.select_for_update().select_related("car_model").get(pk=test_drive.pk)
        if td.member_id != member.pk or td.state != State.SCHEDULED:
            raise TransitionRefused(_("Only a booking not yet checked in can be moved."))
        eligibility = member_eligibility(
            member=member, car_model=td.car_model, at=slot_start, excluding=td.pk
        )
        if not eligibility.allowed:
            raise BookingRefused(
                extra={"reasons": [{"rule": r.code, "reason": str(r.reason)} for r in eligibility.refusing]}
            )
        _window_claim(store=store, starts_at=slot_start)
        vehicle_id = _hold_move(td, store=store, paint=paint, slot_start=slot_start)
        if td.slot_start > now:
            PickupWindow.objects.filter(store_id=td.store_id, starts_at=td.slot_start, booked__gt=0).update(
                booked=F("booked") - 1
            )
        td.store, td.paint, td.vehicle_id = store, paint, vehicle_id
        td.slot_start, td.slot_end = slot_start, slot_start + slot_length()
        td.save(update_fields=["store", "paint", "vehicle", "slot_start", "slot_end"])
    return td


def _hold_move(td: TestDrive, *, store: Store, paint: Paint, slot_start: datetime) -> int:
    """Move the booking's one hold to the first car free over the new period; its id. A car held
    meanwhile by a concurrent booking is skipped (the database refuses the overlap)."""
    starts_at, ends_at = hold_period(slot_start=slot_start)

    def take(vehicle_id: int) -> int:
        VehicleHold.objects.filter(booking_id=td.pk).update(
            vehicle_id=vehicle_id, starts_at=starts_at, ends_at=ends_at, released_at=None
        )
        return vehicle_id

    # Set the booking's own hold aside while looking, so its own car counts as free; when no car
    # is found the transaction is rolled back and the hold is as it was.
    VehicleHold.objects.filter(booking_id=td.pk, released_at__isnull=True).update(released_at=timezone.now())
    vehicle_id = vehicle_take_first_free(
        store=store, car_model=td.car_model, paint=paint, starts_at=starts_at, ends_at=ends_at, take=take
    )
    if vehicle_id is None:
        raise NoCarLeft()
    return vehicle_id
