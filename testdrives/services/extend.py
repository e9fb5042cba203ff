"""Keeping the car longer: a drive on the road moves its due-back time, and the car's hold with it,
when the car's next booking allows (docs/EXTEND-AND-SWAP.md).

The database decides under concurrency: the hold's new end goes through the same exclusion
constraint (``hold_no_overlap_per_vehicle``) as every booking, so of an extension and a booking
racing for the same hours exactly one gets them.
"""

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import VehicleHold
from members.models import Member
from testdrives.errors import ExtensionRefused, IdempotencyKeyReused, PaymentFailed, TransitionRefused
from testdrives.models import Extension, Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from testdrives.payments import payment_provider
from vendingstore.formatting import moment_format

logger = logging.getLogger(__name__)


# --- what is possible ---------------------------------------------------------------------------


def testdrive_first_due(*, test_drive: TestDrive) -> datetime | None:
    """The due-back time the drive started with: 72 hours from when its first car left the bay (a
    swapped car keeps the three days of the car it replaced)."""
    first = test_drive.swap_of if test_drive.swap_of_id else test_drive
    if first is None or first.departed_at is None:
        return None
    return first.departed_at + timedelta(hours=settings.TEST_DRIVE_HOURS)


def extension_fee(*, test_drive: TestDrive, due_before: datetime, due_after: datetime) -> int:
    """What moving the due time from ``due_before`` to ``due_after`` costs: the started days of extra
    time (past the first due time) that it adds. Two short extensions inside one day pay once."""
    first_due = testdrive_first_due(test_drive=test_drive)
    if first_due is None:
        return 0

    def days(due: datetime) -> int:
        return math.ceil(max(0.0, (due - first_due).total_seconds()) / 86400)

    return (days(due_after) - days(due_before)) * settings.TESTDRIVE_EXTEND_FEE_PER_DAY_CNY


@dataclass(frozen=True)
class ExtendOptions:
    """How much longer the drive may be kept now: ``hours`` (1 up to the most), each with its new
    due time and fee; empty with ``reason`` when it cannot be extended at all."""

    hours: list[tuple[int, datetime, int]]
    latest: datetime | None
    reason: str
    next_booking_at: datetime | None

    @property
    def possible(self) -> bool:
        return bool(self.hours)


