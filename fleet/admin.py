"""The fleet back office: catalogue, stores and towers, bays and vehicles.

Every changelist runs a fixed number of queries: counts come from subquery annotations and
related objects from list_select_related. The tower bay map and the CSV import are custom
views on TowerAdmin and VehicleAdmin.
"""

import csv
from typing import TYPE_CHECKING, ClassVar, TypedDict

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from fleet.bay_map import bays_outside_shape, tower_bay_map
from fleet.forms import VehicleAdminForm, VehicleImportForm
from fleet.models import (
    Bay,
    BayKind,
    Brand,
    CarModel,
    CarPhoto,
    Paint,
    Store,
    StoreHours,
    Tower,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
)
from fleet.selectors import carmodel_annotate_availability, count_per_row, vehicle_list_available
from fleet.services import tower_ensure_bays
from fleet.vehicle_import import (
    COLUMNS,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    example_csv_rows,
    vehicle_import_csv_bytes,
)
from vendingstore.admin import admin_user

if TYPE_CHECKING:
    # Dev-only stubs helper: types a model instance that carries the changelist's annotations.
    from django_stubs_ext import StrOrPromise, WithAnnotations


class _ModelCount(TypedDict):
    model_count: int


class _CarModelCounts(TypedDict):
    fleet_count: int
    available_count: int


class _FleetCount(TypedDict):
    fleet_count: int


class _StoreCounts(TypedDict):
    tower_count: int
    fleet_count: int
    available_count: int


class _TowerCounts(TypedDict):
    occupied_count: int
    out_of_service_count: int


def in_fleet() -> QuerySet[Vehicle]:
    return Vehicle.objects.exclude(status=VehicleStatus.SOLD)


def swatch(hex_colour: str, label: str = "") -> str:
    return format_html(
        '<span style="white-space:nowrap"><span style="display:inline-block;width:1em;height:1em;'
        'vertical-align:middle;border:1px solid #8888;border-radius:2px;background:{}" title="{}"></span> {}'
        "</span>",
        hex_colour,
        hex_colour,
        label,
    )


def thumbnail(photo: CarPhoto | VehiclePhoto) -> str:
    if not photo.image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" loading="lazy" style="max-height:60px;max-width:100px">',
        photo.image.url,
        photo.caption,
    )


class SelectRelatedAdmin(admin.ModelAdmin):
    """Loads ``list_select_related`` on every queryset the admin builds, not only the changelist's:
    autocomplete results print ``__str__``, which reads those relations.

    (The changelist skips ``list_select_related`` once ``get_queryset`` has selected anything,
    so it is declared once, here.)
    """

    # Every subclass names its relations (never True/False, which select_related cannot take).
    list_select_related: ClassVar[list[str] | tuple[str, ...]]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related(*self.list_select_related)


