"""The fleet: brands and their models and paints, stores, towers and bays, and vehicles."""

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fleet.ranges import PostgresExclusionConstraint, TstzRange
from fleet.vin import validate_vin, vin_normalize
from vendingstore.i18n import localized

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a colour like #1A2B3C."))


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=80, blank=True)
    slug = models.SlugField(unique=True)
    country = models.CharField(_("country"), max_length=2, help_text="ISO 3166 alpha-2")

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class BodyType(models.TextChoices):
    SEDAN = "sedan", _("Sedan")
    HATCHBACK = "hatchback", _("Hatchback")
    SUV = "suv", _("SUV")
    MPV = "mpv", _("MPV")
    COUPE = "coupe", _("Coupé")
    WAGON = "wagon", _("Estate")
    PICKUP = "pickup", _("Pickup")


class Powertrain(models.TextChoices):
    BEV = "bev", _("Battery electric")
    PHEV = "phev", _("Plug-in hybrid")
    EREV = "erev", _("Range-extended electric")
    HEV = "hev", _("Hybrid")
    ICE = "ice", _("Petrol")


class CarModel(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="car_models")
    name = models.CharField(_("name"), max_length=80)
    name_zh = models.CharField(_("Chinese name"), max_length=80, blank=True)
    slug = models.SlugField(unique=True)
    model_year = models.PositiveSmallIntegerField(_("model year"))
    body_type = models.CharField(_("body"), max_length=16, choices=BodyType.choices)
    powertrain = models.CharField(_("powertrain"), max_length=8, choices=Powertrain.choices)
    seats = models.PositiveSmallIntegerField(_("seats"))
    power_kw = models.PositiveIntegerField(_("power (kW)"))
    # CLTC electric range; empty for cars that cannot drive on electricity alone.
    electric_range_km = models.PositiveIntegerField(_("electric range (km)"), null=True, blank=True)
    energy_kwh_per_100km = models.DecimalField(
        _("energy use (kWh/100 km)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    fuel_l_per_100km = models.DecimalField(
        _("fuel use (L/100 km)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    msrp_cny = models.PositiveIntegerField(_("MSRP (CNY)"))
    # Size and boot as the maker publishes them; empty until staff enter them. The drawing of a
    # model without photos takes its proportions from length, height and wheelbase.
    length_mm = models.PositiveIntegerField(
        _("length (mm)"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(7000)]
    )
    width_mm = models.PositiveIntegerField(
        _("width (mm)"), null=True, blank=True, validators=[MinValueValidator(1200), MaxValueValidator(2600)]
    )
    height_mm = models.PositiveIntegerField(
        _("height (mm)"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2500)]
    )
    wheelbase_mm = models.PositiveIntegerField(
        _("wheelbase (mm)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1500), MaxValueValidator(4500)],
    )
    boot_litres = models.PositiveIntegerField(
        _("boot (litres)"), null=True, blank=True, help_text=_("Behind the rear seats, seats up.")
    )
    # Charging: only cars with a plug have these (the database refuses them on the others).
    charge_ac_kw = models.DecimalField(
        _("AC charging (kW)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    charge_dc_kw = models.PositiveIntegerField(_("DC fast charging, peak (kW)"), null=True, blank=True)
    charge_10_80_minutes = models.PositiveSmallIntegerField(
        _("DC charging 10–80 % (minutes)"), null=True, blank=True
    )
    description = models.TextField(_("description"))
    description_zh = models.TextField(_("Chinese description"), blank=True)
    is_listed = models.BooleanField(_("listed in the catalogue"), default=True)

    class Meta:
        ordering = ["brand__name", "name"]
        verbose_name = _("car model")
        verbose_name_plural = _("car models")
        constraints = [
            models.UniqueConstraint(fields=["brand", "name", "model_year"], name="carmodel_unique_name"),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=9), name="carmodel_seats_1_9"),
            models.CheckConstraint(condition=Q(msrp_cny__gt=0), name="carmodel_msrp_positive"),
            models.CheckConstraint(
                condition=~Q(powertrain__in=["bev", "phev", "erev"]) | Q(electric_range_km__isnull=False),
                name="carmodel_plugin_has_range",
            ),
            models.CheckConstraint(
                condition=Q(powertrain__in=["bev", "phev", "erev"])
                | Q(charge_ac_kw__isnull=True, charge_dc_kw__isnull=True, charge_10_80_minutes__isnull=True),
                name="carmodel_charging_needs_a_plug",
            ),
            models.CheckConstraint(
                condition=Q(wheelbase_mm__isnull=True)
                | Q(length_mm__isnull=True)
                | Q(wheelbase_mm__lt=F("length_mm")),
                name="carmodel_wheelbase_within_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.name} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("fleet:carmodel_detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class Paint(models.Model):
    car_model = models.ForeignKey(CarModel, on_delete=models.CASCADE, related_name="paints")
    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    hex = models.CharField(_("colour"), max_length=7, validators=[hex_colour])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["car_model", "position", "name"]
        verbose_name = _("paint")
        verbose_name_plural = _("paints")
        constraints = [
            models.UniqueConstraint(fields=["car_model", "name"], name="paint_unique_per_model"),
        ]

    def __str__(self) -> str:
        return f"{self.car_model} — {self.name}"

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class CarPhoto(models.Model):
    """A staff-uploaded photo of a model, optionally of one paint."""

    car_model = models.ForeignKey(CarModel, on_delete=models.CASCADE, related_name="photos")
    paint = models.ForeignKey(Paint, on_delete=models.CASCADE, related_name="photos", null=True, blank=True)
    image = models.ImageField(_("image"), upload_to="catalogue/%Y/%m")
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Filled by carphoto_renditions_make after an upload (fleet/photos.py): the picture's size, for
    # width/height attributes that reserve its space, and the image the smaller copies were made
    # from. The catalogue offers the copies (srcset) only while ``renditions_of`` is the current
    # image, so a replaced picture never shows its predecessor's copies.
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True, editable=False)
    renditions_of = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("car photo")
        verbose_name_plural = _("car photos")

    def __str__(self) -> str:
        return self.caption or self.image.name

    def clean(self) -> None:
        if self.paint is not None and self.paint.car_model_id != self.car_model_id:
            raise ValidationError({"paint": _("This paint belongs to another model.")})


class Store(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=80, blank=True)
    slug = models.SlugField(unique=True)
    city = models.CharField(_("city"), max_length=60)
    city_zh = models.CharField(_("Chinese city name"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200)
    address_zh = models.CharField(_("Chinese address"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_city(self) -> str:
        return localized(self, "city")

    @property
    def display_address(self) -> str:
        return localized(self, "address")

    @property
    def zone(self) -> ZoneInfo:
        """The store's own time zone: its opening hours, its calendar days and the times shown
        for it are on this clock, whatever the project's TIME_ZONE."""
        return ZoneInfo(self.time_zone)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class StoreHours(models.Model):
    """Opening hours for one weekday, in the store's own time zone. No row: closed that day."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["store", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["store", "weekday"], name="storehours_one_per_day"),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="storehours_opens_before_closes"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="storehours_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Tower(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="towers")
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    levels = models.PositiveSmallIntegerField(
        _("storage levels"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    bays_per_level = models.PositiveSmallIntegerField(
        _("bays per level"), validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    lifts = models.PositiveSmallIntegerField(_("lifts"), default=1, validators=[MinValueValidator(1)])
    delivery_bays = models.PositiveSmallIntegerField(
        _("delivery bays"), default=2, validators=[MinValueValidator(1)]
    )
    # Pickup-slot capacity comes from these two until the tower reports measured figures: a
    # lift is busy for one cycle per delivery, and a delivery bay is taken for one dwell.
    lift_cycle_seconds = models.PositiveSmallIntegerField(
        _("lift cycle (s)"),
        default=150,
        validators=[MinValueValidator(10)],
        help_text=_("Seconds one lift needs per delivery, from storage to a delivery bay and ready again."),
    )
    delivery_bay_dwell_seconds = models.PositiveSmallIntegerField(
        _("delivery bay dwell (s)"),
        default=300,
        validators=[MinValueValidator(10)],
        help_text=_("Seconds a delivery bay stays taken per pickup: car waiting, checked, driven out."),
    )

    class Meta:
        ordering = ["store", "code"]
        verbose_name = _("tower")
        verbose_name_plural = _("towers")
        constraints = [
            models.CheckConstraint(condition=Q(levels__gte=1), name="tower_has_levels"),
            models.CheckConstraint(condition=Q(bays_per_level__gte=1), name="tower_has_bays"),
            models.CheckConstraint(condition=Q(lifts__gte=1), name="tower_has_lift"),
            models.CheckConstraint(condition=Q(delivery_bays__gte=1), name="tower_has_delivery_bay"),
            models.CheckConstraint(
                condition=Q(lift_cycle_seconds__gte=10, delivery_bay_dwell_seconds__gte=10),
                name="tower_timings_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def storage_capacity(self) -> int:
        return self.levels * self.bays_per_level

    def pickups_per_window(self, window_seconds: int) -> int:
        """How many pickups this tower can hand over in one window: the tighter of lifts and bays."""
        by_lifts = self.lifts * window_seconds // self.lift_cycle_seconds
        by_bays = self.delivery_bays * window_seconds // self.delivery_bay_dwell_seconds
        return max(0, min(by_lifts, by_bays))


class BayKind(models.TextChoices):
    STORAGE = "storage", _("Storage")
    DELIVERY = "delivery", _("Delivery")


class Bay(models.Model):
    """A place for one car: storage bays on levels 1..N, delivery bays at ground (level 0)."""

    tower = models.ForeignKey(Tower, on_delete=models.CASCADE, related_name="bays")
    level = models.PositiveSmallIntegerField(_("level"))
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=BayKind.choices)
    is_enabled = models.BooleanField(
        _("in service"), default=True, help_text=_("Untick to keep the tower from using this bay.")
    )

    class Meta:
        ordering = ["tower", "kind", "level", "position"]
        verbose_name = _("bay")
        verbose_name_plural = _("bays")
        constraints = [
            models.UniqueConstraint(fields=["tower", "level", "position"], name="bay_unique_place"),
            models.CheckConstraint(
                condition=(Q(kind="delivery", level=0) | Q(kind="storage", level__gte=1)),
                name="bay_delivery_at_ground",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tower.code}:{self.code}"

    @property
    def code(self) -> str:
        if self.kind == BayKind.DELIVERY:
            return f"D{self.position}"
        return f"L{self.level:02d}-B{self.position:02d}"


class VehicleStatus(models.TextChoices):
    STORED = "stored", _("In storage")
    AT_DELIVERY_BAY = "at_delivery_bay", _("At a delivery bay")
    ON_DRIVE = "on_drive", _("Out on a drive")
    MAINTENANCE = "maintenance", _("In maintenance")
    SOLD = "sold", _("Sold")


# The statuses in which a car stands in a bay, and the kind of bay each needs.
BAY_KIND_FOR_STATUS: dict[str, BayKind] = {
    VehicleStatus.STORED: BayKind.STORAGE,
    VehicleStatus.AT_DELIVERY_BAY: BayKind.DELIVERY,
}
IN_A_BAY = list(BAY_KIND_FOR_STATUS)


class Vehicle(models.Model):
    vin = models.CharField("VIN", max_length=17, unique=True, validators=[validate_vin])
    car_model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="vehicles")
    paint = models.ForeignKey(Paint, on_delete=models.PROTECT, related_name="vehicles")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="vehicles")
    bay = models.OneToOneField(Bay, on_delete=models.PROTECT, related_name="vehicle", null=True, blank=True)
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), default=0)
    # The buyer is told how old the car is; empty only for a car whose papers nobody entered.
    built_on = models.DateField(_("build date"), null=True, blank=True)
    energy_level_pct = models.PositiveSmallIntegerField(
        _("charge / fuel level (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VehicleStatus.choices, default=VehicleStatus.STORED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vin"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.CheckConstraint(condition=Q(energy_level_pct__lte=100), name="vehicle_energy_0_100"),
            # A car is in a bay exactly when its status says so: no ghost cars in the tower map.
            models.CheckConstraint(
                condition=(
                    Q(status__in=IN_A_BAY, bay__isnull=False)
                    | (~Q(status__in=IN_A_BAY) & Q(bay__isnull=True))
                ),
                name="vehicle_bay_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["car_model", "status"], name="vehicle_model_status")]

    def __str__(self) -> str:
        return self.vin

    # What the row held when it was loaded: fleet.signals compares it after a save to tell whether
    # the car may have become bookable (see may_have_freed_up).
    _loaded: tuple[object, ...] | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.vin = vin_normalize(self.vin)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> "Vehicle":
        vehicle = super().from_db(db, field_names, values)
        # Only when loaded in full: reading a deferred field here would cost a query per car.
        if {"status", "store_id", "paint_id", "car_model_id"} <= set(field_names):
            vehicle._loaded = vehicle._watched_state()
        return vehicle

    def _watched_state(self) -> tuple[object, ...]:
        return (self.status, self.store_id, self.paint_id, self.car_model_id)

    def may_have_freed_up(self, *, created: bool) -> bool:
        """After a save: whether this car may now be bookable where it was not before. New; back
        into a bay from the road, the workshop or a sale; or moved to another store, paint or
        model (an edit). A move between two bays (storage to delivery) frees nothing."""
        if created or self._loaded is None:
            return True
        status, *place = self._loaded
        if place != list(self._watched_state()[1:]):
            return True
        return status not in IN_A_BAY and self.status in IN_A_BAY

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.paint_id and self.car_model_id and self.paint.car_model_id != self.car_model_id:
            errors["paint"] = _("This paint is not offered on this model.")
        if self.store_id and self.bay is not None and self.bay.tower.store_id != self.store_id:
            errors["bay"] = _("This bay is in another store's tower.")
        if errors:
            raise ValidationError(errors)


class VehiclePhoto(models.Model):
    """A staff-uploaded photo of one vehicle (a scratch, the odometer): what the buyer of this
    very car sees, beside the model's catalogue photos."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="vehicles/%Y/%m")
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("vehicle photo")
        verbose_name_plural = _("vehicle photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class VehicleHold(models.Model):
    """One entry of a vehicle's reservation calendar: the car is promised over [starts_at, ends_at)
    to one booking; released when it ends early.

    ``booking_id`` is the holder's id (a test drive of ``testdrives``), kept as a plain number so
    fleet knows no bookings; the database still refuses a hold whose booking does not exist (the
    foreign key made when the table was testdrives'). On PostgreSQL an exclusion constraint makes
    two unreleased, overlapping holds on one vehicle impossible, whatever the concurrency. On
    SQLite every booking transaction takes the write lock at BEGIN (``transaction_mode=IMMEDIATE``),
    which serialises allocation instead.
    """

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="holds")
    booking_id = models.BigIntegerField(_("booking"), unique=True, db_column="test_drive_id")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Made by testdrives (0001) and moved here without touching the table.
        db_table = "testdrives_vehiclehold"
        verbose_name = _("vehicle hold")
        verbose_name_plural = _("vehicle holds")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="hold_positive"),
            PostgresExclusionConstraint(
                name="hold_no_overlap_per_vehicle",
                expressions=[
                    ("vehicle", RangeOperators.EQUAL),
                    (TstzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(released_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["vehicle", "starts_at", "ends_at"], name="hold_vehicle_period")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"
