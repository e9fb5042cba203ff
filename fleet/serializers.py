"""Output serializers of the catalogue API (read-only).

Every bilingual text is given three ways: ``name`` (English), ``name_zh`` (Simplified Chinese,
may be empty) and ``display_name``, which follows the request's Accept-Language and falls back
to English.
"""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fleet.models import (
    BodyType,
    Brand,
    CarModel,
    CarPhoto,
    Paint,
    Powertrain,
    Store,
    StoreHours,
    Tower,
    Weekday,
)


class ChoiceLabelField(serializers.CharField):
    """The label of a choice value, in the active language (read-only).

    Django's ``get_FOO_display()`` rebuilds a dict of all choices on every call, which costs
    more than the rest of a list item together; this looks the label up in a dict built once.
    """

    def __init__(self, choices: type[models.Choices], **kwargs: object) -> None:
        self.labels = dict(choices.choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: object) -> str:
        return str(self.labels.get(value, value))


class BrandOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Brand
        fields = ["slug", "name", "name_zh", "display_name", "country"]


class PaintOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Paint
        fields = ["id", "name", "name_zh", "display_name", "hex"]


class CarPhotoOutputSerializer(serializers.ModelSerializer):
    url = serializers.ImageField(source="image", read_only=True, use_url=True)
    paint_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = CarPhoto
        fields = ["id", "url", "caption", "paint_id"]


class CarSpecsOutputSerializer(serializers.ModelSerializer):
    """The technical data of a model, nested under ``specs``."""

    body_type_display = ChoiceLabelField(BodyType, source="body_type")
    powertrain_display = ChoiceLabelField(Powertrain, source="powertrain")
    energy_kwh_per_100km = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, read_only=True, allow_null=True
    )
    fuel_l_per_100km = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, read_only=True, allow_null=True
    )

    class Meta:
        model = CarModel
        fields = [
            "model_year",
            "body_type",
            "body_type_display",
            "powertrain",
            "powertrain_display",
            "seats",
            "power_kw",
            "electric_range_km",
            "energy_kwh_per_100km",
            "fuel_l_per_100km",
        ]


class CarModelListOutputSerializer(serializers.ModelSerializer):
    """A catalogue entry: brand, technical data, price, paints and how many cars are available now."""

    # Reads ``available_count`` annotated by CarModelFilter and paints/photos prefetched by
    # carmodel_list_catalogue: no query per model.

    brand = BrandOutputSerializer(read_only=True)
    display_name = serializers.CharField(read_only=True)
    specs = CarSpecsOutputSerializer(source="*", read_only=True)
    price_cny = serializers.IntegerField(source="msrp_cny", read_only=True)
    paints = PaintOutputSerializer(many=True, read_only=True)
    available_count = serializers.IntegerField(read_only=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = CarModel
        fields = [
            "slug",
            "name",
            "name_zh",
            "display_name",
            "brand",
            "specs",
            "price_cny",
            "paints",
            "available_count",
            "photo_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, car_model: CarModel) -> str | None:
        """The first photo, absolute; None when the model has none yet."""
        photos = list(car_model.photos.all())
        if not photos:
            return None
        return self.context["request"].build_absolute_uri(photos[0].image.url)


class StoreRefOutputSerializer(serializers.ModelSerializer):
    """A store as named inside another resource; the full record is in the stores list."""

    display_name = serializers.CharField(read_only=True)
    display_city = serializers.CharField(read_only=True)

    class Meta:
        model = Store
        fields = ["slug", "name", "name_zh", "display_name", "city", "city_zh", "display_city"]


class PaintAvailabilityOutputSerializer(serializers.Serializer):
    paint_id = serializers.IntegerField(source="paint.pk")
    available = serializers.IntegerField()


class StoreAvailabilityOutputSerializer(serializers.Serializer):
    """Every store is listed, with zero counts where it has none of this model."""

    store = StoreRefOutputSerializer()
    available = serializers.IntegerField(help_text="Vehicles of this model available now at the store.")
    paints = PaintAvailabilityOutputSerializer(many=True)


class CarModelDetailOutputSerializer(CarModelListOutputSerializer):
    """A model with its description, photos and the cars available now per store and paint."""

    # ``availability`` and ``available_count`` are set on the instance by CarModelDetailApi.

    display_description = serializers.CharField(read_only=True)
    photos = CarPhotoOutputSerializer(many=True, read_only=True)
    availability = StoreAvailabilityOutputSerializer(many=True, read_only=True)

    class Meta(CarModelListOutputSerializer.Meta):
        fields = [
            *CarModelListOutputSerializer.Meta.fields,
            "description",
            "description_zh",
            "display_description",
            "photos",
            "availability",
        ]


class StoreHoursOutputSerializer(serializers.ModelSerializer):
    weekday_display = ChoiceLabelField(Weekday, source="weekday")
    opens = serializers.TimeField(format="%H:%M", read_only=True)
    closes = serializers.TimeField(format="%H:%M", read_only=True)

    class Meta:
        model = StoreHours
        fields = ["weekday", "weekday_display", "opens", "closes"]


class TowerOutputSerializer(serializers.ModelSerializer):
    storage_capacity = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tower
        fields = ["code", "name", "levels", "bays_per_level", "storage_capacity", "lifts", "delivery_bays"]


class StoreOutputSerializer(StoreRefOutputSerializer):
    display_address = serializers.CharField(read_only=True)
    hours = StoreHoursOutputSerializer(
        many=True,
        read_only=True,
        help_text="Weekday 0 is Monday; times are in the store's time zone. "
        "A weekday with no entry is a closed day.",
    )
    towers = TowerOutputSerializer(many=True, read_only=True)

    class Meta(StoreRefOutputSerializer.Meta):
        fields = [
            *StoreRefOutputSerializer.Meta.fields,
            "address",
            "address_zh",
            "display_address",
            "time_zone",
            "phone",
            "hours",
            "towers",
        ]


class ErrorOutputSerializer(serializers.Serializer):
    """The body of a 404 or 429 answer."""

    detail = serializers.CharField()


# django-filter's answer to a bad filter value: each parameter name with its messages.
FILTER_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"price_min": ["Enter a number."]},
}
