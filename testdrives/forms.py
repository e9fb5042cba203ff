"""Portal forms for booking and buying."""

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel, Store
from testdrives.models import PurchaseMethod
from testdrives.services.purchase import FINANCE_TERMS_MONTHS


def booking_days() -> list[date]:
    """Today and every day a booking may be made for."""
    today = timezone.localdate()
    return [today + timedelta(days=n) for n in range(settings.TESTDRIVE_BOOK_AHEAD_DAYS + 1)]


class SlotSearchForm(forms.Form):
    """Store, day and paint: what the list of pickup times depends on."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.objects.none(), empty_label=None)
    day = forms.TypedChoiceField(label=_("Day"), coerce=date.fromisoformat)
    paint = forms.ModelChoiceField(label=_("Paint"), queryset=None, empty_label=None)

    def __init__(self, *args: object, car_model: CarModel, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = Store.objects.filter(vehicles__car_model=car_model).distinct()
        self.fields["paint"].queryset = car_model.paints.all()
        self.fields["paint"].label_from_instance = lambda paint: paint.display_name
        self.fields["store"].label_from_instance = lambda store: store.display_name
        self.fields["day"].choices = [(d.isoformat(), d.strftime("%Y-%m-%d %a")) for d in booking_days()]


class PurchaseForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How you pay"), choices=PurchaseMethod.choices, widget=forms.RadioSelect
    )
    down_payment_cny = forms.IntegerField(label=_("Down payment (CNY)"), required=False, min_value=1)
    term_months = forms.TypedChoiceField(
        label=_("Financing term"),
        coerce=int,
        required=False,
        choices=[("", "—")] + [(m, _("%(months)s months") % {"months": m}) for m in FINANCE_TERMS_MONTHS],
    )