# --- Catalogue ------------------------------------------------------------------------------


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "country", "model_count"]
    list_filter = ["country"]
    search_fields = ["name", "name_zh", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        return super().get_queryset(request).annotate(model_count=Count("car_models"))

    @admin.display(description=_("models"), ordering="model_count")
    def model_count(self, obj: "WithAnnotations[Brand, _ModelCount]") -> int:
        return obj.model_count


class PaintInline(admin.TabularInline):
    model = Paint
    fields = ["name", "name_zh", "hex", "colour", "position"]
    readonly_fields = ["colour"]
    extra = 0

    @admin.display(description=_("swatch"))
    def colour(self, obj: Paint) -> str:
        return swatch(obj.hex) if obj.hex else ""


class CarPhotoInline(admin.TabularInline):
    model = CarPhoto
    fields = ["thumbnail", "image", "paint", "caption", "position", "size"]
    readonly_fields = ["thumbnail", "size"]
    extra = 0

    def get_formset(self, request: HttpRequest, obj: CarModel | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Offer only this model's paints; a new model has none yet.
        paint = formset.form.base_fields.get("paint")
        if isinstance(paint, ModelChoiceField):
            paint.queryset = obj.paints.all() if obj is not None else Paint.objects.none()
        return formset

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: CarPhoto) -> str:
        return thumbnail(obj)

    @admin.display(description=_("size"))
    def size(self, obj: CarPhoto) -> str:
        # The smaller copies are made in the background after saving.
        if obj.pk is None or not obj.image:
            return ""
        if obj.renditions_of != obj.image.name:
            return str(_("being prepared"))
        return f"{obj.width} × {obj.height} px" if obj.width else str(_("unreadable"))


@admin.register(CarModel)
class CarModelAdmin(SelectRelatedAdmin):
    list_display = [
        "name",
        "brand",
        "model_year",
        "body_type",
        "powertrain",
        "msrp_cny",
        "is_listed",
        "fleet_count",
        "available_count",
    ]
    list_select_related = ["brand"]
    list_filter = ["is_listed", "brand", "body_type", "powertrain", "model_year"]
    search_fields = ["name", "name_zh", "slug", "brand__name", "brand__name_zh"]
    autocomplete_fields = ["brand"]
    prepopulated_fields = {"slug": ["name", "model_year"]}
    inlines = [PaintInline, CarPhotoInline]
    fieldsets = [
        (None, {"fields": ["brand", "name", "name_zh", "slug", "model_year", "is_listed"]}),
        (
            _("Specification"),
            {
                "fields": [
                    ("body_type", "powertrain", "seats"),
                    ("power_kw", "electric_range_km"),
                    ("energy_kwh_per_100km", "fuel_l_per_100km"),
                    "msrp_cny",
                ]
            },
        ),
        (
            _("Size and charging"),
            {
                "description": _(
                    "As the maker publishes them. Length, height and wheelbase also shape the drawing "
                    "shown until photos are uploaded. Charging only for cars with a plug."
                ),
                "fields": [
                    ("length_mm", "width_mm", "height_mm", "wheelbase_mm"),
                    "boot_litres",
                    ("charge_ac_kw", "charge_dc_kw", "charge_10_80_minutes"),
                ],
            },
        ),
        (_("Description"), {"fields": ["description", "description_zh"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CarModel]:
        qs = super().get_queryset(request).annotate(fleet_count=count_per_row(in_fleet(), "car_model"))
        return carmodel_annotate_availability(qs)

    @admin.display(description=_("vehicles"), ordering="fleet_count")
    def fleet_count(self, obj: "WithAnnotations[CarModel, _CarModelCounts]") -> int:
        return obj.fleet_count

    @admin.display(description=_("available now"), ordering="available_count")
    def available_count(self, obj: "WithAnnotations[CarModel, _CarModelCounts]") -> int:
        return obj.available_count


@admin.register(Paint)
class PaintAdmin(SelectRelatedAdmin):
    list_display = ["name", "colour", "car_model", "name_zh", "position", "fleet_count"]
    list_select_related = ["car_model__brand"]
    list_filter = ["car_model__brand"]
    search_fields = ["name", "name_zh", "car_model__name", "car_model__slug", "car_model__brand__name"]
    autocomplete_fields = ["car_model"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Paint]:
        return super().get_queryset(request).annotate(fleet_count=count_per_row(in_fleet(), "paint"))

    @admin.display(description=_("swatch"), ordering="hex")
    def colour(self, obj: Paint) -> str:
        return swatch(obj.hex, obj.hex)

    @admin.display(description=_("vehicles"), ordering="fleet_count")
    def fleet_count(self, obj: "WithAnnotations[Paint, _FleetCount]") -> int:
        return obj.fleet_count


@admin.register(CarPhoto)
class CarPhotoAdmin(admin.ModelAdmin):
    list_display = ["preview", "__str__", "car_model", "paint_name", "position", "uploaded_at"]
    list_display_links = ["preview", "__str__"]
    list_select_related = ["car_model__brand", "paint"]
    list_filter = ["car_model__brand"]
    search_fields = ["caption", "car_model__name", "car_model__brand__name", "paint__name"]
    autocomplete_fields = ["car_model", "paint"]
    fields = ["car_model", "paint", "image", "preview", "caption", "position"]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, obj: CarPhoto) -> str:
        return thumbnail(obj)

    @admin.display(description=_("paint"), ordering="paint__name")
    def paint_name(self, obj: CarPhoto) -> str:
        return obj.paint.name if obj.paint else "—"


# --- Stores and towers ----------------------------------------------------------------------


class StoreHoursInline(admin.TabularInline):
    model = StoreHours
    extra = 0
    max_num = 7


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "time_zone", "phone", "tower_count", "fleet_count", "available_count"]
    list_filter = ["city", "time_zone"]
    search_fields = ["name", "name_zh", "slug", "city", "city_zh", "address"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StoreHoursInline]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "slug", "phone", "time_zone"]}),
        (_("Address"), {"fields": [("city", "city_zh"), "address", "address_zh"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Store]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                tower_count=count_per_row(Tower.objects.all(), "store"),
                fleet_count=count_per_row(in_fleet(), "store"),
                available_count=count_per_row(vehicle_list_available(), "store"),
            )
        )

    @admin.display(description=_("towers"), ordering="tower_count")
    def tower_count(self, obj: "WithAnnotations[Store, _StoreCounts]") -> int:
        return obj.tower_count

    @admin.display(description=_("vehicles"), ordering="fleet_count")
    def fleet_count(self, obj: "WithAnnotations[Store, _StoreCounts]") -> int:
        return obj.fleet_count

    @admin.display(description=_("available now"), ordering="available_count")
    def available_count(self, obj: "WithAnnotations[Store, _StoreCounts]") -> int:
        return obj.available_count


