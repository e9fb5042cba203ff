"""Money an operator deals with from the console: a late fee charged while the car is still out,
a declined charge tried again, a charge waived.

The provider is called after commit (a network call never holds our locks); each attempt carries
its own key, so a repeated attempt is never taken twice and a new one is not answered with the old
refusal."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from testdrives.errors import TransitionRefused
from testdrives.models import LATE_FEE_COUNTED, Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from testdrives.payments import payment_provider
from testdrives.services.lifecycle import late_fee_for


def _charge_after_commit(payment: Payment, *, key: str, description: str) -> None:
    """Ask the provider for ``payment`` (pending) after commit and record its answer once."""

    def charge() -> None:
        result = payment_provider().charge(
            reference=key, amount_cny=payment.amount_cny, description=description
        )
        status = PaymentStatus.PAID if result.status == "paid" else PaymentStatus.FAILED
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=status, provider_reference=result.provider_reference, settled_at=timezone.now()
        )

    transaction.on_commit(charge)


def late_fee_counted(*, test_drive: TestDrive) -> int:
    """Late fees already asked of the member for this booking (CNY), forgiven ones included."""
    counted = test_drive.payments.filter(purpose=PaymentPurpose.LATE_FEE, status__in=LATE_FEE_COUNTED)
    return sum(counted.values_list("amount_cny", flat=True))


def testdrive_late_fee_charge(*, test_drive: TestDrive | int) -> Payment:
    """Charge the late fee run up so far on a car still overdue (what was not asked yet). The
    return later asks only for the rest (``lifecycle._late_fee_charge``)."""
    pk = test_drive if isinstance(test_drive, int) else test_drive.pk
    now = timezone.now()
    with transaction.atomic():
        td = TestDrive.objects.select_for_update().get(pk=pk)
        if td.state != State.OVERDUE:
            raise TransitionRefused(_("Only an overdue car's late fee can be charged before it is back."))
        accrued = late_fee_for(test_drive=td, returned_at=now)
        due = accrued - late_fee_counted(test_drive=td)
        if due <= 0:
            raise TransitionRefused(_("There is no late fee to charge yet."))
        TestDrive.objects.filter(pk=td.pk).update(late_fee_cny=accrued)
        n = td.payments.filter(purpose=PaymentPurpose.LATE_FEE).count() + 1
        payment = Payment.objects.create(
            test_drive=td,
            purpose=PaymentPurpose.LATE_FEE,
            amount_cny=due,
            provider=payment_provider().name,
            reference=f"td{td.pk}-late-{n}",
        )
        _charge_after_commit(payment, key=payment.reference, description=f"Late fee {td.pickup_code}")
    return payment


def payment_retry(*, payment: Payment | int) -> Payment:
    """Try a declined charge again, as a new attempt with its own key (``<reference>-r<n>``).
    Refused unless the payment failed; two clicks at once make one attempt (the row is locked)."""
    pk = payment if isinstance(payment, int) else payment.pk
    with transaction.atomic():
        row = Payment.objects.select_for_update().select_related("test_drive").get(pk=pk)
        if row.status != PaymentStatus.FAILED:
            raise TransitionRefused(_("Only a failed payment can be tried again."))
        row.attempts += 1
        row.status, row.settled_at = PaymentStatus.PENDING, None
        row.save(update_fields=["attempts", "status", "settled_at"])
        _charge_after_commit(
            row,
            key=f"{row.reference}-r{row.attempts}",
            description=f"{row.get_purpose_display()} {row.test_drive.pickup_code}",
        )
    return row


def payment_waive(*, payment: Payment | int) -> Payment:
    """Forgive a charge the provider declined: the member is not asked for it any more. Who
    waived it and why is the caller's record (the console's audit)."""
    pk = payment if isinstance(payment, int) else payment.pk
    with transaction.atomic():
        row = Payment.objects.select_for_update().get(pk=pk)
        if row.status != PaymentStatus.FAILED:
            raise TransitionRefused(_("Only a failed payment can be waived."))
        row.status, row.settled_at = PaymentStatus.WAIVED, timezone.now()
        row.save(update_fields=["status", "settled_at"])
    return row
