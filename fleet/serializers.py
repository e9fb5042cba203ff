"""Output serializers of the catalogue API (read-only).

Plain serializers with every field declared, as outputs should be: a ModelSerializer would
rebuild its fields from the model's metadata on every request, a measurable share of an API
request's time (see docs/BENCHMARKS.md).

Every bilingual text is given three ways: ``name`` (English), ``name_zh`` (Simplified Chinese,
may be empty) and ``display_name``, which follows the request's Accept-Language and falls back
to English.
"""

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fleet.models import (
    BodyType,
    CarModel,
    CarPhoto,
    Powertrain,
    Weekday,
)
from fleet.photos import rendition_name, rendition_widths


class ChoiceLabelField(serializers.CharField):
    """The label of a choice value, in the active language (read-only).

    Django's ``get_FOO_display()`` rebuilds a dict of all choices on every call, which costs
    more than the rest of a list item together; this looks the label up in a dict built once.
    """

    def __init__(self, choices: type[models.Choices], **kwargs: Any) -> None:
        self.labels = dict(choices.choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: object) -> str:
        return str(self.labels.get(value, value))


class BrandOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    display_name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 alpha-2 code.")


class PaintOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    display_name = serializers.CharField()
    hex = serializers.CharField(help_text="The colour as #RRGGBB.")


class PhotoRenditionOutputSerializer(serializers.Serializer):
    width = serializers.IntegerField(help_text="Pixels.")
    url = serializers.URLField()


class CarPhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.ImageField(source="image", use_url=True)
    caption = serializers.CharField()
    paint_id = serializers.IntegerField(allow_null=True, help_text="The paint shown, if one in particular.")
    width = serializers.IntegerField(
        allow_null=True, help_text="Of the original, pixels; null until measured."
    )
    height = serializers.IntegerField(
        allow_null=True, help_text="Of the original, pixels; null until measured."
    )
    renditions = serializers.SerializerMethodField(
        help_text="Smaller WebP copies, narrowest first (for srcset); empty until made, or when the "
        "original is already narrow."
    )

    @extend_schema_field(PhotoRenditionOutputSerializer(many=True))
    def get_renditions(self, photo: CarPhoto) -> list[dict[str, object]]:
        if photo.renditions_of != photo.image.name:
            return []
        request = self.context.get("request")
        storage = photo.image.storage
        result = []
        for width in rendition_widths(photo.width):
            url = storage.url(rendition_name(photo.image.name, width))
            result.append({"width": width, "url": request.build_absolute_uri(url) if request else url})
        return result


class CarSpecsOutputSerializer(serializers.Serializer):
    """The technical data of a model, nested under ``specs``."""

    model_year = serializers.IntegerField()
    body_type = serializers.ChoiceField(choices=BodyType.choices)
    body_type_display = ChoiceLabelField(BodyType, source="body_type")
    powertrain = serializers.ChoiceField(choices=Powertrain.choices)
    powertrain_display = ChoiceLabelField(Powertrain, source="powertrain")
    seats = serializers.IntegerField()
    power_kw = serializers.IntegerField()
    electric_range_km = serializers.IntegerField(allow_null=True, help_text="CLTC; null without a plug.")
    energy_kwh_per_100km = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    fuel_l_per_100km = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    length_mm = serializers.IntegerField(allow_null=True, help_text="Null when not known.")
    width_mm = serializers.IntegerField(allow_null=True, help_text="Without mirrors; null when not known.")
    height_mm = serializers.IntegerField(allow_null=True, help_text="Null when not known.")
    wheelbase_mm = serializers.IntegerField(allow_null=True, help_text="Null when not known.")
    boot_litres = serializers.IntegerField(
        allow_null=True, help_text="Behind the rear seats, seats up; null when not known."
    )
    charge_ac_kw = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        help_text="Highest AC (wallbox) charging power; null without a plug or when not known.",
    )
    charge_dc_kw = serializers.IntegerField(
        allow_null=True, help_text="Peak DC fast-charging power; null without a plug or when not known."
    )
    charge_10_80_minutes = serializers.IntegerField(
        allow_null=True,
        help_text="Minutes to charge from 10 to 80 % at a fast charger, as the maker states it; null "
        "without a plug or when not known.",
    )


class CarModelListOutputSerializer(serializers.Serializer):
    """A catalogue entry: brand, technical data, price, paints and how many cars are available now."""

    # Reads ``available_count`` annotated by CarModelFilter and paints/photos prefetched by
    # carmodel_list_catalogue: no query per model.

    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    display_name = serializers.CharField()
    brand = BrandOutputSerializer()
    specs = CarSpecsOutputSerializer(source="*")
    price_cny = serializers.IntegerField(source="msrp_cny", help_text="Manufacturer's suggested price, CNY.")
    paints = PaintOutputSerializer(many=True)
    available_count = serializers.IntegerField(help_text="Vehicles available now (in the chosen store).")
    photo_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, car_model: CarModel) -> str | None:
        """The first photo, absolute; None when the model has none yet."""
        photos = list(car_model.photos.all())
        if not photos:
            return None
        return self.context["request"].build_absolute_uri(photos[0].image.url)