def testdrive_extend_options(*, test_drive: TestDrive, now: datetime) -> ExtendOptions:
    """The extensions open to the drive at ``now``, read without locks (the service checks again)."""
    refusal = _refusal(test_drive, now=now)
    if refusal:
        return ExtendOptions(hours=[], latest=None, reason=refusal, next_booking_at=None)
    latest, next_at = _latest_due(test_drive)
    assert test_drive.due_back_at is not None  # on the road: _refusal checked
    most = int((latest - test_drive.due_back_at).total_seconds() // 3600)
    if most < 1:
        return ExtendOptions(
            hours=[], latest=latest, reason=_limit_reason(latest, next_at), next_booking_at=next_at
        )
    hours = [
        (
            h,
            test_drive.due_back_at + timedelta(hours=h),
            extension_fee(
                test_drive=test_drive,
                due_before=test_drive.due_back_at,
                due_after=test_drive.due_back_at + timedelta(hours=h),
            ),
        )
        for h in range(1, most + 1)
    ]
    return ExtendOptions(hours=hours, latest=latest, reason="", next_booking_at=next_at)


def _refusal(td: TestDrive, *, now: datetime) -> str:
    """Why the drive cannot be extended whatever the calendar says; empty when it may be."""
    if td.state == State.OVERDUE:
        return str(_("The car is overdue: please bring it back. The late fee applies from the due time."))
    if td.state != State.ON_DRIVE or td.due_back_at is None:
        return str(_("Only a test drive on the road can be extended."))
    if now >= td.due_back_at:
        return str(_("The due-back time has passed: please bring the car back."))
    if td.swaps.filter(state=State.SCHEDULED).exists():
        return str(
            _(
                "You have asked to swap this car: extend the drive once you have the new car, or cancel the swap."
            )
        )
    return ""


def _latest_due(td: TestDrive) -> tuple[datetime, datetime | None]:
    """The latest due time the cap and the car's calendar allow, and when the car's next booking
    starts when that is what limits it (None: the cap does)."""
    first_due = testdrive_first_due(test_drive=td)
    assert first_due is not None and td.due_back_at is not None
    cap = first_due + timedelta(hours=settings.TESTDRIVE_EXTEND_MAX_HOURS)
    turnaround = timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    next_hold = (
        VehicleHold.objects.filter(
            vehicle_id=td.vehicle_id, released_at__isnull=True, starts_at__lt=cap + turnaround
        )
        .exclude(booking_id=td.pk)
        .filter(ends_at__gt=td.due_back_at)
        .order_by("starts_at")
        .first()
    )
    if next_hold is None or next_hold.starts_at - turnaround >= cap:
        return cap, None
    return next_hold.starts_at - turnaround, next_hold.starts_at


def _limit_reason(latest: datetime, next_at: datetime | None) -> str:
    if next_at is not None:
        return str(
            _(
                "This car is booked again from %(next)s and needs time to be made ready: it must be back by %(latest)s."
            )
            % {"next": moment_format(next_at), "latest": moment_format(latest)}
        )
    return str(
        _("A test drive can be extended by %(hours)s hours at most: it must be back by %(latest)s.")
        % {"hours": settings.TESTDRIVE_EXTEND_MAX_HOURS, "latest": moment_format(latest)}
    )


# --- extending ------------------------------------------------------------------------------------


def testdrive_extend(
    *, test_drive: TestDrive, member: Member, hours: int, request_key: uuid.UUID
) -> Extension:
    """Move the drive's due-back time ``hours`` later, or raise and change nothing.

    Allowed while the car is on the road (not overdue) and before its due time, up to
    ``TESTDRIVE_EXTEND_MAX_HOURS`` past the first due time, and only as far as the car's next
    booking allows (its start less the turnaround). The fee (``extension_fee``) is charged through
    the payment provider after the change is committed; a declined charge undoes the extension and
    raises ``PaymentFailed``. The same ``request_key`` again returns the same extension (a double
    click extends once); with other hours it raises ``IdempotencyKeyReused``.
    """
    if hours < 1:
        raise ExtensionRefused(_("Pick how many hours to add."))
    if hours > settings.TESTDRIVE_EXTEND_MAX_HOURS:
        raise ExtensionRefused(
            _("A test drive can be extended by %(hours)s hours at most.")
            % {"hours": settings.TESTDRIVE_EXTEND_MAX_HOURS}
        )
    done = _extension_for_key(test_drive, request_key, hours)
    # An extension whose charge never came back (a crash between the commit and the provider's
    # answer) is settled first: charged again under the same reference, or undone.
    for stale in Extension.objects.filter(test_drive_id=test_drive.pk, status=Extension.Status.PENDING):
        if done is None or stale.pk != done.pk:
            _extension_charge(stale)
    if done is None:
        done = _extend(test_drive, member=member, hours=hours, request_key=request_key)
    if done.status == Extension.Status.PENDING:
        _extension_charge(done)
        done.refresh_from_db()
    if done.status == Extension.Status.FAILED:
        raise PaymentFailed()
    return done


def _extension_for_key(td: TestDrive, request_key: uuid.UUID, hours: int) -> Extension | None:
    done = Extension.objects.filter(test_drive_id=td.pk, request_key=request_key).first()
    if done is not None and done.hours != hours:
        raise IdempotencyKeyReused(
            _("This request key was already used for an extension of other hours. Send a new key.")
        )
    return done


def _extend(td: TestDrive, *, member: Member, hours: int, request_key: uuid.UUID) -> Extension:
    now = timezone.now()
    with transaction.atomic():
        locked = TestDrive.objects.select_for_update(of=("self",)).select_related("swap_of").get(pk=td.pk)
        if locked.member_id != member.pk:
            raise TransitionRefused(_("This is not your test drive."))
        if (done := _extension_for_key(locked, request_key, hours)) is not None:
            return done  # a concurrent double click got here first
        if refusal := _refusal(locked, now=now):
            raise ExtensionRefused(refusal)
        if locked.extensions.filter(status=Extension.Status.PENDING).exists():
            # No extension on top of one whose payment may still fail: its undo would take both.
            raise ExtensionRefused(
                _("Your last extension is still being paid. Please try again in a moment.")
            )
        assert locked.due_back_at is not None
        due_before, due_after = locked.due_back_at, locked.due_back_at + timedelta(hours=hours)
        latest, next_at = _latest_due(locked)
        if due_after > latest:
            raise ExtensionRefused(
                _limit_reason(latest, next_at), extra={"latest_due_back_at": latest.isoformat()}
            )
        hold_ended_before = _hold_stretch(locked, until=due_after, latest=latest)
        fee = extension_fee(test_drive=locked, due_before=due_before, due_after=due_after)
        payment = None
        if fee:
            payment = Payment.objects.create(
                test_drive=locked,
                purpose=PaymentPurpose.EXTENSION,
                amount_cny=fee,
                provider=payment_provider().name,
                # One per extension request: the provider's idempotency key for this charge.
                reference=f"td{locked.pk}-ext-{request_key.hex}",
            )
        extension = Extension.objects.create(
            test_drive=locked,
            request_key=request_key,
            hours=hours,
            due_before=due_before,
            due_after=due_after,
            hold_ended_before=hold_ended_before,
            fee_cny=fee,
            payment=payment,
            status=Extension.Status.PENDING if fee else Extension.Status.DONE,
        )
        locked.due_back_at = due_after
        locked.save(update_fields=["due_back_at", "updated_at"])
    logger.info("test drive %s extended by %s h to %s (fee %s CNY)", td.pk, hours, due_after, fee)
    return extension


def _hold_stretch(td: TestDrive, *, until: datetime, latest: datetime) -> datetime:
    """Make the car's hold last to ``until`` plus the turnaround; return where it ended before.

    The UPDATE runs in a savepoint: when a booking committed a hold on the car meanwhile, the
    exclusion constraint refuses it and the member is told the car is booked again.
    """
    hold = VehicleHold.objects.select_for_update().get(booking_id=td.pk, released_at__isnull=True)
    wanted = until + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    if hold.ends_at >= wanted:
        return hold.ends_at
    try:
        with transaction.atomic():
            VehicleHold.objects.filter(pk=hold.pk).update(ends_at=wanted)
    except IntegrityError as exc:
        if "hold_no_overlap_per_vehicle" not in str(exc):
            raise
        raise ExtensionRefused(
            _(
                "Someone has just booked this car for the hours after your drive: it cannot be extended that far."
            )
        ) from exc
    return hold.ends_at


def _extension_charge(extension: Extension) -> None:
    """Charge the extension's fee (outside any transaction: a network call). Our reference is the
    provider's idempotency key, so charging again after a crash cannot take the money twice.
    Declined: the extension is undone."""
    payment = extension.payment
    assert payment is not None
    if payment.status == PaymentStatus.PENDING:
        result = payment_provider().charge(
            reference=payment.reference,
            amount_cny=payment.amount_cny,
            description=f"Test drive extension {extension.test_drive_id} +{extension.hours} h",
        )
        status = PaymentStatus.PAID if result.status == "paid" else PaymentStatus.FAILED
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=status, provider_reference=result.provider_reference, settled_at=timezone.now()
        )
        payment.refresh_from_db()
    if payment.status == PaymentStatus.PAID:
        Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
            status=Extension.Status.DONE
        )
    else:
        _extension_undo(extension)


def _extension_undo(extension: Extension) -> None:
    """Put the due time and the hold back as they were before a declined extension. No later
    extension can sit on top of it: they are refused while one is pending."""
    with transaction.atomic():
        td = TestDrive.objects.select_for_update(of=("self",)).get(pk=extension.test_drive_id)
        undone = Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
            status=Extension.Status.FAILED
        )
        if not undone:
            return
        if td.due_back_at == extension.due_after:
            td.due_back_at = extension.due_before
            td.save(update_fields=["due_back_at", "updated_at"])
        VehicleHold.objects.filter(booking_id=td.pk, released_at__isnull=True).update(
            ends_at=extension.hold_ended_before
        )
    logger.info("extension %s undone: its payment was declined", extension.pk)
