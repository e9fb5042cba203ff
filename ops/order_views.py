"""Purchase orders in the console: where each stands and its next step, marked done by an operator
(``testdrives.change_purchaseorder``: operators and managers) with the number the step needs
(invoice for the fapiao, plate for the registration). Thin: the form checks the input, the
services (``ops.services.ops_order_*``) check the step, log it and audit it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ops import services
from ops.views import perm_required
from testdrives.models import Handover, OrderStatus, PurchaseOrder
from testdrives.purchase_steps import STEP_LABELS, purchase_order_progress
from vendingstore.api_errors import ApplicationError

CHANGE = "testdrives.change_purchaseorder"
# The status an order is in → the status its next step reaches.
_NEXT_STATUS = dict(zip(list(OrderStatus)[:-1], list(OrderStatus)[1:], strict=True))


class StepForm(forms.Form):
    invoice_number = forms.CharField(
        label=gettext_lazy("Invoice (fapiao) number"), max_length=32, required=False
    )
    plate_number = forms.CharField(label=gettext_lazy("Plate number"), max_length=16, required=False)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args: object, order: PurchaseOrder, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only the number the current step needs is asked for, and then it is required.
        if order.status != OrderStatus.CONTRACT_SIGNED:
            del self.fields["invoice_number"]
        else:
            self.fields["invoice_number"].required = True
        if order.status != OrderStatus.INVOICED:
            del self.fields["plate_number"]
        else:
            self.fields["plate_number"].required = True


class HandoverForm(forms.Form):
    handover = forms.ChoiceField(label=gettext_lazy("Handover"), choices=Handover.choices)


def _order(pk: int) -> PurchaseOrder:
    return get_object_or_404(
        PurchaseOrder.objects.select_related(
            "member", "vehicle", "test_drive__store", "test_drive__car_model__brand", "payment"
        ),
        pk=pk,
    )


def _context(request: HttpRequest, order: PurchaseOrder, form: StepForm) -> dict[str, object]:
    following = _NEXT_STATUS.get(OrderStatus(order.status))
    return {
        "order": order,
        "progress": purchase_order_progress(order=order),
        "next_label": STEP_LABELS[following] if following else None,
        "form": form,
        "handover_form": HandoverForm(initial={"handover": order.handover}),
        "handover_open": order.status not in (OrderStatus.READY, OrderStatus.HANDED_OVER),
        "can_change": request.user.has_perm(CHANGE),
    }


def _may_change(request: HttpRequest) -> None:
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied


@never_cache
@perm_required("use_console")
def order(request: HttpRequest, pk: int) -> HttpResponse:
    row = _order(pk)
    return render(request, "ops/order.html", _context(request, row, StepForm(order=row)))


@require_POST
@perm_required("use_console")
def order_advance(request: HttpRequest, pk: int) -> HttpResponse:
    _may_change(request)
    row = _order(pk)
    form = StepForm(request.POST, order=row)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ops_order_advance(
                order=row,
                by=request.user,  # type: ignore[arg-type]
                invoice_number=data.get("invoice_number", ""),
                plate_number=data.get("plate_number", ""),
                note=data["note"],
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Step done: the member sees it on their purchase page."))
            return redirect("ops:order", pk=row.pk)
    return render(request, "ops/order.html", _context(request, row, form), status=400)


@require_POST
@perm_required("use_console")
def order_handover(request: HttpRequest, pk: int) -> HttpResponse:
    _may_change(request)
    row = _order(pk)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose pickup at the store or delivery."))
        return redirect("ops:order", pk=row.pk)
    try:
        services.ops_order_handover(order=row, by=request.user, handover=form.cleaned_data["handover"])  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Handover saved."))
    return redirect("ops:order", pk=row.pk)
