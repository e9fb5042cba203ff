"""From check-in at the kiosk to the car's return: the steps the kiosk, the face check, the tower
and staff drive. Each step locks the booking row, checks its state, transitions and saves."""

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from fleet.models import Bay, BayKind, Vehicle, VehicleStatus
from fleet.services import vehicle_place, vehicle_take_out
from testdrives.codes import code_new, code_normalize
from testdrives.errors import (
    NoDeliveryBayFree,
    PaymentFailed,
    PickupCodeUnknown,
    ReturnSidesMissing,
    TransitionRefused,
)
from testdrives.models import (
    FINISHED,
    LATE_FEE_COUNTED,
    Kiosk,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    ReturnPhoto,
    State,
    TestDrive,
)
from testdrives.notify import notification_create, staff_alert
from testdrives.payments import payment_provider
from testdrives.selectors import testdrive_fee_pending, testdrive_state_channel
from testdrives.services.booking import testdrive_release
from testdrives.services.dispatch import (
    dispatch_car_in_delivery_bay,
    dispatch_prefetch,
    dispatch_prefetch_failed,
    dispatch_retrieve,
    dispatch_stow_back,
    dispatcher,
)
from testdrives.services.return_photos import (
    side_photos_read,
    side_photos_store,
    sides_missing,
    sides_missing_message,
)
from tower.bays import bay_free
from vendingstore.pgnotify import notify

logger = logging.getLogger(__name__)


def _locked(test_drive: TestDrive | int) -> TestDrive:
    pk = test_drive if isinstance(test_drive, int) else test_drive.pk
    return (
        TestDrive.objects.select_for_update(of=("self",)).select_related("vehicle", "member__user").get(pk=pk)
    )


def _step(
    test_drive: TestDrive | int,
    *,
    first: str,
    transition: Callable[[TestDrive], None],
    only_from: Sequence[str] = (),
    refusal: str = "",
) -> TestDrive:
    """Lock, check that the booking's state allows the FSM transition ``first`` (the one
    ``transition`` starts with: the model's ``source=`` lists are the one statement of where each
    step may start), apply ``transition`` (which calls the FSM methods) and save once.
    ``only_from`` narrows the FSM's sources where a service allows less than the model does."""
    td = _locked(test_drive)
    possible = can_proceed(getattr(td, first), check_conditions=False)
    if not possible or (only_from and td.state not in only_from):
        raise TransitionRefused(
            refusal
            or _("This booking is %(state)s: that step is not possible now.")
            % {"state": td.get_state_display()}
        )
    transition(td)
    td.save()
    # Wakes the kiosk's request waiting for this booking's state, when this transaction commits.
    notify(testdrive_state_channel(td.pk))
    return td


# --- kiosk ------------------------------------------------------------------------------------


