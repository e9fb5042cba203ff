"""The controller's gate_closed event through the webhook: applied once, in order, heard by
receivers after commit as ``bay_gate_closed``; a bay we do not know, or a receiver that fails,
never turns it into an error the controller would resend."""

import pytest

from fleet.models import BayKind
from tests.tower.conftest import SECRET
from tests.tower.test_webhook import post
from tower.models import TowerLink
from tower.signals import bay_gate_closed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard(settings, tower):
    settings.TOWER_SECRETS = {tower.code: SECRET}
    calls: list[tuple[object, bool]] = []

    def receiver(*, bay, occupied, **kwargs) -> None:
        calls.append((bay, occupied))

    bay_gate_closed.connect(receiver, dispatch_uid="test-heard")
    yield calls
    bay_gate_closed.disconnect(dispatch_uid="test-heard")


def gate_event(tower, seq: int, bay: str, occupied: bool = True) -> dict:
    return {
        "seq": seq,
        "tower": tower.code,
        "kind": "gate_closed",
        "at": "2026-12-01T02:05:00.000Z",
        "bay": bay,
        "occupied": occupied,
    }


def test_receivers_hear_which_delivery_bay_closed_and_whether_a_car_is_in_it(client, tower, heard) -> None:
    assert post(client, tower, gate_event(tower, 1, "D2", occupied=True)).status_code == 200
    assert post(client, tower, gate_event(tower, 2, "D1", occupied=False)).status_code == 200

    delivery = {bay.position: bay for bay in tower.bays.filter(kind=BayKind.DELIVERY)}
    assert heard == [(delivery[2], True), (delivery[1], False)]
    assert TowerLink.objects.get(tower=tower).applied_seq == 2


def test_a_bay_we_do_not_know_is_applied_and_ignored(client, tower, heard) -> None:
    for seq, bay in enumerate(["D9", "L01-B01", ""], start=1):
        assert post(client, tower, gate_event(tower, seq, bay)).status_code == 200

    assert heard == []
    assert TowerLink.objects.get(tower=tower).applied_seq == 3


def test_a_failing_receiver_does_not_fail_the_webhook(client, tower, heard) -> None:
    def broken(**kwargs) -> None:
        raise RuntimeError("receiver bug")

    bay_gate_closed.connect(broken, dispatch_uid="test-broken")
    try:
        assert post(client, tower, gate_event(tower, 1, "D1")).status_code == 200
    finally:
        bay_gate_closed.disconnect(dispatch_uid="test-broken")

    assert TowerLink.objects.get(tower=tower).applied_seq == 1
