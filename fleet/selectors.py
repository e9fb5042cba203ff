"""Read-side queries for the catalogue. Every list here runs a constant number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from fleet.models import CarModel, CarPhoto, Paint, Store, Vehicle, VehicleHold, VehicleStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class AvailableCount(TypedDict):
    """What carmodel_annotate_availability adds to each row."""

    available_count: int


# Cars that can be promised for a drive, now or later: not sold, not in the workshop. A car out on
# a drive is promisable for after its hold ends.
PROMISABLE_STATUSES = [VehicleStatus.STORED, VehicleStatus.AT_DELIVERY_BAY, VehicleStatus.ON_DRIVE]


def drive_hold_length() -> timedelta:
    """How long a booking keeps its car: its pickup window, the drive, and the turnaround after."""
    return (
        timedelta(minutes=settings.TESTDRIVE_SLOT_MINUTES)
        + timedelta(hours=settings.TEST_DRIVE_HOURS)
        + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    )


def vehicle_list_promisable() -> QuerySet[Vehicle]:
    """Cars that may be booked for some time: a promisable status; when standing in a bay, a bay
    in service (a car behind a jammed or closed bay cannot be handed over); when out on a drive,
    an open hold saying when it is due back (without one nobody knows when it will be)."""
    open_hold = VehicleHold.objects.filter(vehicle=OuterRef("pk"), released_at__isnull=True)
    return (
        Vehicle.objects.filter(status__in=PROMISABLE_STATUSES)
        .exclude(bay__isnull=False, bay__is_enabled=False)
        .exclude(Q(status=VehicleStatus.ON_DRIVE) & ~Exists(open_hold))
    )


def vehicle_list_available(*, store: Store | None = None, at: datetime | None = None) -> QuerySet[Vehicle]:
    """Cars a customer could book for a drive starting at ``at`` (default now): promisable, and
    with no hold overlapping the whole drive, [at, at + drive_hold_length()). The one definition
    of "available" for the catalogue cards, the model page and the booking page; callers must not
    re-derive it. A car back from a drive but booked again tomorrow is not available for a 72-hour
    drive today, and the page must not say it is.
    """
    starts_at = at or timezone.now()
    ends_at = starts_at + drive_hold_length()
    held = VehicleHold.objects.filter(
        vehicle=OuterRef("pk"), released_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    qs = vehicle_list_promisable().exclude(Exists(held))
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
    queryset: QuerySet[CarModel], *, store: Store | None = None, at: datetime | None = None
) -> "QuerySet[WithAnnotations[CarModel, AvailableCount]]":
    """Add ``available_count``: vehicle_list_available's cars (in ``store`` if given)."""
    return queryset.annotate(
        available_count=count_per_row(vehicle_list_available(store=store, at=at), "car_model")
    )


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
    # When none is available: the earliest a drive could start, if a car frees up within the
    # booking horizon (a car out on a drive, or booked); None when none will.
    next_free_at: datetime | None = None


@dataclass(frozen=True)
class StoreAvailability:
    store: Store
    paints: list[PaintAvailability]

    @property
    def available(self) -> int:
        return sum(row.available for row in self.paints)

    @property
    def next_free_at(self) -> datetime | None:
        """When nothing is available here now: the earliest any paint frees up."""
        if self.available:
            return None
        return min((row.next_free_at for row in self.paints if row.next_free_at), default=None)


def availability_by_store_paint(
    *, car_model_ids: Iterable[int], at: datetime | None = None
) -> dict[int, list[StoreAvailability]]:
    """Per model: every store (by name) with every paint of the model, how many cars are
    available for a drive starting at ``at`` (vehicle_list_available's rule: the same numbers the
    cards show) and, where none is, when the first one frees up.

    Three queries whatever the number of models, stores and cars: paints, stores, and the
    promisable cars with their holds. A model without paints maps to an empty list.
    """
    ids = list(car_model_ids)
    paints: dict[int, list[Paint]] = {pk: [] for pk in ids}
    for paint in Paint.objects.filter(car_model_id__in=ids).order_by("position", "name"):
        paints[paint.car_model_id].append(paint)
    return _availability(paints, at=at)


def _availability(
    paints: dict[int, list[Paint]], *, at: datetime | None
) -> dict[int, list[StoreAvailability]]:
    starts_at = at or timezone.now()
    ids = list(paints)
    stores = list(Store.objects.order_by("name"))
    free_from = _vehicle_free_from(car_model_ids=ids, at=starts_at)
    horizon = starts_at + timedelta(days=settings.TESTDRIVE_BOOK_AHEAD_DAYS)
    result: dict[int, list[StoreAvailability]] = {}
    for model_id in ids:
        if not paints[model_id]:
            result[model_id] = []
            continue
        result[model_id] = [
            StoreAvailability(
                store=store,
                paints=[
                    _paint_row(paint, free_from.get((model_id, store.pk, paint.pk), []), starts_at, horizon)
                    for paint in paints[model_id]
                ],
            )
            for store in stores
        ]
    return result


def _paint_row(paint: Paint, free_from: list[datetime], at: datetime, horizon: datetime) -> PaintAvailability:
    available = sum(1 for t in free_from if t <= at)
    later = [t for t in free_from if at < t <= horizon]
    return PaintAvailability(paint, available, None if available or not later else min(later))


def _vehicle_free_from(
    *, car_model_ids: list[int], at: datetime
) -> dict[tuple[int, int, int], list[datetime]]:
    """(model, store, paint) -> for each promisable car, the earliest start >= ``at`` of a whole
    drive that overlaps none of its holds. One query (cars joined to their open holds)."""
    rows = (
        vehicle_list_promisable()
        .filter(car_model_id__in=car_model_ids)
        .annotate(
            hold_start=F("holds__starts_at"),
            hold_end=F("holds__ends_at"),
            hold_released=F("holds__released_at"),
        )
        .order_by("pk", "hold_start")
        .values_list("pk", "car_model_id", "store_id", "paint_id", "hold_start", "hold_end", "hold_released")
    )
    holds: dict[int, list[tuple[datetime, datetime]]] = {}
    keys: dict[int, tuple[int, int, int]] = {}
    for pk, model_id, store_id, paint_id, start, end, released in rows:
        keys[pk] = (model_id, store_id, paint_id)
        holds.setdefault(pk, [])
        if start is not None and released is None and end > at:
            holds[pk].append((start, end))
    length = drive_hold_length()
    found: dict[tuple[int, int, int], list[datetime]] = {}
    for pk, key in keys.items():
        found.setdefault(key, []).append(_first_gap(holds[pk], at, length))
    return found


def _first_gap(holds: list[tuple[datetime, datetime]], at: datetime, length: timedelta) -> datetime:
    """The earliest t >= at with [t, t + length) clear of every hold (holds sorted by start)."""
    t = at
    for start, end in holds:
        if start >= t + length:
            break
        t = max(t, end)
    return t


def carmodel_availability_many(
    car_models: list[CarModel], *, at: datetime | None = None
) -> dict[int, list[StoreAvailability]]:
    """availability_by_store_paint for models whose paints are prefetched: two queries."""
    return _availability({m.pk: list(m.paints.all()) for m in car_models}, at=at)


def carmodel_availability(car_model: CarModel, *, at: datetime | None = None) -> list[StoreAvailability]:
    """availability_by_store_paint for one model whose paints are prefetched (carmodel_get_for_page):
    two queries, stores and cars."""
    return _availability({car_model.pk: list(car_model.paints.all())}, at=at)[car_model.pk]
