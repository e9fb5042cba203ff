"""One filter set for the catalogue, shared by the portal and the API."""

from typing import TYPE_CHECKING

from django.db.models import F, QuerySet
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fleet.models import BodyType, Brand, CarModel, Powertrain, Store
from fleet.search import MAX_QUERY_LENGTH, carmodel_search
from fleet.selectors import AvailableCount, carmodel_annotate_availability, carmodel_filter_stocked_in

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SORTS: dict[str, tuple[str | Combinable, ...]] = {
    "": ("brand__name", "name"),
    "price": ("msrp_cny", "pk"),
    "-price": ("-msrp_cny", "pk"),
    "range": (F("electric_range_km").desc(nulls_last=True), "pk"),
    "newest": ("-model_year", "brand__name", "name"),
}
SORT_CHOICES = [
    ("", _("Brand A–Z")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("range", _("Electric range: longest first")),
    ("newest", _("Newest model year")),
]


class CarModelFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        label=_("Search"),
        help_text=_(
            "Brand, model, body or powertrain words, in English or Chinese: “BYD Seal”, “比亚迪”, “电动 SUV”."
        ),
    )
    brand = filters.ModelMultipleChoiceFilter(
        field_name="brand__slug", to_field_name="slug", queryset=Brand.objects.all(), label=_("Brand")
    )
    body = filters.MultipleChoiceFilter(field_name="body_type", choices=BodyType.choices, label=_("Body"))
    powertrain = filters.MultipleChoiceFilter(choices=Powertrain.choices, label=_("Powertrain"))
    price_min = filters.NumberFilter(field_name="msrp_cny", lookup_expr="gte", label=_("Price from (CNY)"))
    price_max = filters.NumberFilter(field_name="msrp_cny", lookup_expr="lte", label=_("Price up to (CNY)"))
    store = filters.ModelChoiceFilter(
        queryset=Store.objects.all(), to_field_name="slug", method="filter_store", label=_("Store")
    )
    available = filters.BooleanFilter(method="filter_available", label=_("Available now"))
    sort = filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = CarModel
        fields = ["q", "brand", "body", "powertrain", "price_min", "price_max", "store", "available", "sort"]

    def filter_queryset(self, queryset: QuerySet[CarModel]) -> QuerySet[CarModel]:
        # Availability depends on the chosen store, so it is annotated before any filter runs.
        store = self.form.cleaned_data.get("store")
        queryset = carmodel_annotate_availability(queryset, store=store)
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            # A search is ordered by how well each model matches; ties (and no search) by name.
            searched = "search_rank" in queryset.query.annotations
            queryset = queryset.order_by(*(("-search_rank",) if searched else ()), *SORTS[""])
        return queryset

    def filter_q(self, queryset: QuerySet[CarModel], name: str, value: str) -> QuerySet[CarModel]:
        return carmodel_search(queryset, query=value) if value.strip() else queryset

    def filter_store(
        self, queryset: QuerySet[CarModel], name: str, value: Store | None
    ) -> QuerySet[CarModel]:
        return queryset if value is None else carmodel_filter_stocked_in(queryset, store=value)

    def filter_available(
        self, queryset: "QuerySet[WithAnnotations[CarModel, AvailableCount]]", name: str, value: bool | None
    ) -> QuerySet[CarModel]:
        return queryset.filter(available_count__gt=0) if value else queryset

    def filter_sort(self, queryset: QuerySet[CarModel], name: str, value: str) -> QuerySet[CarModel]:
        return queryset.order_by(*SORTS[value])