class StoreRefOutputSerializer(serializers.Serializer):
    """A store as named inside another resource; the full record is in the stores list."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    display_name = serializers.CharField()
    city = serializers.CharField()
    city_zh = serializers.CharField()
    display_city = serializers.CharField()


class PaintAvailabilityOutputSerializer(serializers.Serializer):
    paint_id = serializers.IntegerField(source="paint.pk")
    available = serializers.IntegerField(
        help_text="Cars of this paint free for a whole test drive starting now (the catalogue's count)."
    )
    next_free_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When none is available: the earliest a drive could start, as a car comes back or a "
        "booking ends (within the booking horizon); null when one is available now or none will be.",
    )


class StoreAvailabilityOutputSerializer(serializers.Serializer):
    """Every store is listed, with zero counts where it has none of this model."""

    store = StoreRefOutputSerializer()
    available = serializers.IntegerField(help_text="Vehicles of this model available now at the store.")
    next_free_at = serializers.DateTimeField(
        allow_null=True, help_text="When none is available here: the earliest any paint frees up."
    )
    paints = PaintAvailabilityOutputSerializer(many=True)


class CarModelDetailOutputSerializer(CarModelListOutputSerializer):
    """A model with its description, photos and the cars available now per store and paint."""

    # ``availability`` and ``available_count`` are set on the instance by CarModelDetailApi.

    description = serializers.CharField()
    description_zh = serializers.CharField()
    display_description = serializers.CharField()
    photos = CarPhotoOutputSerializer(many=True)
    availability = StoreAvailabilityOutputSerializer(many=True)


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "10:00"})
class HourMinuteField(serializers.TimeField):
    """A local wall-clock time as ``HH:MM``. Not OpenAPI's ``format: time``, which is RFC 3339's
    full time with seconds and an offset; opening hours have neither."""

    def __init__(self, **kwargs: Any) -> None:  # passed through to TimeField as they are
        super().__init__(format="%H:%M", **kwargs)


class StoreHoursOutputSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 is Monday.")
    weekday_display = ChoiceLabelField(Weekday, source="weekday")
    opens = HourMinuteField()
    closes = HourMinuteField()


class TowerOutputSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()
    levels = serializers.IntegerField(help_text="Storage levels above the ground.")
    bays_per_level = serializers.IntegerField()
    storage_capacity = serializers.IntegerField(help_text="Storage bays: levels × bays per level.")
    lifts = serializers.IntegerField()
    delivery_bays = serializers.IntegerField(help_text="Bays at ground level where customers collect cars.")


class StoreOutputSerializer(StoreRefOutputSerializer):
    address = serializers.CharField()
    address_zh = serializers.CharField()
    display_address = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA time zone of the opening hours, e.g. Asia/Shanghai.")
    phone = serializers.CharField()
    hours = StoreHoursOutputSerializer(
        many=True,
        help_text="Opening hours in the store's time zone; a weekday with no entry is a closed day.",
    )
    towers = TowerOutputSerializer(many=True)


class ErrorOutputSerializer(serializers.Serializer):
    """The body of a 404 or 429 answer."""

    detail = serializers.CharField()


# django-filter's answer to a bad filter value: each parameter name with its messages.
FILTER_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"price_min": ["Enter a number."]},
}


class CompareOutputSerializer(serializers.Serializer):
    """The compared models, in the order asked, each as the model detail shows it."""

    models = CarModelDetailOutputSerializer(many=True)
    share_url = serializers.URLField(help_text="The portal's comparison page for these models.")


class PriceBreakdownOutputSerializer(serializers.Serializer):
    msrp_cny = serializers.IntegerField()
    purchase_tax_cny = serializers.IntegerField(
        help_text="Vehicle purchase tax under the rules in force on `on` (10 % of the price net of "
        "13 % VAT; new-energy relief by date, capped)."
    )
    tax_relief_source = serializers.CharField(
        help_text="The relief rule applied; empty when the full tax is due."
    )
    registration_fees_cny = serializers.IntegerField(help_text="Registration and plates: a store setting.")
    insurance_estimate_cny = serializers.IntegerField(help_text="First year: compulsory plus an estimate.")
    total_cny = serializers.IntegerField()
    on = serializers.DateField()


class FinanceQuoteOutputSerializer(serializers.Serializer):
    price_cny = serializers.IntegerField()
    down_payment_cny = serializers.IntegerField()
    financed_cny = serializers.IntegerField()
    term_months = serializers.IntegerField()
    annual_rate_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    monthly_payment = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Yuan, rounded up to the fen; the purchase finances the same.",
    )


class CarModelPriceOutputSerializer(serializers.Serializer):
    breakdown = PriceBreakdownOutputSerializer()
    finance = FinanceQuoteOutputSerializer()
    finance_terms_months = serializers.ListField(child=serializers.IntegerField())
    min_down_payment_cny = serializers.IntegerField()


class CarModelPriceInputSerializer(serializers.Serializer):
    down_payment_cny = serializers.IntegerField(required=False, min_value=0)
    term_months = serializers.IntegerField(required=False, min_value=1)
    on = serializers.DateField(required=False, help_text="Purchase date for the tax rules; today by default.")
