"""What happens after buying, step by step, and where a member's order stands (read side).

The purchase page and the purchase API show this same list: each step's name, what happens in it,
whether it is done (and when), being worked on, or still to come.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm_log.models import StateLog

from members.models import Member
from testdrives.models import Handover, OrderStatus, PurchaseOrder
from testdrives.selectors import testdrive_get_for_member
from vendingstore.formatting import money_format

# Reaching each status completes the step of the same key.
STEP_LABELS = {
    OrderStatus.PAID: gettext_lazy("Payment"),
    OrderStatus.CONTRACT_SIGNED: gettext_lazy("Sales contract"),
    OrderStatus.INVOICED: gettext_lazy("Invoice (fapiao)"),
    OrderStatus.REGISTERED: gettext_lazy("Registration and plates"),
    OrderStatus.READY: gettext_lazy("Ready for you"),
    OrderStatus.HANDED_OVER: gettext_lazy("Handed over"),
}
ORDER = list(STEP_LABELS)


@dataclass(frozen=True)
class OrderStep:
    key: str
    label: str
    text: str
    status: str  # "done", "current" or "todo"
    at: datetime | None


@dataclass(frozen=True)
class OrderProgress:
    order: PurchaseOrder
    status: str
    status_label: str
    steps: list[OrderStep]

    @property
    def complete(self) -> bool:
        return self.status == OrderStatus.HANDED_OVER


def purchase_order_for_member(*, member: Member, test_drive_id: int) -> PurchaseOrder | None:
    """The order of the member's own booking, None if it has none; ``Http404`` when the booking
    is not theirs (like every booking page)."""
    td = testdrive_get_for_member(member=member, pk=test_drive_id)
    return (
        PurchaseOrder.objects.select_related("test_drive__store", "test_drive__car_model__brand", "vehicle")
        .filter(test_drive=td)
        .first()
    )


def _texts(order: PurchaseOrder) -> dict[str, str]:
    store = order.test_drive.store
    paid = _("Your payment of %(amount)s is received.") % {"amount": money_format(order.down_payment_cny)}
    if order.financed_cny:
        paid += " " + _("The remaining %(amount)s is financed over %(months)s months.") % {
            "amount": money_format(order.financed_cny),
            "months": order.finance_term_months,
        }
    if order.handover == Handover.DELIVERY:
        ready = _("We bring the car to you at the time agreed with you, with its keys and papers.")
    else:
        ready = _(
            "Collect the car at %(store)s, %(address)s, during opening hours: we tell you by text "
            "message and e-mail when it is ready."
        ) % {"store": store.display_name, "address": f"{store.display_address}, {store.display_city}"}
    invoice = _(
        "The unified invoice for motor vehicle sales is issued in your name: you need it to pay the "
        "vehicle purchase tax and to register the car."
    )
    if order.invoice_number:
        invoice += " " + _("Invoice number: %(number)s.") % {"number": order.invoice_number}
    plates = _("We register the car with the vehicle administration and fit its plates for you.")
    if order.plate_number:
        plates += " " + _("Plate: %(plate)s.") % {"plate": order.plate_number}
    return {
        OrderStatus.PAID: paid,
        OrderStatus.CONTRACT_SIGNED: _(
            "We send you the sales contract for the car (its VIN, price and payment) to sign online."
        ),
        OrderStatus.INVOICED: invoice,
        OrderStatus.REGISTERED: plates,
        OrderStatus.READY: ready,
        OrderStatus.HANDED_OVER: _("The car, its keys and its papers are yours. Enjoy the drive!"),
    }


def purchase_order_progress(*, order: PurchaseOrder) -> OrderProgress:
    """The order's steps in the current language, oldest first; the step after the order's status
    is the one being worked on."""
    reached = {OrderStatus.PAID.value: order.created_at}
    for log in StateLog.objects.for_(order).order_by("timestamp", "pk"):
        reached.setdefault(log.state, log.timestamp)
    position = ORDER.index(OrderStatus(order.status))
    texts = _texts(order)
    steps = [
        OrderStep(
            key=key.value,
            label=str(STEP_LABELS[key]),
            text=texts[key],
            status="done" if i <= position else "current" if i == position + 1 else "todo",
            at=reached.get(key.value) if i <= position else None,
        )
        for i, key in enumerate(ORDER)
    ]
    return OrderProgress(
        order=order, status=order.status, status_label=str(OrderStatus(order.status).label), steps=steps
    )
