"""Console actions: claims (one operator per item), decisions and overrides, all audited."""

import pytest

from ops.models import AuditEntry, QueueItem
from ops.queues import needs_open
from ops.services import (
    ClaimedByOther,
    OverrideNeedsReason,
    ops_idcheck_approve,
    ops_idcheck_refuse,
    ops_unlock,
    queue_item_claim,
    queue_item_release,
)
from testdrives.models import IdCheckStatus, State, TestDrive

pytestmark = pytest.mark.django_db


def test_only_one_operator_holds_an_item(waiting_check, operator, operator2) -> None:
    [need] = needs_open()
    item = queue_item_claim(need=need, by=operator)
    assert item.claimed_by == operator

    with pytest.raises(ClaimedByOther):
        queue_item_claim(need=need, by=operator2)
    assert queue_item_claim(need=need, by=operator).claimed_by == operator  # mine already: fine
    assert QueueItem.objects.count() == 1
    assert list(AuditEntry.objects.values_list("action", "by__username")) == [("claim", "olga")]


def test_a_released_item_can_be_claimed_by_another(waiting_check, operator, operator2) -> None:
    [need] = needs_open()
    queue_item_claim(need=need, by=operator)
    assert not queue_item_release(need=need, by=operator2)
    assert queue_item_release(need=need, by=operator)
    assert queue_item_claim(need=needs_open()[0], by=operator2).claimed_by == operator2


def test_approving_sends_for_the_car_audits_and_closes_the_item(waiting_check, operator) -> None:
    [need] = needs_open()
    queue_item_claim(need=need, by=operator)

    ops_idcheck_approve(id_check=waiting_check.pk, by=operator, reason="faces match")

    td = TestDrive.objects.get(pk=waiting_check.test_drive_id)
    assert td.state in (State.DISPATCHING, State.READY)
    assert td.identity_method == "staff"
    entry = AuditEntry.objects.get(action="id_check_approve")
    assert (entry.by, entry.reason, entry.test_drive_id) == (operator, "faces match", td.pk)
    assert QueueItem.objects.get().closed_at is not None
    assert needs_open() == []


def test_an_operator_cannot_decide_an_item_another_claimed(waiting_check, operator, operator2) -> None:
    queue_item_claim(need=needs_open()[0], by=operator)
    with pytest.raises(ClaimedByOther):
        ops_idcheck_refuse(id_check=waiting_check.pk, by=operator2, reason="not them")
    waiting_check.refresh_from_db()
    assert waiting_check.status == IdCheckStatus.WAITING


def test_an_override_needs_a_reason(checked_in, manager) -> None:
    TestDrive.objects.filter(pk=checked_in.pk).update(state=State.LOCKED)
    with pytest.raises(OverrideNeedsReason):
        ops_unlock(test_drive=checked_in.pk, by=manager, reason=" ")
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.LOCKED

    ops_unlock(test_drive=checked_in.pk, by=manager, reason="customer's face changed after surgery")
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.CHECKED_IN
    assert AuditEntry.objects.get(action="unlock").reason == "customer's face changed after surgery"
