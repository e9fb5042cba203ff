"""Alerts: once per item to the operators on duty, escalation once to managers, nothing twice."""

from datetime import time

import pytest
from django.core import mail

from ops.alerts import ops_alerts
from ops.models import Duty, QueueItem
from ops.queues import needs_open
from ops.services import queue_item_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duty(operator, manager, store):
    """Olga on duty 08:00–20:00 with a mobile; Mei the manager all day, for escalations."""
    olga = Duty.objects.create(user=operator, starts=time(8), ends=time(20), mobile="+8613800000001")
    olga.stores.add(store)
    mei = Duty.objects.create(user=manager, starts=time(0), ends=time(0), escalations=True)
    mei.stores.add(store)
    return olga, mei


def test_each_item_alerts_the_operators_on_duty_once(waiting_check, on_duty, caplog) -> None:
    caplog.set_level("INFO", logger="vendingstore.sms")
    assert ops_alerts()["alerted"] == 1
    assert ops_alerts()["alerted"] == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (
        message.subject
        == f"{waiting_check.test_drive.store.name}: booking {waiting_check.test_drive.pickup_code} waits for a remote ID check at the kiosk"
    )
    assert set(message.to) == {"olga@ops.example", "mei@ops.example"}
    assert "SMS to +8613800000001" in caplog.text


def test_an_unclaimed_item_escalates_to_managers_once(waiting_check, on_duty, clock, settings) -> None:
    ops_alerts()
    clock.shift(settings.OPS_ESCALATE_AFTER_MINUTES * 60 + 1)

    assert ops_alerts()["escalated"] == 1
    assert ops_alerts()["escalated"] == 0
    escalation = mail.outbox[-1]
    assert escalation.subject.startswith("Unclaimed for 10 min: ")
    assert escalation.to == ["mei@ops.example"]


def test_a_claimed_item_does_not_escalate(waiting_check, on_duty, operator, clock, settings) -> None:
    ops_alerts()
    queue_item_claim(need=needs_open()[0], by=operator)
    clock.shift(settings.OPS_ESCALATE_AFTER_MINUTES * 60 + 1)
    assert ops_alerts()["escalated"] == 0


def test_with_nobody_on_duty_the_store_alert_address_gets_it(waiting_check, settings) -> None:
    ops_alerts()
    assert [m.to for m in mail.outbox] == [[address for _, address in settings.ADMINS]]


def test_an_item_that_no_longer_waits_is_closed(waiting_check, operator, on_duty) -> None:
    from testdrives.services.idcheck import idcheck_refuse

    ops_alerts()
    idcheck_refuse(id_check=waiting_check, by=operator, reason="not them")
    assert ops_alerts()["closed"] == 1
    assert QueueItem.objects.get().closed_at is not None
    assert len(mail.outbox) == 1  # the decision sends no second alert
