"""The console's one-click actions on the queues that had none: cars overdue, payments that
failed, towers, check-ins that walked away. Each goes through the claim guard and the audit."""

from datetime import timedelta

import pytest

from fleet.models import Vehicle, VehicleStatus
from ops.models import AuditEntry, QueueItem, QueueKind
from ops.queues import needs_open
from ops.services import (
    ClaimedByOther,
    OverrideNeedsReason,
    TowerDidNotClear,
    ops_incident_acknowledge,
    ops_incident_resolve,
    ops_late_fee_charge,
    ops_overdue_remind,
    ops_overdue_report,
    ops_payment_retry,
    ops_payment_waive,
    ops_tower_resume,
    ops_walked_away_release,
    queue_item_claim,
)
from testdrives.errors import TransitionRefused
from testdrives.models import Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from testdrives.services.lifecycle import testdrive_identity_verified, testdrive_return
from tests.fixtures.world import TEN, on_the_road
from tests.returns_support import four_sides
from tower.models import IncidentKind, IncidentStatus, TowerIncident, TowerLink

pytestmark = pytest.mark.django_db


def _need(kind: str):
    return next(n for n in needs_open() if n.kind == kind)


@pytest.fixture
def overdue(checked_in, clock) -> TestDrive:
    """The car left at 10:00, was due back 72 hours later and is three hours late now."""
    td = on_the_road(checked_in)
    TestDrive.objects.filter(pk=td.pk).update(state=State.OVERDUE)
    clock.move_to(TEN + timedelta(hours=75))
    return TestDrive.objects.get(pk=td.pk)


# --- cars overdue -----------------------------------------------------------------------------


