"""After the sale: operators move a purchase order through its paperwork, one step at a time
(contract, invoice, registration and plates, ready, handed over). The member follows it on the
purchase page and in the API; nothing here takes money (the sale was paid when it was made)."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from testdrives.errors import TransitionRefused
from testdrives.models import Handover, OrderStatus, PurchaseOrder
from testdrives.notify import notification_create

# The transition that completes each step, by the status the order is in.
_NEXT = {
    OrderStatus.PAID: "sign_contract",
    OrderStatus.CONTRACT_SIGNED: "issue_invoice",
    OrderStatus.INVOICED: "register",
    OrderStatus.REGISTERED: "make_ready",
    OrderStatus.READY: "hand_over",
}


def purchase_order_advance_problem(
    *, order: PurchaseOrder, invoice_number: str = "", plate_number: str = ""
) -> str | None:
    """Why the order cannot take its next step with these numbers; None when it can."""
    if order.status not in _NEXT:
        return _("This order is complete.")
    if order.status == OrderStatus.CONTRACT_SIGNED and not (invoice_number or order.invoice_number):
        return _("Enter the invoice (fapiao) number to mark the invoice issued.")
    if order.status == OrderStatus.INVOICED and not (plate_number or order.plate_number):
        return _("Enter the plate number to mark the car registered.")
    return None


def purchase_order_advance(
    *, order: PurchaseOrder, by: User, invoice_number: str = "", plate_number: str = "", note: str = ""
) -> PurchaseOrder:
    """Mark the order's current step done: it moves to the next status, logged with who did it.
    The invoice and plate numbers are recorded with their step. Raises ``TransitionRefused``
    when the order is complete, lacks the number its step needs, or moved meanwhile (row lock)."""
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().select_related("test_drive").get(pk=order.pk)
        problem = purchase_order_advance_problem(
            order=order, invoice_number=invoice_number, plate_number=plate_number
        )
        if problem:
            raise TransitionRefused(problem)
        if invoice_number and order.status == OrderStatus.CONTRACT_SIGNED:
            order.invoice_number = invoice_number.strip()
        if plate_number and order.status == OrderStatus.INVOICED:
            order.plate_number = plate_number.strip().upper()
        step = getattr(order, _NEXT[OrderStatus(order.status)])
        if not can_proceed(step):
            raise TransitionRefused(_("This order is not at that step."))
        step(by=by, description=note)
        order.save()
        if order.status == OrderStatus.READY:
            notification_create(test_drive=order.test_drive, kind="order_ready")
    return order


def purchase_order_handover_set(*, order: PurchaseOrder, handover: str) -> PurchaseOrder:
    """Pickup at the store or delivery: settled with the member before the car is ready."""
    if handover not in Handover.values:
        raise TransitionRefused(_("Choose pickup at the store or delivery."))
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)  # as it is now, not as passed
        if order.status in (OrderStatus.READY, OrderStatus.HANDED_OVER):
            raise TransitionRefused(_("The handover is arranged already."))
        order.handover = handover
        order.save(update_fields=["handover", "updated_at"])
    return order
