"""Purchase orders in the console: listed on the board, advanced step by step by an operator with
the number each step needs (fapiao, plate), audited on the booking's timeline; the auditor only
reads; the handover is arranged from the console too."""

import pytest
from django.urls import reverse

from ops.models import AuditEntry
from ops.pages import booking_timeline, orders_open
from ops.services import ops_order_advance, ops_order_handover
from testdrives.errors import TransitionRefused
from testdrives.models import OrderStatus, PurchaseOrder
from testdrives.services.purchase import testdrive_purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(out_on_drive, super_member) -> PurchaseOrder:
    return testdrive_purchase(test_drive=out_on_drive, member=super_member, method="full")


def test_the_board_lists_orders_in_progress_and_not_those_handed_over(client, operator, order) -> None:
    client.force_login(operator)
    board = client.get(reverse("ops:console")).content.decode()
    assert f'data-order="{order.pk}" data-status="paid"' in board
    assert reverse("ops:order", args=[order.pk]) in board

    PurchaseOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.HANDED_OVER, invoice_number="044001900111", plate_number="沪A12345"
    )
    assert orders_open() == []
    assert orders_open(stores=[]) == []


def test_an_operator_takes_the_order_to_the_handover_from_the_console(client, operator, order) -> None:
    client.force_login(operator)
    advance = reverse("ops:order_advance", args=[order.pk])

    page = client.get(reverse("ops:order", args=[order.pk])).content.decode()
    assert "data-order-advance" in page
    assert 'name="invoice_number"' not in page  # the contract needs no number
    client.post(advance, {"note": "signed online"})
    page = client.get(reverse("ops:order", args=[order.pk])).content.decode()
    assert 'name="invoice_number"' in page
    client.post(advance, {"invoice_number": "044001900111"})
    client.post(advance, {"plate_number": "沪a12345"})
    client.post(advance, {})
    client.post(advance, {})

    order.refresh_from_db()
    assert (order.status, order.invoice_number, order.plate_number) == (
        OrderStatus.HANDED_OVER,
        "044001900111",
        "沪A12345",
    )
    actions = list(
        AuditEntry.objects.filter(test_drive=order.test_drive).order_by("pk").values_list("action", "reason")
    )
    assert actions == [
        ("order_contract_signed", "signed online"),
        ("order_invoiced", "044001900111"),
        ("order_registered", "沪A12345"),
        ("order_ready", ""),
        ("order_handed_over", ""),
    ]
    timeline = [row.what for row in booking_timeline(test_drive=order.test_drive) if row.console]
    assert "purchase order: invoice (fapiao) issued" in timeline
    assert "data-order-advance" not in client.get(reverse("ops:order", args=[order.pk])).content.decode()


def test_a_step_without_its_number_is_refused_and_nothing_is_recorded(client, operator, order) -> None:
    ops_order_advance(order=order, by=operator)
    client.force_login(operator)

    response = client.post(reverse("ops:order_advance", args=[order.pk]), {"invoice_number": "  "})

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.CONTRACT_SIGNED
    assert AuditEntry.objects.filter(action="order_invoiced").count() == 0
    with pytest.raises(TransitionRefused):
        ops_order_advance(order=order, by=operator)
    assert AuditEntry.objects.count() == 1


def test_the_auditor_reads_the_order_but_cannot_advance_it(client, auditor, order) -> None:
    client.force_login(auditor)

    page = client.get(reverse("ops:order", args=[order.pk]))
    advance = client.post(reverse("ops:order_advance", args=[order.pk]), {})
    handover = client.post(reverse("ops:order_handover", args=[order.pk]), {"handover": "delivery"})

    assert page.status_code == 200
    assert "data-order-advance" not in page.content.decode()
    assert (advance.status_code, handover.status_code) == (403, 403)
    order.refresh_from_db()
    assert (order.status, order.handover) == (OrderStatus.PAID, "pickup")


def test_a_member_cannot_open_the_console_order(client, order) -> None:
    client.force_login(order.member.user)

    assert client.get(reverse("ops:order", args=[order.pk])).status_code == 403


def test_the_handover_is_arranged_and_audited_until_the_car_is_ready(client, operator, order) -> None:
    client.force_login(operator)
    client.post(reverse("ops:order_handover", args=[order.pk]), {"handover": "delivery"})
    order.refresh_from_db()
    assert order.handover == "delivery"
    assert AuditEntry.objects.get(action="order_handover").reason == "Delivery to the member"

    bad = client.post(reverse("ops:order_handover", args=[order.pk]), {"handover": "drone"}, follow=True)
    assert "Choose pickup at the store or delivery." in bad.content.decode()

    for _step in range(4):
        ops_order_advance(order=order, by=operator, invoice_number="1", plate_number="A1")
    with pytest.raises(TransitionRefused):
        ops_order_handover(order=order, by=operator, handover="pickup")
