"""After the drive: the phone's pictures of the car, the member leaving the delivery bay (the tower
stows the car then), and the operator's review from the photos and readings, which completes the
drive, with a charge for damage or excess use when it finds one.

The car stays held for its booking (``VehicleHold``) from the return until the review: the
review could find damage, so nobody may be promised the car before it (the overdue sweep keeps a
returned car's hold ahead of now, as an overdue one's; ``sweeps.sweep_overdue_holds``).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.models import Bay, Vehicle
from testdrives.errors import ChargeRefused, ReturnPhotoRefused, TransitionRefused
from testdrives.models import (
    CAR_WANTED,
    CarSide,
    ChargeKind,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    PickupPhoto,
    ReturnCharge,
    ReturnPhoto,
    State,
    TestDrive,
)
from testdrives.notify import notification_create
from testdrives.payments import payment_provider
from testdrives.services.dispatch import dispatch_stow_back
from testdrives.services.lifecycle import _locked, testdrive_inspect
from testdrives.services.return_photos import (
    PHOTOS_OPEN,
    side_photo_check,
    side_photos_read,
    side_photos_store,
)

logger = logging.getLogger(__name__)


def testdrive_return_photo_add(
    *, test_drive: TestDrive | int, side: str, upload: UploadedFile, by: User | None = None
) -> ReturnPhoto:
    """A picture of one side of the car, sent from the phone while it is out (the booking page or
    the API); sending a side again replaces it. Refused once the car is back."""
    data, names = side_photos_read(uploads={side: upload})
    with transaction.atomic():
        td = _locked(test_drive)
        if td.state not in PHOTOS_OPEN:
            raise TransitionRefused(_("Photos of the car are taken while it is out, before the return."))
        return side_photos_store(test_drive=td, sides=data, names=names, by=by)[0]


def pickup_photos_open(*, test_drive: TestDrive) -> bool:
    """Whether the member may still report damage found at pickup (the first minutes on the road)."""
    if test_drive.state != State.ON_DRIVE or test_drive.departed_at is None:
        return False
    until = test_drive.departed_at + timedelta(minutes=settings.TESTDRIVE_PICKUP_PHOTOS_MINUTES)
    return timezone.now() <= until


def testdrive_pickup_photo_add(
    *, test_drive: TestDrive | int, side: str, upload: UploadedFile, note: str = ""
) -> PickupPhoto:
    """ "Report existing damage": a picture the member takes right after pickup (a side, or "" for a
    close-up), kept for the return's review, so they are not charged for it. A side given again
    replaces its picture. Refused after ``TESTDRIVE_PICKUP_PHOTOS_MINUTES`` on the road."""
    if side and side not in CarSide.values:
        raise ReturnPhotoRefused()
    data = side_photo_check(upload=upload)
    with transaction.atomic():
        td = _locked(test_drive)
        if not pickup_photos_open(test_drive=td):
            raise TransitionRefused(
                _(
                    "Damage found at pickup is reported in the first %(minutes)s minutes after leaving the bay."
                )
                % {"minutes": settings.TESTDRIVE_PICKUP_PHOTOS_MINUTES}
            )
        if side:
            PickupPhoto.objects.filter(test_drive=td, side=side).delete()
        return PickupPhoto.objects.create(
            test_drive=td,
            side=side,
            note=note.strip()[:300],
            image=ContentFile(data, name=upload.name or "pickup.jpg"),
        )


def testdrive_bay_left(*, bay: Bay, occupied: bool) -> TestDrive | None:
    """The last person walked out of delivery ``bay`` and its gate closed (``tower.signals.
    bay_gate_closed``). A car returned into that bay, still standing in it, is stowed now, whether
    or not its review is done. Returns the booking whose car was sent, or None (no returned car
    there, already sent, or the bay reported empty: the car has not been driven in yet)."""
    found = (
        TestDrive.objects.filter(
            state__in=[State.RETURNED, State.COMPLETED], delivery_bay=bay, bay_left_at__isnull=True
        )
        .order_by("-returned_at")
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return None
    if not occupied:
        logger.info("bay %s closed empty: the returned car of booking %s is not in it yet", bay, found)
        return None
    with transaction.atomic():
        td = _locked(found)
        if td.delivery_bay_id != bay.pk or not _still_in_bay(td):
            return None
        _leave_bay(td)
    return td


def _still_in_bay(td: TestDrive) -> bool:
    """The returned car stands in its delivery bay, nobody has left it yet, and its next booking
    has not sent for it (then the car stays down for that pickup). Call with ``td`` locked."""
    vehicle = Vehicle.objects.get(pk=td.vehicle_id)
    return td.bay_left_at is None and vehicle.bay_id == td.delivery_bay_id and not _wanted_by_another(td)


def _leave_bay(td: TestDrive) -> None:
    td.bay_left_at = timezone.now()
    td.save(update_fields=["bay_left_at", "updated_at"])
    dispatch_stow_back(vehicle_id=td.vehicle_id)


def testdrive_bay_clear(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """The bay's gate never reported closing after the return (a stuck gate, or a member who
    lingered): an operator saw on the bay's camera that nobody is inside and has the car stowed,
    as the gate's closing would have. Refused once the car is no longer waiting in its bay."""
    with transaction.atomic():
        td = _locked(test_drive)
        if td.state not in (State.RETURNED, State.COMPLETED) or not _still_in_bay(td):
            raise TransitionRefused(_("This returned car is no longer waiting in its delivery bay."))
        logger.warning("booking %s: bay declared clear by %s without the gate closing: %s", td.pk, by, reason)
        _leave_bay(td)
    return td


