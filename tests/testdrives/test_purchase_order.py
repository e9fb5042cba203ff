"""After buying: operators move the order through contract, invoice (fapiao), registration and
plates, ready and handover, one step at a time with the numbers each needs; the member follows it
on the purchase page and in the API (owner-only), and is told when the car is ready."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from testdrives.errors import TransitionRefused
from testdrives.models import Notification, OrderStatus, PurchaseOrder
from testdrives.purchase_steps import purchase_order_progress
from testdrives.services.lifecycle import testdrive_depart
from testdrives.services.purchase import testdrive_purchase
from testdrives.services.purchase_order import purchase_order_advance
from tests.fixtures.world import make_member
from tests.testdrives.test_api import api_for
from tests.testdrives.test_testdrive_lifecycle import to_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(book, super_member, kiosk, django_capture_on_commit_callbacks) -> PurchaseOrder:
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    return testdrive_purchase(test_drive=td, member=super_member, method="full")


def test_a_new_order_is_paid_and_the_contract_comes_next(order):
    progress = purchase_order_progress(order=order)

    assert progress.status == OrderStatus.PAID
    assert [(s.key, s.status) for s in progress.steps] == [
        ("paid", "done"),
        ("contract_signed", "current"),
        ("invoiced", "todo"),
        ("registered", "todo"),
        ("ready", "todo"),
        ("handed_over", "todo"),
    ]
    assert progress.steps[0].at == order.created_at
    assert "200,000" in progress.steps[0].text


def test_operators_take_it_step_by_step_to_the_handover(order, staff, django_capture_on_commit_callbacks):
    purchase_order_advance(order=order, by=staff)
    purchase_order_advance(order=order, by=staff, invoice_number="044001900111")
    purchase_order_advance(order=order, by=staff, plate_number="沪a12345")
    with django_capture_on_commit_callbacks(execute=True):
        purchase_order_advance(order=order, by=staff)
    purchase_order_advance(order=order, by=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OVER
    assert order.invoice_number == "044001900111"
    assert order.plate_number == "沪A12345"
    assert all(s.status == "done" and s.at for s in purchase_order_progress(order=order).steps)
    assert Notification.objects.filter(test_drive=order.test_drive, kind="order_ready").count() == 1
    with pytest.raises(TransitionRefused):
        purchase_order_advance(order=order, by=staff)


def test_the_invoice_step_needs_its_number_and_the_plates_step_its_plate(order, staff):
    purchase_order_advance(order=order, by=staff)

    with pytest.raises(TransitionRefused, match="invoice"):
        purchase_order_advance(order=order, by=staff)
    purchase_order_advance(order=order, by=staff, invoice_number="1")
    with pytest.raises(TransitionRefused, match="plate"):
        purchase_order_advance(order=order, by=staff)


def test_the_database_refuses_an_invoiced_order_without_a_number(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseOrder.objects.filter(pk=order.pk).update(status=OrderStatus.INVOICED)


def test_buying_leads_to_the_purchase_page_which_says_what_happens_next(client, order, super_member):
    client.force_login(super_member.user)

    html = client.get(reverse("testdrives:purchase", args=[order.test_drive_id])).content.decode()
    chinese = client.get(
        reverse("testdrives:purchase", args=[order.test_drive_id]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert 'data-step="contract_signed" data-step-status="current"' in html
    assert "unified invoice for motor vehicle sales" in html
    assert order.vehicle.vin in html
    assert "机动车销售统一发票" in chinese


def test_the_purchase_page_and_api_are_the_owners_only(client, order):
    other = make_member(score=760)
    client.force_login(other.user)

    assert client.get(reverse("testdrives:purchase", args=[order.test_drive_id])).status_code == 404
    assert api_for(other).get(f"/api/v1/testdrives/{order.test_drive_id}/order/").status_code == 404


def test_the_api_gives_the_order_and_its_steps(order, super_member, staff):
    purchase_order_advance(order=order, by=staff)

    response = api_for(super_member).get(f"/api/v1/testdrives/{order.test_drive_id}/order/")

    assert response.status_code == 200
    assert response.data["status"] == "contract_signed"
    assert response.data["price_cny"] == 200_000
    assert [s["status"] for s in response.data["steps"]][:3] == ["done", "done", "current"]


def test_the_admin_form_records_the_invoice_number_with_its_step(admin_client, order, staff):
    purchase_order_advance(order=order, by=staff)
    url = reverse("admin:testdrives_purchaseorder_change", args=[order.pk])
    form = {"change_handover": "delivery", "new_invoice_number": "", "new_plate_number": "", "note": ""}

    refused = admin_client.post(url, {**form, "advance": "on"})
    done = admin_client.post(url, {**form, "advance": "on", "new_invoice_number": "0440019"})

    assert refused.status_code == 200
    assert "invoice" in refused.content.decode()
    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.invoice_number, order.handover) == ("invoiced", "0440019", "delivery")
