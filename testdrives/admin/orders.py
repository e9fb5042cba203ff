"""Purchase orders after the sale: operators see each order's paperwork and mark its next step
done (contract signed, invoice issued with its number, registered with its plate, ready, handed
over). No field is written by the form itself: saving calls the order services, which check the
step and log who did it."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from testdrives.models import Handover, PurchaseOrder
from testdrives.services.purchase_order import (
    purchase_order_advance,
    purchase_order_advance_problem,
    purchase_order_handover_set,
)
from vendingstore.api_errors import ApplicationError


class PurchaseOrderStepForm(forms.ModelForm):
    change_handover = forms.ChoiceField(label=_("handover"), choices=Handover.choices)
    new_invoice_number = forms.CharField(
        label=_("invoice (fapiao) number"),
        max_length=32,
        required=False,
        help_text=_("Needed to mark the invoice issued."),
    )
    new_plate_number = forms.CharField(
        label=_("plate number"),
        max_length=16,
        required=False,
        help_text=_("Needed to mark the car registered."),
    )
    advance = forms.BooleanField(label=_("Mark the next step done"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    class Meta:
        model = PurchaseOrder
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_handover"].initial = self.instance.handover

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("advance"):
            problem = purchase_order_advance_problem(
                order=self.instance,
                invoice_number=data.get("new_invoice_number", ""),
                plate_number=data.get("new_plate_number", ""),
            )
            if problem:
                raise forms.ValidationError(problem)
        return data


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "member", "vehicle", "price_cny", "method", "status", "handover", "created_at"]
    list_select_related = ["member", "vehicle", "test_drive"]
    list_filter = ["status", "method", "handover", "created_at"]
    search_fields = [
        "vehicle__vin",
        "member__full_name",
        "member__mobile",
        "test_drive__pickup_code",
        "plate_number",
        "invoice_number",
    ]
    date_hierarchy = "created_at"
    form = PurchaseOrderStepForm
    readonly_fields = [
        "test_drive",
        "vehicle",
        "member",
        "price_cny",
        "method",
        "down_payment_cny",
        "financed_cny",
        "finance_term_months",
        "finance_reference",
        "payment",
        "status",
        "invoice_number",
        "plate_number",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": tuple(readonly_fields)}),
        (
            _("Next step"),
            {"fields": ["change_handover", "new_invoice_number", "new_plate_number", "advance", "note"]},
        ),
    ]
    actions = ["advance_orders"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PurchaseOrder | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PurchaseOrder, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        assert isinstance(request.user, User)
        try:
            if data["change_handover"] != obj.handover:
                purchase_order_handover_set(order=obj, handover=data["change_handover"])
            if data["advance"]:
                purchase_order_advance(
                    order=obj,
                    by=request.user,
                    invoice_number=data["new_invoice_number"],
                    plate_number=data["new_plate_number"],
                    note=data["note"],
                )
        except ApplicationError as error:
            messages.error(request, str(error.message))

    @admin.action(description=_("Mark the next step done (contract, ready, handed over)"))
    def advance_orders(self, request: HttpRequest, queryset: QuerySet[PurchaseOrder]) -> None:
        assert isinstance(request.user, User)
        done = 0
        for order in queryset:
            try:
                purchase_order_advance(order=order, by=request.user)
                done += 1
            except ApplicationError as error:
                messages.warning(request, f"{order}: {error.message}")
        if done:
            messages.success(request, _("%(n)s orders moved on.") % {"n": done})