def _wanted_by_another(td: TestDrive) -> bool:
    return (
        TestDrive.objects.filter(vehicle_id=td.vehicle_id, state__in=[*CAR_WANTED, State.READY])
        .exclude(pk=td.pk)
        .exists()
    )


def on_bay_gate_closed(*, bay: Bay, occupied: bool, **kwargs: object) -> None:
    """``bay_gate_closed`` receiver (connected in TestdrivesConfig.ready)."""
    testdrive_bay_left(bay=bay, occupied=occupied)


def testdrive_review_ok(*, test_drive: TestDrive | int, by: User, notes: str = "") -> TestDrive:
    """The review found nothing to charge: the drive completes (the car may be bought for
    ``TESTDRIVE_BUY_AFTER_RETURN_DAYS`` after the return)."""
    return testdrive_inspect(test_drive=test_drive, by=by, notes=notes.strip() or "reviewed: OK")


def testdrive_charge_open(
    *,
    test_drive: TestDrive | int,
    by: User,
    kind: str,
    amount_cny: int,
    reason: str,
    photo_ids: list[int] | None = None,
    photos: list[UploadedFile] | None = None,
) -> ReturnCharge:
    """The review found damage or excess use: the drive completes and the member is charged
    ``amount_cny`` for ``reason``, shown with the chosen return photos (``photo_ids``) and any
    the operator adds (``photos``, checked by the form's ``PhotosField``). Charged through the payment provider after commit; a failed
    charge shows in the console's failed payments. Reason required; the booking's timeline
    (the completion's log) says who and why."""
    reason = reason.strip()
    if not reason:
        raise ChargeRefused(_("Say what the charge is for."))
    if kind not in ChargeKind.values:
        raise ChargeRefused(_("Choose damage or excess use."))
    if not 0 < amount_cny <= settings.TESTDRIVE_RETURN_CHARGE_MAX_CNY:
        raise ChargeRefused(
            _("The amount must be from 1 to %(max)s CNY.") % {"max": settings.TESTDRIVE_RETURN_CHARGE_MAX_CNY}
        )
    with transaction.atomic():
        td = testdrive_inspect(
            test_drive=test_drive, by=by, notes=f"charge {amount_cny} CNY, {kind}: {reason}"
        )
        payment = Payment.objects.create(
            test_drive=td,
            purpose=PaymentPurpose.RETURN_CHARGE,
            amount_cny=amount_cny,
            provider=payment_provider().name,
            reference=f"td{td.pk}-charge",
        )
        charge = ReturnCharge.objects.create(
            test_drive=td, kind=kind, amount_cny=amount_cny, reason=reason, payment=payment, created_by=by
        )
        chosen = list(ReturnPhoto.objects.filter(test_drive=td, pk__in=photo_ids or []))
        added = [
            ReturnPhoto.objects.create(test_drive=td, image=upload, taken_by_staff=True)
            for upload in photos or []
        ]
        charge.photos.set([*chosen, *added])
        notification_create(test_drive=td, kind="charged")
        transaction.on_commit(
            lambda: payment_charge(payment_id=payment.pk, description=f"Charge {td.pickup_code}")
        )
    return charge


def payment_charge(*, payment_id: int, description: str) -> None:
    """Ask the provider for a pending payment (its reference is the idempotency key); settle it."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != PaymentStatus.PENDING:
        return
    result = payment_provider().charge(
        reference=payment.reference, amount_cny=payment.amount_cny, description=description
    )
    status = PaymentStatus.PAID if result.status == "paid" else PaymentStatus.FAILED
    Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
        status=status, provider_reference=result.provider_reference, settled_at=timezone.now()
    )
