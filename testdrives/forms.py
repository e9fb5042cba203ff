"""Portal forms for booking and buying."""

from collections.abc import Mapping
from datetime import date
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel, Paint, Store
from testdrives.models import PurchaseMethod
from testdrives.selectors import booking_days
from testdrives.services.purchase import FINANCE_TERMS_MONTHS


class DisplayNameChoiceField(forms.ModelChoiceField):
    """Lists a store or a paint by its name in the current language."""

    def label_from_instance(self, obj: Store | Paint) -> str:
        return obj.display_name


class SlotSearchForm(forms.Form):
    """Store, day and paint: what the list of pickup times depends on.

    The days offered are the chosen store's (``booking_days``): its today turns at its own
    midnight. No day means the store's today.
    """

    store = DisplayNameChoiceField(label=_("Store"), queryset=Store.objects.none(), empty_label=None)
    day = forms.TypedChoiceField(label=_("Day"), coerce=date.fromisoformat, required=False, empty_value=None)
    paint = DisplayNameChoiceField(label=_("Paint"), queryset=Paint.objects.none(), empty_label=None)

    def __init__(self, data: Mapping[str, object] | None = None, *, car_model: CarModel) -> None:
        super().__init__(data)
        # The form's own copies of the fields declared above.
        store = cast(DisplayNameChoiceField, self.fields["store"])
        paint = cast(DisplayNameChoiceField, self.fields["paint"])
        day = cast(forms.TypedChoiceField, self.fields["day"])
        store.queryset = Store.objects.filter(vehicles__car_model=car_model).distinct()
        paint.queryset = car_model.paints.all()
        asked = self._store_asked(store)
        # No valid store: no day either; the store field says what is wrong.
        self.days = booking_days(store=asked) if asked is not None else []
        day.choices = [(d.isoformat(), d.strftime("%Y-%m-%d %a")) for d in self.days]

    def _store_asked(self, field: DisplayNameChoiceField) -> Store | None:
        """The store the data names, if it is one of the field's; its clock gives the days."""
        try:
            return cast(Store, field.clean(self.data.get("store")))
        except ValidationError:
            return None

    def clean_day(self) -> date | None:
        """The day asked, or the store's today when none was (a first visit, a link without one)."""
        return self.cleaned_data["day"] or (self.days[0] if self.days else None)


class PurchaseForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How you pay"), choices=PurchaseMethod.choices, widget=forms.RadioSelect
    )
    down_payment_cny = forms.IntegerField(label=_("Down payment (CNY)"), required=False, min_value=1)
    # The car whose record the page showed: the purchase refuses another (see testdrive_purchase).
    vin = forms.CharField(widget=forms.HiddenInput, required=False, max_length=17)
    term_months = forms.TypedChoiceField(
        label=_("Financing term"),
        coerce=int,
        required=False,
        choices=[("", "—")] + [(m, _("%(months)s months") % {"months": m}) for m in FINANCE_TERMS_MONTHS],
    )
