"""Read-side queries for the catalogue. Every list here runs a constant number of queries."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from fleet.models import CarModel, CarPhoto, Paint, Store, Vehicle, VehicleHold, VehicleStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class AvailableCount(TypedDict):
    """What carmodel_annotate_availability adds to each row."""

    available_count: int


def vehicle_list_available(*, store: Store | None = None) -> QuerySet[Vehicle]:
    """Vehicles a customer could take out now: in storage, in a bay that is in service, and not
    held for a test drive at this moment. Callers must not re-derive it.
    """
    now = timezone.now()
    held = VehicleHold.objects.filter(
        vehicle=OuterRef("pk"), released_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    )
    qs = Vehicle.objects.filter(status=VehicleStatus.STORED, bay__isnull=False, bay__is_enabled=True).exclude(
        Exists(held)
    )
    if store is not None:
        qs = qs.filter(store=store)
    return qs


def count_per_row(queryset: QuerySet, link: str) -> Coalesce:
    """An annotation counting the rows of ``queryset`` whose ``link`` points at the outer row.

    A subquery per count, not a join: two Count() joins in one query multiply each other.
    """
    counts = (
        queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def carmodel_annotate_availability(
    queryset: QuerySet[CarModel], *, store: Store | None = None
) -> "QuerySet[WithAnnotations[CarModel, AvailableCount]]":
    """Add ``available_count`` (vehicles available now, in ``store`` if given)."""
    return queryset.annotate(available_count=count_per_row(vehicle_list_available(store=store), "car_model"))


def carmodel_list_catalogue() -> QuerySet[CarModel]:
    """Listed models with brand, paints and photos loaded: a fixed number of queries."""
    return (
        CarModel.objects.filter(is_listed=True)
        .select_related("brand")
        .prefetch_related(
            Prefetch("paints", queryset=Paint.objects.order_by("position", "name")),
            Prefetch("photos", queryset=CarPhoto.objects.order_by("position", "id")),
        )
    )


def carmodel_filter_stocked_in(queryset: QuerySet[CarModel], *, store: Store) -> QuerySet[CarModel]:
    """Models with at least one unsold vehicle at ``store`` (in the tower or out on a drive)."""
    stocked = Vehicle.objects.filter(car_model=OuterRef("pk"), store=store).exclude(status=VehicleStatus.SOLD)
    return queryset.filter(Exists(stocked))


def carmodel_get_for_page(*, slug: str) -> CarModel:
    """One listed model with everything its page shows; raises CarModel.DoesNotExist."""
    return carmodel_list_catalogue().get(slug=slug)


@dataclass(frozen=True)
class PaintAvailability:
    paint: Paint
    available: int


@dataclass(frozen=True)
class StoreAvailability:
    store: Store
    paints: list[PaintAvailability]

    @property
    def available(self) -> int:
        return sum(row.available for row in self.paints)


def carmodel_availability(car_model: CarModel) -> list[StoreAvailability]:
    """Vehicles of the model available now, per store (by name) and paint, zero counts included.

    Empty when the model has no paints. Two queries whatever the catalogue size: the counts,
    and the stores.
    """
    paints = list(car_model.paints.all())  # prefetched by carmodel_get_for_page
    if not paints:
        return []
    counts = {
        (row["store_id"], row["paint_id"]): row["n"]
        for row in vehicle_list_available()
        .filter(car_model=car_model)
        .order_by()
        .values("store_id", "paint_id")
        .annotate(n=Count("pk"))
    }
    return [
        StoreAvailability(
            store=store,
            paints=[PaintAvailability(paint, counts.get((store.pk, paint.pk), 0)) for paint in paints],
        )
        for store in Store.objects.order_by("name")
    ]
