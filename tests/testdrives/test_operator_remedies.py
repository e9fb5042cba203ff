"""What the remote operator's console calls in testdrives: a late fee charged while the car is
out, a declined charge tried again (a new key each attempt), a waiver, a reminder sent once."""

from datetime import timedelta

import pytest

from testdrives import payments
from testdrives.errors import TransitionRefused
from testdrives.models import Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from testdrives.payments import ChargeResult
from testdrives.services.charges import payment_retry, payment_waive, testdrive_late_fee_charge
from testdrives.services.operator import overdue_reminder_send, testdrive_overdue_remind
from tests.fixtures.world import TEN, on_the_road

pytestmark = pytest.mark.django_db


class RecordingProvider:
    """The payment provider (outside the store): records each charge's key, declines the first."""

    name = "recording"
    keys: list[str] = []

    def charge(self, *, reference: str, amount_cny: int, description: str) -> ChargeResult:
        self.keys.append(reference)
        status = "failed" if len(self.keys) == 1 else "paid"
        return ChargeResult(status=status, provider_reference=f"rec-{len(self.keys)}")


@pytest.fixture
def provider(monkeypatch, settings) -> type[RecordingProvider]:
    RecordingProvider.keys = []
    monkeypatch.setitem(payments._PROVIDERS, "recording", RecordingProvider)
    settings.TESTDRIVE_PAYMENT_PROVIDER = "recording"
    return RecordingProvider


@pytest.fixture
def overdue(book, super_member, clock) -> TestDrive:
    td = on_the_road(book(super_member))
    TestDrive.objects.filter(pk=td.pk).update(state=State.OVERDUE)
    clock.move_to(TEN + timedelta(hours=73, minutes=10))  # 1 h 10 min late: two started hours
    return TestDrive.objects.get(pk=td.pk)


def test_each_attempt_at_a_declined_charge_has_its_own_key(
    overdue, provider, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        payment = testdrive_late_fee_charge(test_drive=overdue)
    payment.refresh_from_db()
    assert (payment.amount_cny, payment.status) == (100, PaymentStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        payment_retry(payment=payment.pk)
    payment.refresh_from_db()
    assert (payment.status, payment.attempts) == (PaymentStatus.PAID, 2)
    assert provider.keys == [payment.reference, f"{payment.reference}-r2"]
    assert TestDrive.objects.get(pk=overdue.pk).late_fee_cny == 100


def test_only_a_failed_payment_is_retried_or_waived(overdue) -> None:
    paid = Payment.objects.create(
        test_drive=overdue,
        purpose=PaymentPurpose.LATE_FEE,
        amount_cny=50,
        status=PaymentStatus.PAID,
        provider="sandbox",
        reference="paid-one",
    )
    with pytest.raises(TransitionRefused):
        payment_retry(payment=paid)
    with pytest.raises(TransitionRefused):
        payment_waive(payment=paid)
    assert Payment.objects.get(pk=paid.pk).status == PaymentStatus.PAID


def test_a_waived_late_fee_is_not_asked_again_at_the_return(
    overdue, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        payment = testdrive_late_fee_charge(test_drive=overdue)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.FAILED)
    payment_waive(payment=payment)
    with pytest.raises(TransitionRefused):  # forgiven counts as asked: nothing more has run up
        testdrive_late_fee_charge(test_drive=overdue)


def test_a_reminder_task_delivered_twice_sends_once(overdue, mailoutbox) -> None:
    assert overdue_reminder_send(test_drive_id=overdue.pk, asked_at="2026-12-04T11:10:00+00:00")
    assert not overdue_reminder_send(test_drive_id=overdue.pk, asked_at="2026-12-04T11:10:00+00:00")
    assert len([m for m in mailoutbox if m.to == [overdue.member.user.email]]) == 1
    # another click is another reminder
    assert overdue_reminder_send(test_drive_id=overdue.pk, asked_at="2026-12-04T11:20:00+00:00")


def test_a_car_back_meanwhile_gets_no_reminder(overdue, mailoutbox) -> None:
    TestDrive.objects.filter(pk=overdue.pk).update(state=State.RETURNED)
    assert not overdue_reminder_send(test_drive_id=overdue.pk, asked_at="x")
    with pytest.raises(TransitionRefused):
        testdrive_overdue_remind(test_drive=overdue.pk)
    assert mailoutbox == []