@admin.register(StoreHours)
class StoreHoursAdmin(admin.ModelAdmin):
    list_display = ["store", "weekday", "opens", "closes"]
    list_select_related = ["store"]
    list_filter = ["weekday", "store"]
    search_fields = ["store__name", "store__slug"]
    autocomplete_fields = ["store"]


@admin.register(Tower)
class TowerAdmin(SelectRelatedAdmin):
    list_display = [
        "code",
        "name",
        "store",
        "levels",
        "bays_per_level",
        "delivery_bays",
        "lifts",
        "occupancy",
        "out_of_service_count",
        "bay_map_link",
    ]
    list_select_related = ["store"]
    list_filter = ["store"]
    search_fields = ["code", "name", "store__name", "store__slug"]
    autocomplete_fields = ["store"]
    fields = ["store", "code", "name", ("levels", "bays_per_level"), ("lifts", "delivery_bays")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tower]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                occupied_count=count_per_row(Vehicle.objects.filter(bay__isnull=False), "bay__tower"),
                out_of_service_count=count_per_row(Bay.objects.filter(is_enabled=False), "tower"),
            )
        )

    def get_urls(self) -> list[URLPattern]:
        bay_map = path(
            "<path:object_id>/bay-map/",
            self.admin_site.admin_view(self.bay_map_view),
            name="fleet_tower_bay_map",
        )
        return [bay_map, *super().get_urls()]

    def save_model(self, request: HttpRequest, obj: Tower, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        created = tower_ensure_bays(tower=obj)
        if created:
            self.message_user(
                request,
                ngettext("Created %(n)d bay.", "Created %(n)d bays.", created) % {"n": created},
                messages.INFO,
            )
        outside = bays_outside_shape(obj).count()
        if outside:
            self.message_user(
                request,
                ngettext(
                    "%(n)d bay lies outside the tower's new shape; it was kept. "
                    "Take it out of service or delete it in the bay list.",
                    "%(n)d bays lie outside the tower's new shape; they were kept. "
                    "Take them out of service or delete them in the bay list.",
                    outside,
                )
                % {"n": outside},
                messages.WARNING,
            )

    @admin.display(description=_("occupied"), ordering="occupied_count")
    def occupancy(self, obj: "WithAnnotations[Tower, _TowerCounts]") -> str:
        return f"{obj.occupied_count} / {obj.storage_capacity + obj.delivery_bays}"

    @admin.display(description=_("out of service"), ordering="out_of_service_count")
    def out_of_service_count(self, obj: "WithAnnotations[Tower, _TowerCounts]") -> int:
        return obj.out_of_service_count

    @admin.display(description=_("bay map"))
    def bay_map_link(self, obj: Tower) -> str:
        url = reverse("admin:fleet_tower_bay_map", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Bay map"))

    def bay_map_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        tower = self.get_object(request, unquote(object_id))
        if tower is None:
            # A private ModelAdmin helper (the change view's own "not found" answer), not in django-stubs.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_permission(request, tower):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": tower,
            "title": gettext("Bay map of %(tower)s") % {"tower": tower},
            "bay_map": tower_bay_map(tower=tower),
        }
        return TemplateResponse(request, "admin/fleet/tower/bay_map.html", context)


# --- Bays and vehicles ----------------------------------------------------------------------


class OccupiedFilter(admin.SimpleListFilter):
    title = _("occupied")
    parameter_name = "occupied"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [("yes", _("Holds a car")), ("no", _("Empty"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Bay]) -> QuerySet[Bay]:
        if self.value() in ("yes", "no"):
            return queryset.filter(vehicle__isnull=self.value() == "no")
        return queryset


@admin.register(Bay)
class BayAdmin(SelectRelatedAdmin):
    list_display = ["__str__", "tower", "kind", "level", "position", "is_enabled", "vehicle_link"]
    list_select_related = ["tower", "vehicle__car_model__brand"]
    list_filter = ["kind", "is_enabled", OccupiedFilter, "tower__store", "tower"]
    search_fields = ["tower__code", "tower__name", "vehicle__vin"]
    search_help_text = _("Tower code or name, VIN, or a bay code such as L03-B12 or D1.")
    autocomplete_fields = ["tower"]
    actions = ["take_out_of_service", "put_into_service"]
    ordering = ["tower__code", "kind", "level", "position"]

    def get_readonly_fields(self, request: HttpRequest, obj: Bay | None = None) -> list[str]:
        # A bay's place is the tower's shape; tower_ensure_bays creates it, staff only toggle it.
        return ["tower", "level", "position", "kind"] if obj else []

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Bay], search_term: str):
        if self._is_vehicle_bay_autocomplete(request):
            queryset = queryset.filter(vehicle__isnull=True, is_enabled=True)
        place = bay_place_from_code(search_term)
        if place is not None:
            return queryset.filter(**place), False
        return super().get_search_results(request, queryset, search_term)

    @staticmethod
    def _is_vehicle_bay_autocomplete(request: HttpRequest) -> bool:
        return (
            request.resolver_match is not None
            and request.resolver_match.url_name == "autocomplete"
            and request.GET.get("model_name") == "vehicle"
            and request.GET.get("field_name") == "bay"
        )

    @admin.display(description=_("vehicle"), ordering="vehicle__vin")
    def vehicle_link(self, obj: Bay) -> str:
        vehicle = getattr(obj, "vehicle", None)
        if vehicle is None:
            return "—"
        url = reverse("admin:fleet_vehicle_change", args=[vehicle.pk])
        return format_html('<a href="{}">{}</a> {}', url, vehicle.vin, vehicle.car_model)

    @admin.action(description=_("Take the selected bays out of service"), permissions=["change"])
    def take_out_of_service(self, request: HttpRequest, queryset: QuerySet[Bay]) -> None:
        n = queryset.update(is_enabled=False)
        self.message_user(
            request,
            ngettext("%(n)d bay taken out of service.", "%(n)d bays taken out of service.", n) % {"n": n},
        )

    @admin.action(description=_("Put the selected bays back into service"), permissions=["change"])
    def put_into_service(self, request: HttpRequest, queryset: QuerySet[Bay]) -> None:
        n = queryset.update(is_enabled=True)
        self.message_user(
            request, ngettext("%(n)d bay put into service.", "%(n)d bays put into service.", n) % {"n": n}
        )