def testdrive_check_in(*, kiosk: Kiosk, pickup_code: str) -> TestDrive:
    """The member typed or scanned their pickup code at ``kiosk``. Idempotent: a second tap on the
    same code returns the booking as it is.

    Refused: a code of another store (as unknown, to give nothing away), outside the window
    (from ``TESTDRIVE_CHECK_IN_EARLY_MINUTES`` before it to its end), or with the fee unpaid.

    Early retrieve: the check-in sends for the car at once (``dispatch_prefetch``), so it travels
    while the identity is checked and waits behind the delivery bay's closed door.
    """
    code = code_normalize(pickup_code)
    # The pk alone: a deferred ``state`` would be fetched again by ConcurrentTransitionMixin.
    found = (
        TestDrive.objects.filter(pickup_code=code, store_id=kiosk.store_id)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise PickupCodeUnknown()
    now = timezone.now()
    with transaction.atomic():
        td = _locked(found)
        if td.state != State.SCHEDULED:
            if td.state in FINISHED:
                raise TransitionRefused(_("This booking is %(state)s.") % {"state": td.get_state_display()})
            return td
        opens = td.slot_start - timedelta(minutes=settings.TESTDRIVE_CHECK_IN_EARLY_MINUTES)
        if now < opens:
            raise TransitionRefused(
                _("You are early: check-in opens at %(time)s.")
                % {"time": timezone.localtime(opens, td.store.zone).strftime("%H:%M")}
            )
        if now > td.slot_end:
            raise TransitionRefused(_("Your pickup window has ended. Please book again."))
        if testdrive_fee_pending(test_drive=td) is not None:
            raise PaymentFailed(_("The test-drive fee is not paid yet. Please pay it in the app first."))
        # A swap's car is handed over only once the first car is back (bought on the road, it is not).
        if (first_car := td.swap_of) is not None and first_car.returned_at is None:
            raise TransitionRefused(
                _("First return the car you are driving: tap Return a car and enter its return code.")
            )
        td.check_in(description=f"kiosk {kiosk.pk}")
        td.save()
        dispatch_prefetch(test_drive_id=td.pk)
    return td


# --- identity: the face check (biometrics) or staff ------------------------------------------


def testdrive_face_check_started(*, test_drive: TestDrive | int) -> TestDrive:
    """A face check is running for this booking (checked_in → verifying)."""
    with transaction.atomic():
        return _step(test_drive, first="start_verification", transition=lambda td: td.start_verification())


def testdrive_face_check_failed(*, test_drive: TestDrive | int, failures: int, reason: str) -> TestDrive:
    """The face did not match. Back to checked_in for another try, or locked for staff after the
    ``TESTDRIVE_FACE_ATTEMPTS_MAX``-th failure (``failures`` counts this booking's failed attempts)."""

    def transition(td: TestDrive) -> None:
        if failures >= settings.TESTDRIVE_FACE_ATTEMPTS_MAX:
            td.lock(description=f"{failures} failed face checks: {reason}")
        else:
            td.retry_verification(description=reason)

    with transaction.atomic():
        td = _step(test_drive, first="retry_verification", transition=transition)  # or lock: same source
        if td.state == State.LOCKED:
            staff_alert(test_drive=td, what="locked after failed face checks")
    return td


def testdrive_identity_verified(
    *, test_drive: TestDrive | int, method: str, by: User | None = None, note: str = ""
) -> TestDrive:
    """Identity confirmed, by the face check (``method="face"``) or by staff who saw the driving
    licence and ID card (``method="staff"``, audited with who and ``note``). The car is sent for
    at once (verified → dispatching); if it already stands in a delivery bay (sent for at
    check-in), the booking is ready at once (→ ready); if the tower already refused the move
    started at check-in, the booking goes to staff (→ dispatch_failed, who retry or cancel)."""
    if method == "staff" and (by is None or not note.strip()):
        raise TransitionRefused(_("Say what you checked (driving licence and ID card) to verify by hand."))
    # A face match counts only for the check it decided; staff may verify from any state the FSM allows.
    only_from = [State.VERIFYING] if method == "face" else []

    def transition(td: TestDrive) -> None:
        td.verify(by=by, description=f"{method}: {note}".strip(": "))
        td.identity_method = method
        td.dispatch(description="retrieve requested")

    with transaction.atomic():
        td = _step(test_drive, first="verify", only_from=only_from, transition=transition)
        bay = dispatch_car_in_delivery_bay(vehicle_id=td.vehicle_id)
        if bay is not None:  # brought at check-in: ready at once
            td = testdrive_car_at_bay(test_drive=td, bay=bay)
        elif why := dispatch_prefetch_failed(test_drive_id=td.pk):  # the tower already refused
            td = testdrive_dispatch_failed(test_drive=td, reason=why)
        else:
            dispatch_retrieve(test_drive_id=td.pk)
    return td


def testdrive_unlock(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """Staff give a locked booking more face attempts (locked → checked_in)."""
    with transaction.atomic():
        return _step(test_drive, first="unlock", transition=lambda td: td.unlock(by=by, description=reason))


# --- the tower --------------------------------------------------------------------------------


def testdrive_car_at_bay(*, test_drive: TestDrive | int, bay: Bay) -> TestDrive:
    """The car stands in delivery ``bay`` (dispatching → ready). A repeat for the same bay is a no-op."""
    with transaction.atomic():
        td = _locked(test_drive)
        if td.state == State.READY and td.delivery_bay_id == bay.pk:
            return td
        if td.state != State.DISPATCHING:
            raise TransitionRefused(_("This booking is not waiting for its car."))
        td.arrive(description=f"at {bay}")
        td.delivery_bay = bay
        td.save()
        notification_create(test_drive=td, kind="ready")
    return td


def testdrive_dispatch_failed(*, test_drive: TestDrive | int, reason: str) -> TestDrive:
    with transaction.atomic():
        td = _step(
            test_drive,
            first="fail_dispatch",
            transition=lambda td: td.fail_dispatch(description=reason),
        )
        staff_alert(test_drive=td, what=f"tower could not bring the car: {reason}")
    return td


def testdrive_dispatch_retry(*, test_drive: TestDrive | int, by: User) -> TestDrive:
    """Staff ask the tower again after a fault (dispatch_failed → dispatching)."""
    with transaction.atomic():
        td = _step(
            test_drive,
            first="dispatch",
            only_from=[State.DISPATCH_FAILED],  # a retry; the first dispatch follows verification
            transition=lambda td: td.dispatch(by=by, description="retry"),
        )
        dispatch_retrieve(test_drive_id=td.pk)
    return td


def testdrive_depart(*, test_drive: TestDrive | int, by: User | None = None) -> TestDrive:
    """The gate opened and the car left the delivery bay: the drive's clock starts now. A swapped
    car keeps the due-back time of the car it replaced (the three days do not restart)."""
    now = timezone.now()

    def transition(td: TestDrive) -> None:
        td.depart(by=by, description="gate opened")
        td.departed_at = now
        td.due_back_at = now + timedelta(hours=settings.TEST_DRIVE_HOURS)
        if td.swap_of is not None and td.swap_of.due_back_at is not None:
            td.due_back_at = td.swap_of.due_back_at
        td.return_code = code_new()
        td.odometer_out_km = td.vehicle.odometer_km
        td.energy_out_pct = td.vehicle.energy_level_pct

    with transaction.atomic():
        td = _step(test_drive, first="depart", transition=transition)
        vehicle_take_out(
            vehicle=Vehicle.objects.select_for_update().get(pk=td.vehicle_id), status=VehicleStatus.ON_DRIVE
        )
    return td


# --- the return -------------------------------------------------------------------------------


def late_fee_for(*, test_drive: TestDrive, returned_at: datetime) -> int:
    """Per started hour after the due time, once past the grace period; capped."""
    due = test_drive.due_back_at
    if due is None or returned_at <= due + timedelta(minutes=settings.TESTDRIVE_GRACE_MINUTES):
        return 0
    hours = math.ceil((returned_at - due).total_seconds() / 3600)
    return min(hours * settings.TESTDRIVE_LATE_FEE_PER_HOUR_CNY, settings.TESTDRIVE_LATE_FEE_CAP_CNY)


def testdrive_find_by_return_code(*, kiosk: Kiosk, return_code: str) -> TestDrive:
    td = TestDrive.objects.filter(
        return_code=code_normalize(return_code),
        store_id=kiosk.store_id,
        state__in=[State.ON_DRIVE, State.OVERDUE],
    ).first()
    if td is None:
        raise PickupCodeUnknown(
            _("We do not know this return code at this store, or the car is already back.")
        )
    return td


def testdrive_return(
    *,
    test_drive: TestDrive | int,
    odometer_km: int,
    energy_pct: int,
    damage: str = "",
    photos: Sequence[UploadedFile] = (),
    sides: Mapping[str, UploadedFile] | None = None,
    by: User | None = None,
) -> TestDrive:
    """The car is back in a delivery bay: readings and photos recorded, late fee worked out. The
    review (``returned`` → ``completed``) is an operator's, later, from the photos and readings.

    A member's return (``by`` None: the kiosk) needs a picture of each of the four sides, given
    now (``sides``: side → upload, from the kiosk camera) or sent from the phone during the drive;
    staff recording a return by hand may go without. ``photos`` are any other close-ups.

    The car is stowed once the member has left the bay (its gate closed: ``testdrive_bay_left``),
    not when the review is done; where the tower reports no gate (the instant dispatcher), the
    recorded return counts as leaving. The car stays held (``VehicleHold``) until the review.

    Refused (nothing stored) when the odometer reads less than at departure, when a side is
    missing, or when every delivery bay is taken.
    """
    side_data, side_names = side_photos_read(uploads=sides or {})  # checked before any lock
    now = timezone.now()
    with transaction.atomic():
        td = _locked(test_drive)
        if td.state not in (State.ON_DRIVE, State.OVERDUE):
            raise TransitionRefused(_("This car is not out on a drive."))
        if td.odometer_out_km is not None and odometer_km < td.odometer_out_km:
            raise TransitionRefused(
                _("The odometer cannot read less than when the car left (%(km)s km).")
                % {"km": td.odometer_out_km}
            )
        missing = sides_missing(test_drive=td, adding=side_data)
        if by is None and missing:
            raise ReturnSidesMissing(sides_missing_message(missing))
        bay = bay_free(store_id=td.store_id, kind=BayKind.DELIVERY)
        if bay is None:
            raise NoDeliveryBayFree()
        td.take_back(by=by, description="returned" + (f"; damage: {damage}" if damage else ""))
        td.returned_at = now
        td.odometer_in_km, td.energy_in_pct, td.damage_noted = odometer_km, energy_pct, damage
        td.late_fee_cny = late_fee_for(test_drive=td, returned_at=now)
        td.delivery_bay = bay
        no_gate = not dispatcher().gate_reported()
        if no_gate:
            td.bay_left_at = now
        td.save()
        vehicle = Vehicle.objects.select_for_update().get(pk=td.vehicle_id)
        vehicle.odometer_km = max(vehicle.odometer_km, odometer_km)
        vehicle.energy_level_pct = energy_pct
        vehicle.save(update_fields=["odometer_km", "energy_level_pct", "updated_at"])
        try:
            with transaction.atomic():
                vehicle_place(vehicle=vehicle, bay=bay)
        except IntegrityError as exc:
            raise NoDeliveryBayFree() from exc
        side_photos_store(test_drive=td, sides=side_data, names=side_names, by=by)
        for photo in photos:
            ReturnPhoto.objects.create(test_drive=td, image=photo, taken_by_staff=bool(by and by.is_staff))
        if td.late_fee_cny:
            _late_fee_charge(td)
        if no_gate:
            dispatch_stow_back(vehicle_id=td.vehicle_id)
    return td


def _late_fee_charge(td: TestDrive) -> None:
    # An operator may have charged part of it already while the car was overdue
    # (testdrives.services.charges): only the rest is asked now.
    counted = td.payments.filter(purpose=PaymentPurpose.LATE_FEE, status__in=LATE_FEE_COUNTED)
    due = td.late_fee_cny - sum(counted.values_list("amount_cny", flat=True))
    if due <= 0:
        return
    payment = Payment.objects.create(
        test_drive=td,
        purpose=PaymentPurpose.LATE_FEE,
        amount_cny=due,
        provider=payment_provider().name,
        reference=f"td{td.pk}-late",
    )

    def charge() -> None:
        result = payment_provider().charge(
            reference=payment.reference,
            amount_cny=payment.amount_cny,
            description=f"Late fee {td.pickup_code}",
        )
        status = PaymentStatus.PAID if result.status == "paid" else PaymentStatus.FAILED
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=status, provider_reference=result.provider_reference, settled_at=timezone.now()
        )

    transaction.on_commit(charge)


def testdrive_inspect(*, test_drive: TestDrive | int, by: User, notes: str = "") -> TestDrive:
    """Staff reviewed the returned car (returned → completed): its hold ends. A car still in its
    delivery bay goes back into storage now only if the member has left the bay; else the gate's
    closing stows it (``testdrive_bay_left``), so the lift never takes a car someone stands by."""

    def transition(td: TestDrive) -> None:
        td.complete(by=by, description=notes or "inspected")
        td.inspection_notes = notes
        td.finished_at = timezone.now()

    with transaction.atomic():
        td = _step(test_drive, first="complete", transition=transition)
        testdrive_release(test_drive=td)
        if td.bay_left_at is not None:
            dispatch_stow_back(vehicle_id=td.vehicle_id)
    return td
