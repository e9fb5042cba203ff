"""Booking, paying for and cancelling a test drive."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biometrics.services import face_template_used
from fleet.models import CarModel, Paint, Store, VehicleHold
from fleet.signals import vehicles_changed_send
from members.models import Member
from testdrives.codes import code_new
from testdrives.eligibility import member_eligibility
from testdrives.errors import (
    BookingRefused,
    IdempotencyKeyReused,
    NoCarLeft,
    PaymentFailed,
    SlotFull,
    SlotUnavailable,
    TransitionRefused,
)
from testdrives.models import (
    ACTIVE,
    STAFF_CANCELLABLE,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    PickupWindow,
    State,
    TestDrive,
)
from testdrives.notify import notification_create
from testdrives.payments import payment_provider
from testdrives.selectors import (
    hold_period,
    is_bookable_window,
    slot_length,
    store_moment,
    store_window_capacity,
    vehicle_candidates,
    vehicle_free_ids,
)
from testdrives.services.dispatch import dispatch_stow_back

logger = logging.getLogger(__name__)

T = TypeVar("T")


def testdrive_book(
    *,
    member: Member,
    car_model: CarModel,
    paint: Paint,
    store: Store,
    slot_start: datetime,
    request_key: uuid.UUID | None = None,
) -> TestDrive:
    """Book ``member`` a test drive of one specific car, or raise and store nothing.

    Checks the window, every eligibility and quota rule (all failures reported together), claims
    a place in the pickup window and holds one free vehicle for the whole drive. The same
    ``request_key`` twice (a double click, a retried request) returns the first booking.

    Concurrency: the member's row is locked for the whole booking, so two bookings of one member
    are judged one after the other; vehicle holds are made impossible to overlap by the database
    (PostgreSQL), and allocation moves on to the next car when another request took this one.
    """
    return testdrive_book_once(
        member=member,
        car_model=car_model,
        paint=paint,
        store=store,
        slot_start=slot_start,
        request_key=request_key,
    ).test_drive


@dataclass(frozen=True)
class Booked:
    test_drive: TestDrive
    replayed: bool  # True: ``request_key`` had already booked it; nothing new was made


def testdrive_book_once(
    *,
    member: Member,
    car_model: CarModel,
    paint: Paint,
    store: Store,
    slot_start: datetime,
    request_key: uuid.UUID | None = None,
) -> Booked:
    """``testdrive_book``, also saying whether the answer is a replay of ``request_key``.

    The replay decision is made under the member's row lock, so of concurrent requests with one
    key exactly one books and the others get its booking back. The same key with another car,
    store or time raises ``IdempotencyKeyReused``: a client bug, never silently the old booking.
    A ``slot_start`` without an offset is a time on the store's clock (``store_moment``).
    """
    slot_start = store_moment(store=store, moment=slot_start)
    wanted = {
        "car_model_id": car_model.pk,
        "paint_id": paint.pk,
        "store_id": store.pk,
        "slot_start": slot_start,
    }
    if request_key is not None and (done := _booking_for_key(member, request_key, wanted)) is not None:
        return Booked(done, replayed=True)
    now = timezone.now()
    if paint.car_model_id != car_model.pk:
        raise SlotUnavailable(_("This paint is not offered on this model."))
    if not is_bookable_window(store=store, starts_at=slot_start, now=now):
        raise SlotUnavailable(_("This pickup time is not open for booking. Please pick one from the list."))
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        if request_key is not None and (done := _booking_for_key(member, request_key, wanted)) is not None:
            return Booked(done, replayed=True)
        eligibility = member_eligibility(member=member, car_model=car_model, at=slot_start)
        if not eligibility.allowed:
            raise BookingRefused(
                extra={"reasons": [{"rule": r.code, "reason": str(r.reason)} for r in eligibility.refusing]}
            )
        _window_claim(store=store, starts_at=slot_start)
        test_drive = _allocate(
            member=member,
            car_model=car_model,
            paint=paint,
            store=store,
            slot_start=slot_start,
            request_key=request_key,
            fee_cny=eligibility.fee_cny or 0,
        )
        face_template_used(member_id=member.pk, at=now, in_use=True)
        if test_drive.fee_cny:
            _fee_payment_open(test_drive, now=now)
        else:
            notification_create(test_drive=test_drive, kind="booked")
    return Booked(test_drive, replayed=False)


def _booking_for_key(member: Member, request_key: uuid.UUID, wanted: dict[str, object]) -> TestDrive | None:
    """The booking ``request_key`` already made, or None; ``IdempotencyKeyReused`` when it was
    made for something other than ``wanted``."""
    done = TestDrive.objects.filter(member=member, request_key=request_key).first()
    if done is not None and any(getattr(done, field) != value for field, value in wanted.items()):
        raise IdempotencyKeyReused()
    return done


def _window_claim(*, store: Store, starts_at: datetime) -> None:
    """Take one place in the store's pickup window, or raise ``SlotFull``.

    The conditional UPDATE holds the window row's lock to the end of the transaction, so two
    bookings can never both take its last place.
    """
    capacity = store_window_capacity(store=store)
    # get_or_create runs its INSERT in a savepoint and reads the row when a concurrent booking
    # created it a moment before.
    PickupWindow.objects.get_or_create(store=store, starts_at=starts_at)
    claimed = PickupWindow.objects.filter(store=store, starts_at=starts_at, booked__lt=capacity).update(
        booked=F("booked") + 1
    )
    if not claimed:
        raise SlotFull()


def _allocate(
    *,
    member: Member,
    car_model: CarModel,
    paint: Paint,
    store: Store,
    slot_start: datetime,
    request_key: uuid.UUID | None,
    fee_cny: int,
) -> TestDrive:
    """Create the booking holding the first free car, or raise ``NoCarLeft``."""
    starts_at, ends_at = hold_period(slot_start=slot_start)

    def take(vehicle_id: int) -> TestDrive:
        test_drive = TestDrive.objects.create(
            member=member,
            vehicle_id=vehicle_id,
            car_model=car_model,
            paint=paint,
            store=store,
            slot_start=slot_start,
            slot_end=slot_start + slot_length(),
            pickup_code=code_new(),
            request_key=request_key,
            fee_cny=fee_cny,
        )
        VehicleHold.objects.create(
            vehicle_id=vehicle_id, booking_id=test_drive.pk, starts_at=starts_at, ends_at=ends_at
        )
        return test_drive

    test_drive = vehicle_take_first_free(
        store=store, car_model=car_model, paint=paint, starts_at=starts_at, ends_at=ends_at, take=take
    )
    if test_drive is None:
        raise NoCarLeft()
    return test_drive


def vehicle_take_first_free(
    *,
    store: Store,
    car_model: CarModel,
    paint: Paint,
    starts_at: datetime,
    ends_at: datetime,
    take: Callable[[int], T],
    other_than: int | None = None,
) -> T | None:
    """Call ``take(vehicle_id)`` for the first of the store's cars of this model and paint (but
    ``other_than``) that is free over [starts_at, ends_at), and return what it returns; None when
    no car is free. ``take`` runs in a savepoint: when the database says another booking held that
    car meanwhile (``hold_no_overlap_per_vehicle``), the next car is tried."""
    candidates = vehicle_candidates(store=store, car_model=car_model, paint=paint).values_list(
        "pk", flat=True
    )
    ids = [pk for pk in candidates if pk != other_than]
    for vehicle_id in vehicle_free_ids(vehicle_ids=ids, starts_at=starts_at, ends_at=ends_at):
        try:
            with transaction.atomic():
                return take(vehicle_id)
        except IntegrityError as exc:
            if "hold_no_overlap_per_vehicle" not in str(exc):
                raise
            # Another booking committed a hold on this car after we read it as free: try the next.
            logger.info("hold on vehicle %s taken by a concurrent booking; trying the next car", vehicle_id)
    return None


def _fee_payment_open(test_drive: TestDrive, *, now: datetime) -> Payment:
    return Payment.objects.create(
        test_drive=test_drive,
        purpose=PaymentPurpose.TEST_DRIVE_FEE,
        amount_cny=test_drive.fee_cny,
        provider=payment_provider().name,
        reference=f"td{test_drive.pk}-fee",
        expires_at=now + timedelta(minutes=settings.TESTDRIVE_PAYMENT_MINUTES),
    )


def testdrive_pay_fee(*, test_drive: TestDrive) -> Payment | None:
    """Charge the booking's fee through the payment provider. Paying twice charges once.
    Returns the fee's payment (None: the booking has no fee).

    The provider call happens outside our transaction (it is a network call); our reference is its
    idempotency key, so a retry after a crash between the two cannot charge twice.
    """
    payment = test_drive.payments.filter(purpose=PaymentPurpose.TEST_DRIVE_FEE).first()
    if payment is None or payment.status == PaymentStatus.PAID:
        return payment
    if payment.status != PaymentStatus.PENDING or test_drive.state != State.SCHEDULED:
        raise TransitionRefused(_("This booking can no longer be paid: its payment time ran out."))
    result = payment_provider().charge(
        reference=payment.reference,
        amount_cny=payment.amount_cny,
        description=f"Test drive {test_drive.pickup_code}",
    )
    if result.status != "paid":
        raise PaymentFailed()
    with transaction.atomic():
        settled = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=PaymentStatus.PAID, provider_reference=result.provider_reference, settled_at=timezone.now()
        )
        if settled:
            notification_create(test_drive=test_drive, kind="booked")
    payment.refresh_from_db()
    return payment


def testdrive_cancel(
    *, test_drive: TestDrive, by: User, as_staff: bool = False, reason: str = ""
) -> TestDrive:
    """Cancel a booking and release its car at once.

    A member may cancel until check-in; staff at any point before the car leaves the bay (a car
    already brought down goes back into storage; one still on its way, sent for at check-in,
    goes back when it arrives). Cancelling a cancelled booking changes nothing.
    """
    with transaction.atomic():
        td = TestDrive.objects.select_for_update().get(pk=test_drive.pk)
        if td.state == State.CANCELLED:
            return td
        allowed = STAFF_CANCELLABLE if as_staff else [State.SCHEDULED]
        if td.state not in allowed:
            raise TransitionRefused(
                _("This booking can no longer be cancelled here: please ask the staff.")
                if not as_staff
                else _("The car has already left: this booking can no longer be cancelled.")
            )
        # Checked in or later, the car may stand in (or be on its way to) a delivery bay: it goes
        # back. Still on its way: the tower's inbox stores it when it arrives (a no-op here).
        car_at_bay = td.state != State.SCHEDULED
        td.cancel(by=by, description=reason or ("cancelled by staff" if as_staff else "cancelled by member"))
        _cancelled(td, now=timezone.now())
        if car_at_bay:
            dispatch_stow_back(vehicle_id=td.vehicle_id)
    return td


def testdrive_cancel_unpaid(*, test_drive: TestDrive, now: datetime) -> None:
    """Cancel a scheduled booking whose fee was not paid in time: its payment expires. Call with
    the booking's row locked (the payment sweep does)."""
    test_drive.cancel(description="test-drive fee not paid in time")
    _cancelled(test_drive, now=now)