def bay_place_from_code(term: str) -> dict[str, object] | None:
    """Lookups for a bay code typed into search ("L03-B12", "l3-b12", "D1"), else None."""
    code = term.strip().upper().replace(" ", "")
    tower_code, _sep, code = code.rpartition(":")
    place: dict[str, object] | None = None
    if code.startswith("D") and code[1:].isdigit():
        place = {"kind": BayKind.DELIVERY, "position": int(code[1:])}
    elif code.startswith("L") and "-B" in code:
        level, _b, position = code[1:].partition("-B")
        if level.isdigit() and position.isdigit():
            place = {"kind": BayKind.STORAGE, "level": int(level), "position": int(position)}
    if place is not None and tower_code:
        place["tower__code__iexact"] = tower_code
    return place


class VehiclePhotoInline(admin.TabularInline):
    """Photos of this very car (a scratch, the odometer): its buyer sees them before paying."""

    model = VehiclePhoto
    fields = ["thumbnail", "image", "caption", "position"]
    readonly_fields = ["thumbnail"]
    extra = 0

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: VehiclePhoto) -> str:
        return thumbnail(obj)


@admin.register(Vehicle)
class VehicleAdmin(SelectRelatedAdmin):
    form = VehicleAdminForm
    list_display = [
        "vin",
        "car_model",
        "paint_swatch",
        "store",
        "bay_code",
        "status",
        "odometer_km",
        "energy_level_pct",
        "updated_at",
    ]
    list_select_related = ["car_model__brand", "paint", "store", "bay__tower"]
    list_filter = ["status", "store", "car_model__brand", "bay__tower"]
    search_fields = ["vin", "car_model__name", "car_model__slug", "car_model__brand__name", "paint__name"]
    search_help_text = _("VIN (or part of it), model, brand or paint.")
    autocomplete_fields = ["car_model", "paint", "store", "bay"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VehiclePhotoInline]
    fieldsets = [
        (None, {"fields": ["vin", "car_model", "paint"]}),
        (_("Place"), {"fields": ["store", "status", "bay"]}),
        (_("Condition"), {"fields": ["odometer_km", "built_on", "energy_level_pct"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Vehicle], search_term: str
    ) -> tuple[QuerySet[Vehicle], bool]:
        """Every word must match the VIN (a trigram index on PostgreSQL), the model, its brand or
        the paint. Models and paints are looked up in their own tables first: an OR across the
        joins would read every car."""
        found = queryset
        for term in search_term.split():
            models = CarModel.objects.filter(
                Q(name__icontains=term) | Q(slug__icontains=term) | Q(brand__name__icontains=term)
            )
            paints = Paint.objects.filter(name__icontains=term)
            found = found.filter(
                Q(vin__icontains=term)
                | Q(car_model_id__in=models.values("pk"))
                | Q(paint_id__in=paints.values("pk"))
            )
        return found, False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="fleet_vehicle_import"),
            path(
                "import/template.csv", view(self.import_template_view), name="fleet_vehicle_import_template"
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("paint"), ordering="paint__name")
    def paint_swatch(self, obj: Vehicle) -> str:
        return swatch(obj.paint.hex, obj.paint.name)

    @admin.display(description=_("bay"), ordering="bay__tower__code")
    def bay_code(self, obj: Vehicle) -> str:
        return format_html('<span style="white-space:nowrap">{}</span>', obj.bay) if obj.bay else "—"

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = None
        form = (
            VehicleImportForm(request.POST, request.FILES)
            if request.method == "POST"
            else VehicleImportForm()
        )
        if form.is_bound and form.is_valid():
            result = vehicle_import_csv_bytes(data=form.cleaned_data["file"].read())
            if result.ok:
                return self._imported(request, result.vehicles)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import vehicles from CSV"),
            "form": form,
            "result": result,
            "columns": COLUMNS,
            "required_columns": REQUIRED_COLUMNS,
            "max_rows": MAX_ROWS,
            "statuses": VehicleStatus.choices,
        }
        return TemplateResponse(request, "admin/fleet/vehicle/import.html", context)

    def _imported(self, request: HttpRequest, vehicles: list[Vehicle]) -> HttpResponseRedirect:
        LogEntry.objects.log_actions(
            user_id=admin_user(request).pk,
            queryset=vehicles,
            action_flag=ADDITION,
            change_message=[{"added": {}}],
        )
        n = len(vehicles)
        self.message_user(
            request,
            ngettext("Imported %(n)d vehicle.", "Imported %(n)d vehicles.", n) % {"n": n},
            messages.SUCCESS,
        )
        return redirect("admin:fleet_vehicle_changelist")

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vehicles-template.csv"'
        csv.writer(response).writerows(example_csv_rows())
        return response
