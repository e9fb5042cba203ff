"""Buying the car from the phone, during the drive or after its return."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import Vehicle, VehicleHold, VehicleStatus
from fleet.pricing import FinanceRefused, finance_quote, finance_terms
from fleet.services import vehicle_take_out
from fleet.vin import vin_normalize
from members.models import Member
from testdrives.errors import PaymentFailed, TransitionRefused
from testdrives.models import (
    PURCHASABLE,
    PURCHASABLE_AFTER_REVIEW,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    PurchaseMethod,
    PurchaseOrder,
    State,
    TestDrive,
)
from testdrives.notify import notification_create
from testdrives.payments import payment_provider
from testdrives.services.booking import testdrive_release

FINANCE_TERMS_MONTHS = tuple(finance_terms())  # the purchase form's choices
_BUY_WHEN = _("This car can be bought during its test drive and for %(days)s days after its return.")
_OTHER_CAR = _("This is not the car whose record you were shown. Nothing was charged: look at it again.")
_CAR_PROMISED = _(
    "This car is now promised to another customer's test drive. Ask the store about another of "
    "the same model."
)


def purchase_price(*, test_drive: TestDrive) -> int:
    """The price of the day: the model's price now, not the one when the drive was booked."""
    return test_drive.car_model.msrp_cny


def testdrive_buy_until(*, test_drive: TestDrive) -> datetime | None:
    """The last moment the car of a returned drive may be bought; None before the return."""
    if test_drive.returned_at is None:
        return None
    return test_drive.returned_at + timedelta(days=settings.TESTDRIVE_BUY_AFTER_RETURN_DAYS)


def testdrive_buyable(*, test_drive: TestDrive, at: datetime) -> bool:
    """Whether the member may buy the car at ``at``: on the road (late too), or back in the store
    within TESTDRIVE_BUY_AFTER_RETURN_DAYS of the return, whatever staff's review says."""
    if test_drive.state in (State.ON_DRIVE, State.OVERDUE):
        return True
    if test_drive.state not in (*PURCHASABLE, *PURCHASABLE_AFTER_REVIEW):
        return False
    until = testdrive_buy_until(test_drive=test_drive)
    return until is not None and at <= until


def _car_promised_to_another(*, test_drive: TestDrive) -> bool:
    """The car of a reviewed drive is free for the next booking: one may hold it already."""
    return (
        VehicleHold.objects.filter(vehicle_id=test_drive.vehicle_id, released_at__isnull=True)
        .exclude(booking_id=test_drive.pk)
        .exists()
    )


def testdrive_purchase(
    *,
    test_drive: TestDrive,
    member: Member,
    method: str,
    down_payment_cny: int | None = None,
    term_months: int | None = None,
    vin: str | None = None,
) -> PurchaseOrder:
    """The member buys the car of their drive (on_drive, overdue or returned → purchased).

    Full payment charges the price; financing charges a down payment of at least 20% and asks
    the provider to finance the rest. The charge and financing are requested first (our payment
    reference is the provider's idempotency key); the order, the transition and the sale of the
    vehicle are then written in one transaction. Buying twice returns the first order.

    The order is for the drive's own car. ``vin``, when given, is the car whose record the buyer
    was shown (``vehicle_record_get``): a different car is refused before anything is charged.
    """
    if (existing := PurchaseOrder.objects.filter(test_drive=test_drive).first()) is not None:
        return existing
    test_drive = TestDrive.objects.select_related("car_model", "vehicle").get(
        pk=test_drive.pk
    )  # the state now
    price = purchase_price(test_drive=test_drive)
    down, financed = _split(
        method=method, price=price, down_payment_cny=down_payment_cny, term_months=term_months
    )
    if not testdrive_buyable(test_drive=test_drive, at=timezone.now()) or test_drive.member_id != member.pk:
        raise TransitionRefused(_BUY_WHEN % {"days": settings.TESTDRIVE_BUY_AFTER_RETURN_DAYS})
    if _car_promised_to_another(test_drive=test_drive):
        raise TransitionRefused(_CAR_PROMISED)
    if vin is not None and vin_normalize(vin) != test_drive.vehicle.vin:
        raise TransitionRefused(_OTHER_CAR)
    provider = payment_provider()
    reference = f"td{test_drive.pk}-purchase"
    finance_ref = ""
    if financed:
        offer = provider.finance(reference=reference, amount_cny=financed, term_months=term_months or 0)
        if not offer.approved:
            raise PaymentFailed(_("The financing was declined. Nothing was charged."))
        finance_ref = offer.provider_reference
    result = provider.charge(
        reference=reference, amount_cny=down, description=f"Purchase {test_drive.vehicle_id}"
    )
    if result.status != "paid":
        raise PaymentFailed()
    with transaction.atomic():
        td = TestDrive.objects.select_for_update().get(pk=test_drive.pk)
        if (existing := PurchaseOrder.objects.filter(test_drive=td).first()) is not None:
            return existing
        if not testdrive_buyable(test_drive=td, at=timezone.now()) or _car_promised_to_another(test_drive=td):
            provider.refund(reference=reference, amount_cny=down)
            raise TransitionRefused(_("This booking changed meanwhile; the payment was refunded."))
        payment = Payment.objects.create(
            test_drive=td,
            purpose=PaymentPurpose.PURCHASE,
            amount_cny=down,
            status=PaymentStatus.PAID,
            provider=provider.name,
            reference=reference,
            provider_reference=result.provider_reference,
            settled_at=timezone.now(),
        )
        order = PurchaseOrder.objects.create(
            test_drive=td,
            vehicle_id=td.vehicle_id,
            member=member,
            price_cny=price,
            method=method,
            down_payment_cny=down,
            financed_cny=financed,
            finance_term_months=term_months if financed else None,
            finance_reference=finance_ref,
            payment=payment,
        )
        td.purchase(by=member.user, description=f"{method}: {price} CNY")
        td.finished_at = timezone.now()
        td.save()
        testdrive_release(test_drive=td)
        vehicle_take_out(
            vehicle=Vehicle.objects.select_for_update().get(pk=td.vehicle_id), status=VehicleStatus.SOLD
        )
        notification_create(test_drive=td, kind="purchased")
    return order


def _split(
    *, method: str, price: int, down_payment_cny: int | None, term_months: int | None
) -> tuple[int, int]:
    """(charged now, financed) for ``method``, or raise with what is wrong."""
    if method == PurchaseMethod.FULL:
        return price, 0
    if method != PurchaseMethod.FINANCED:
        raise TransitionRefused(_("Choose to pay in full or with financing."))
    # The same quote the model page's calculator shows: one rule for what may be financed.
    try:
        quote = finance_quote(price_cny=price, down_payment_cny=down_payment_cny, term_months=term_months)
    except FinanceRefused as refused:
        raise TransitionRefused(str(refused)) from None
    return quote.down_payment_cny, quote.financed_cny