def _cancelled(td: TestDrive, *, now: datetime) -> None:
    """Save a just-cancelled booking and give back what it held: its car, its place in a window
    still to come, its fee (an unpaid one lapses, a paid one is refunded); the member is told."""
    td.finished_at = now
    td.save()
    testdrive_release(test_drive=td)
    if td.slot_start > now:
        PickupWindow.objects.filter(store_id=td.store_id, starts_at=td.slot_start, booked__gt=0).update(
            booked=F("booked") - 1
        )
    _fee_settle(td)
    notification_create(test_drive=td, kind="cancelled")


def testdrive_release(*, test_drive: TestDrive) -> None:
    """End the booking's hold on its car now (cancelled, missed, completed or sold), and tell
    biometrics the drive ended: the face template's retention counts from here."""
    now = timezone.now()
    released = VehicleHold.objects.filter(booking_id=test_drive.pk, released_at__isnull=True)
    if released.update(released_at=now):
        # The booking's car (its hold's) may be free for someone else now: whoever watches it
        # (members' saved cars) hears so, without fleet or members knowing bookings.
        vehicles_changed_send(vehicle_ids=[test_drive.vehicle_id])
    still_booked = TestDrive.objects.filter(member_id=test_drive.member_id, state__in=ACTIVE).exists()
    face_template_used(member_id=test_drive.member_id, at=now, in_use=still_booked)


def _fee_settle(test_drive: TestDrive) -> None:
    """A cancelled booking's unpaid fee lapses; a paid one is refunded after commit."""
    fee = test_drive.payments.filter(purpose=PaymentPurpose.TEST_DRIVE_FEE).first()  # one at most
    if fee is None:
        return
    if fee.status == PaymentStatus.PENDING:
        Payment.objects.filter(pk=fee.pk).update(status=PaymentStatus.EXPIRED)
    elif fee.status == PaymentStatus.PAID:
        Payment.objects.filter(pk=fee.pk).update(status=PaymentStatus.REFUNDED)
        transaction.on_commit(
            lambda: payment_provider().refund(reference=fee.reference, amount_cny=fee.amount_cny)
        )