def test_reminding_sends_the_overdue_message_again_and_leaves_the_item_open(
    overdue, operator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    queue_item_claim(need=_need(QueueKind.OVERDUE), by=operator)
    with django_capture_on_commit_callbacks(execute=True):
        ops_overdue_remind(test_drive=overdue.pk, by=operator)

    [mail] = [m for m in mailoutbox if m.to == [overdue.member.user.email]]  # in the member's language
    assert "2026年12月4日 10:00" in mail.body  # when it was due back
    assert AuditEntry.objects.filter(action="overdue_remind", test_drive=overdue).exists()
    assert QueueItem.objects.get(kind=QueueKind.OVERDUE).closed_at is None  # the car is still out
    assert _need(QueueKind.OVERDUE)


def test_a_car_not_overdue_is_not_reminded(checked_in, operator) -> None:
    with pytest.raises(TransitionRefused):
        ops_overdue_remind(test_drive=checked_in.pk, by=operator)
    assert not AuditEntry.objects.exists()


def test_charging_the_late_fee_so_far_then_the_return_asks_only_the_rest(
    overdue, manager, clock, django_capture_on_commit_callbacks
) -> None:
    with pytest.raises(OverrideNeedsReason):
        ops_late_fee_charge(test_drive=overdue.pk, by=manager, reason=" ")

    with django_capture_on_commit_callbacks(execute=True):
        first = ops_late_fee_charge(test_drive=overdue.pk, by=manager, reason="third hour and no answer")

    first.refresh_from_db()
    assert (first.amount_cny, first.status) == (150, PaymentStatus.PAID)  # three started hours
    assert AuditEntry.objects.get(action="late_fee_charge").reason == "third hour and no answer"
    with pytest.raises(TransitionRefused):  # nothing more has run up yet
        ops_late_fee_charge(test_drive=overdue.pk, by=manager, reason="again")

    clock.move_to(TEN + timedelta(hours=76, minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_return(
            test_drive=overdue.pk, odometer_km=overdue.odometer_out_km or 0, energy_pct=80, sides=four_sides()
        )

    fees = Payment.objects.filter(test_drive=overdue, purpose=PaymentPurpose.LATE_FEE).order_by("pk")
    assert [f.amount_cny for f in fees] == [150, 100]  # five started hours in all: 250
    assert TestDrive.objects.get(pk=overdue.pk).late_fee_cny == 250


def test_a_reported_car_leaves_the_overdue_queue(overdue, operator) -> None:
    with pytest.raises(OverrideNeedsReason):
        ops_overdue_report(test_drive=overdue.pk, by=operator, reason="")

    ops_overdue_report(test_drive=overdue.pk, by=operator, reason="police, case 2026-118")

    td = TestDrive.objects.get(pk=overdue.pk)
    assert td.reported_missing_at is not None
    assert td.state == State.OVERDUE
    assert not [n for n in needs_open() if n.kind == QueueKind.OVERDUE]
    entry = AuditEntry.objects.get(action="overdue_report")
    assert (entry.by, entry.reason, entry.test_drive_id) == (operator, "police, case 2026-118", td.pk)


# --- payments that failed ---------------------------------------------------------------------


@pytest.fixture
def failed_payment(overdue) -> Payment:
    return Payment.objects.create(
        test_drive=overdue,
        purpose=PaymentPurpose.LATE_FEE,
        amount_cny=150,
        status=PaymentStatus.FAILED,
        provider="sandbox",
        reference=f"td{overdue.pk}-late",
    )


def test_trying_a_declined_charge_again_is_a_new_attempt_with_its_own_key(
    failed_payment, operator, django_capture_on_commit_callbacks
) -> None:
    queue_item_claim(need=_need(QueueKind.PAYMENT_FAILED), by=operator)
    with django_capture_on_commit_callbacks(execute=True):
        ops_payment_retry(payment=failed_payment.pk, by=operator)

    failed_payment.refresh_from_db()
    assert (failed_payment.status, failed_payment.attempts) == (PaymentStatus.PAID, 2)
    assert AuditEntry.objects.filter(action="payment_retry", test_drive=failed_payment.test_drive).exists()
    assert not [n for n in needs_open() if n.kind == QueueKind.PAYMENT_FAILED]
    with pytest.raises(TransitionRefused):  # paid now: nothing to try again
        ops_payment_retry(payment=failed_payment.pk, by=operator)


def test_a_charge_declined_again_stays_in_the_queue(
    overdue, operator, django_capture_on_commit_callbacks
) -> None:
    declined = Payment.objects.create(  # the sandbox declines amounts ending in 13
        test_drive=overdue,
        purpose=PaymentPurpose.LATE_FEE,
        amount_cny=113,
        status=PaymentStatus.FAILED,
        provider="sandbox",
        reference="declined",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ops_payment_retry(payment=declined.pk, by=operator)
    declined.refresh_from_db()
    assert (declined.status, declined.attempts) == (PaymentStatus.FAILED, 2)
    assert _need(QueueKind.PAYMENT_FAILED).key == str(declined.pk)


def test_only_a_reason_waives_a_payment(failed_payment, manager) -> None:
    with pytest.raises(OverrideNeedsReason):
        ops_payment_waive(payment=failed_payment.pk, by=manager, reason="")
    ops_payment_waive(payment=failed_payment.pk, by=manager, reason="card stolen, member called")

    failed_payment.refresh_from_db()
    assert failed_payment.status == PaymentStatus.WAIVED
    assert AuditEntry.objects.get(action="payment_waive").reason == "card stolen, member called"
    assert not [n for n in needs_open() if n.kind == QueueKind.PAYMENT_FAILED]


def test_an_operator_cannot_act_on_a_payment_another_claimed(failed_payment, operator, operator2) -> None:
    queue_item_claim(need=_need(QueueKind.PAYMENT_FAILED), by=operator)
    with pytest.raises(ClaimedByOther):
        ops_payment_retry(payment=failed_payment.pk, by=operator2)
    failed_payment.refresh_from_db()
    assert (failed_payment.status, failed_payment.attempts) == (PaymentStatus.FAILED, 1)


# --- towers -----------------------------------------------------------------------------------


@pytest.fixture
def incident(tower) -> TowerIncident:
    return TowerIncident.objects.create(
        tower=tower, kind=IncidentKind.COMMAND_FAILED, summary="lift 1 jammed"
    )


def test_an_acknowledged_incident_stays_until_it_is_resolved(incident, operator) -> None:
    ops_incident_acknowledge(incident=incident.pk, by=operator)
    incident.refresh_from_db()
    assert (incident.status, incident.acknowledged_by) == (IncidentStatus.ACKNOWLEDGED, operator)
    assert _need(QueueKind.TOWER).key == f"incident-{incident.pk}"

    with pytest.raises(OverrideNeedsReason):
        ops_incident_resolve(incident=incident.pk, by=operator, reason="")
    ops_incident_resolve(incident=incident.pk, by=operator, reason="lift reset remotely")
    incident.refresh_from_db()
    assert (incident.status, incident.resolution) == (IncidentStatus.RESOLVED, "lift reset remotely")
    assert not [n for n in needs_open() if n.kind == QueueKind.TOWER]
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "incident_acknowledge",
        "incident_resolve",
    ]


def test_a_tower_that_does_not_answer_is_not_resumed_and_nothing_is_recorded(tower, manager) -> None:
    TowerLink.objects.create(tower=tower, mode="estop", mode_reason="red button")
    with pytest.raises(TowerDidNotClear):
        ops_tower_resume(tower=tower.pk, by=manager, reason="checked the cameras")
    assert TowerLink.objects.get(tower=tower).mode == "estop"
    assert not AuditEntry.objects.exists()
    assert _need(QueueKind.TOWER).key == f"mode-{tower.pk}"


# --- check-ins that walked away ----------------------------------------------------------------


@pytest.fixture
def waiting_at_the_bay(checked_in, staff, django_capture_on_commit_callbacks) -> TestDrive:
    with django_capture_on_commit_callbacks(execute=True):  # the instant dispatcher brings the car
        testdrive_identity_verified(test_drive=checked_in, method="staff", by=staff, note="seen")
    td = TestDrive.objects.get(pk=checked_in.pk)
    assert td.state == State.READY
    return td


def test_releasing_a_walked_away_car_frees_the_delivery_bay(
    waiting_at_the_bay, operator, django_capture_on_commit_callbacks
) -> None:
    with pytest.raises(OverrideNeedsReason):
        ops_walked_away_release(test_drive=waiting_at_the_bay.pk, by=operator, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        ops_walked_away_release(test_drive=waiting_at_the_bay.pk, by=operator, reason="nobody in 20 minutes")

    td = TestDrive.objects.get(pk=waiting_at_the_bay.pk)
    assert td.state == State.NO_SHOW
    assert Vehicle.objects.get(pk=td.vehicle_id).status == VehicleStatus.STORED
    assert AuditEntry.objects.get(action="walked_away_release").reason == "nobody in 20 minutes"
    with pytest.raises(TransitionRefused):  # done already
        ops_walked_away_release(test_drive=td.pk, by=operator, reason="again")
