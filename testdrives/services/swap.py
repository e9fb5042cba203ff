"""Swapping the car for another model once during the drive (docs/EXTEND-AND-SWAP.md).

The member asks from the portal or the API while on the road. The swap is a booking of its own
(``TestDrive.swap_of``) in ``scheduled``, holding a free car of the new model at the same store from
now until the first car's due-back time plus the turnaround, with its own pickup code. At the
kiosk the member returns the first car with its return code and goes straight on to picking up the
second one with the existing flow (check-in, face or ID check, the tower, the gate). The new car
leaves with the first car's due-back time: the three days do not restart.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel, Paint, VehicleHold
from fleet.selectors import vehicle_list_promisable
from members.models import Member
from testdrives.codes import code_new
from testdrives.eligibility import member_eligibility
from testdrives.errors import BookingRefused, NoCarLeft, SwapRefused
from testdrives.models import State, TestDrive
from testdrives.selectors import vehicle_free_ids
from testdrives.services.booking import vehicle_take_first_free
from vendingstore.formatting import moment_format

logger = logging.getLogger(__name__)


def testdrive_swap_pending(*, test_drive: TestDrive) -> TestDrive | None:
    """The swap booking waiting for its pickup (scheduled, or already checked in), if any."""
    return (
        TestDrive.objects.filter(swap_of_id=test_drive.pk)
        .exclude(state__in=[State.CANCELLED, State.NO_SHOW])
        .select_related("car_model__brand", "paint")
        .first()
    )


@dataclass(frozen=True)
class SwapChoice:
    car_model: CarModel
    paint: Paint
    cars_free: int


def testdrive_swap_choices(*, test_drive: TestDrive, now: datetime) -> list[SwapChoice]:
    """The other models and paints with a car free at the drive's store from ``now`` until the due
    time plus the turnaround: what a swap could get. Three queries."""
    if test_drive.due_back_at is None or test_drive.due_back_at <= now:
        return []
    ends_at = test_drive.due_back_at + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    cars = list(
        vehicle_list_promisable()
        .filter(store_id=test_drive.store_id)
        .exclude(car_model_id=test_drive.car_model_id)
        .select_related("car_model__brand", "paint")
        .order_by("car_model__brand__name", "car_model__name", "paint_id", "pk")
    )
    free = set(vehicle_free_ids(vehicle_ids=[car.pk for car in cars], starts_at=now, ends_at=ends_at))
    counts: dict[tuple[int, int], SwapChoice] = {}
    for car in cars:
        if car.pk in free:
            key = (car.car_model_id, car.paint_id)
            seen = counts.get(key)
            counts[key] = SwapChoice(car.car_model, car.paint, (seen.cars_free if seen else 0) + 1)
    return list(counts.values())


def testdrive_swap(*, test_drive: TestDrive, member: Member, car_model: CarModel, paint: Paint) -> TestDrive:
    """Book the swap of ``test_drive``'s car for one of ``car_model`` in ``paint`` at the same store,
    and return the swap booking; or raise and store nothing.

    Refused unless the drive is on the road (not overdue) before its due time, is not itself a
    swap, has no swap yet (one per drive: ``testdrive_one_swap_per_drive``), and the new model is
    another one the member may drive (the quotas treat the swap as part of this drive: it uses
    up the new model but is not another drive in the rolling quota, and needs no fee of its own).
    Asking again for the same model and paint returns the same swap (a double click swaps once).
    ``NoCarLeft`` when no car of that model and paint is free at the store until the due time.
    """
    if paint.car_model_id != car_model.pk:
        raise SwapRefused(_("This paint is not offered on this model."))
    now = timezone.now()
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        td = TestDrive.objects.select_for_update(of=("self",)).select_related("store").get(pk=test_drive.pk)
        if td.member_id != member.pk:
            raise SwapRefused(_("This is not your test drive."))
        existing = testdrive_swap_pending(test_drive=td) or td.swaps.exclude(state=State.CANCELLED).first()
        if existing is not None:
            if (existing.car_model_id, existing.paint_id) == (car_model.pk, paint.pk):
                return existing
            raise SwapRefused(_("You have already swapped this car once: one swap per test drive."))
        _check_swappable(td, car_model=car_model, now=now)
        eligibility = member_eligibility(member=member, car_model=car_model, at=now, excluding=td.pk)
        if eligibility.refusing:
            raise BookingRefused(
                extra={"reasons": [{"rule": r.code, "reason": str(r.reason)} for r in eligibility.refusing]}
            )
        swap = _allocate(td, car_model=car_model, paint=paint, now=now)
    logger.info("test drive %s: swap %s to %s booked", td.pk, swap.pk, car_model.slug)
    return swap


def _check_swappable(td: TestDrive, *, car_model: CarModel, now: datetime) -> None:
    if td.swap_of_id is not None:
        raise SwapRefused(_("This car is already the swapped one: one swap per test drive."))
    if td.state == State.OVERDUE:
        raise SwapRefused(_("The car is overdue: please bring it back."))
    if td.state != State.ON_DRIVE or td.due_back_at is None:
        raise SwapRefused(_("A car can be swapped only during its test drive."))
    if td.due_back_at <= now:
        raise SwapRefused(_("The due-back time has passed: please bring the car back."))
    if car_model.pk == td.car_model_id:
        raise SwapRefused(_("Pick another model: a swap changes the model."))


def _allocate(td: TestDrive, *, car_model: CarModel, paint: Paint, now: datetime) -> TestDrive:
    assert td.due_back_at is not None
    ends_at = td.due_back_at + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)

    def take(vehicle_id: int) -> TestDrive:
        swap = TestDrive.objects.create(
            member_id=td.member_id,
            vehicle_id=vehicle_id,
            car_model=car_model,
            paint=paint,
            store=td.store,
            # The pickup "window" is the rest of the drive: the swap is picked up when the first
            # car comes back, whenever that is before its due time.
            slot_start=now,
            slot_end=td.due_back_at,
            pickup_code=code_new(),
            swap_of=td,
            fee_cny=0,
        )
        VehicleHold.objects.create(vehicle_id=vehicle_id, booking_id=swap.pk, starts_at=now, ends_at=ends_at)
        return swap

    swap = vehicle_take_first_free(
        store=td.store, car_model=car_model, paint=paint, starts_at=now, ends_at=ends_at, take=take
    )
    if swap is None:
        raise NoCarLeft(
            _(
                "No %(model)s in this paint is free at %(store)s until your drive ends (%(due)s). Try another paint or model."
            )
            % {
                "model": car_model.display_name,
                "store": td.store.display_name,
                "due": moment_format(td.due_back_at),
            }
        )
    return swap
