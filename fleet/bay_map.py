"""The tower's bay map for staff: every bay by level, with the car in it, in one query.

A read model for the admin's map page (fleet/templates/admin/fleet/tower/bay_map.html).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fleet.models import Bay, BayKind, Tower, VehicleStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def bays_outside_shape(tower: Tower) -> QuerySet[Bay]:
    storage_outside = Q(kind=BayKind.STORAGE) & (
        Q(level__gt=tower.levels) | Q(position__gt=tower.bays_per_level)
    )
    delivery_outside = Q(kind=BayKind.DELIVERY, position__gt=tower.delivery_bays)
    return tower.bays.filter(storage_outside | delivery_outside)


BAY_STATES = [
    ("empty", _("Empty")),
    ("stored", _("Car stored")),
    ("at_delivery", _("Car at the delivery bay")),
    ("out_of_service", _("Bay out of service")),
]


@dataclass(frozen=True)
class BayCell:
    code: str
    state: str
    vin: str = ""
    vehicle_url: str = ""
    model_name: str = ""
    paint_name: str = ""
    paint_hex: str = ""


@dataclass(frozen=True)
class BayRow:
    level: int  # 0: the ground, where the delivery bays are
    cells: list[BayCell | None]  # None: no bay at that position


@dataclass(frozen=True)
class BayMap:
    positions: list[int]  # the column headings
    rows: list[BayRow]  # top level first, the ground last
    legend: list[tuple[str, "StrOrPromise", int]]  # state, label, number of bays

    @property
    def total(self) -> int:
        return sum(count for _state, _label, count in self.legend)


BAY_MAP_FIELDS = [
    "kind",
    "level",
    "position",
    "is_enabled",
    "vehicle__pk",
    "vehicle__vin",
    "vehicle__status",
    "vehicle__car_model__name",
    "vehicle__car_model__brand__name",
    "vehicle__paint__name",
    "vehicle__paint__hex",
]


def tower_bay_map(*, tower: Tower) -> BayMap:
    """Every bay of ``tower`` with the vehicle in it, laid out by level: one query, any size.

    Plain values rather than model instances: the largest tower has 2,400 bays and as many cars.
    Bays left over from a larger shape are shown too, so no car is hidden from staff.
    """
    # One reverse() for the whole map; each cell fills in its vehicle's primary key.
    url_pattern = reverse("admin:fleet_vehicle_change", args=[0]).replace("/0/", "/{}/")
    cells = [_cell(row, url_pattern) for row in tower.bays.values(*BAY_MAP_FIELDS)]
    storage = {(level, position): cell for kind, level, position, cell in cells if kind == BayKind.STORAGE}
    top = max([tower.levels, *(level for level, _p in storage)])
    positions = list(range(1, max([tower.bays_per_level, *(p for _l, p in storage)]) + 1))
    rows = [BayRow(level, [storage.get((level, p)) for p in positions]) for level in range(top, 0, -1)]
    delivery = sorted((position, cell) for kind, _l, position, cell in cells if kind == BayKind.DELIVERY)
    rows.append(BayRow(0, [cell for _position, cell in delivery]))
    counts = dict.fromkeys((state for state, _label in BAY_STATES), 0)
    for *_place, cell in cells:
        counts[cell.state] += 1
    legend: list[tuple[str, StrOrPromise, int]] = [
        (state, label, counts[state]) for state, label in BAY_STATES
    ]
    return BayMap(positions=positions, rows=rows, legend=legend)


def _cell(row: dict, url_pattern: str) -> tuple[str, int, int, BayCell]:
    """(kind, level, position, cell) for one row of BAY_MAP_FIELDS values."""
    code = Bay(kind=row["kind"], level=row["level"], position=row["position"]).code
    car: dict[str, str] = {}
    if row["vehicle__pk"] is not None:
        car = {
            "vin": row["vehicle__vin"],
            "vehicle_url": url_pattern.format(row["vehicle__pk"]),
            "model_name": f"{row['vehicle__car_model__brand__name']} {row['vehicle__car_model__name']}",
            "paint_name": row["vehicle__paint__name"],
            "paint_hex": row["vehicle__paint__hex"],
        }
    return row["kind"], row["level"], row["position"], BayCell(code=code, state=_bay_state(row), **car)


def _bay_state(row: dict) -> str:
    if not row["is_enabled"]:
        return "out_of_service"
    if row["vehicle__pk"] is None:
        return "empty"
    return "at_delivery" if row["vehicle__status"] == VehicleStatus.AT_DELIVERY_BAY else "stored"
