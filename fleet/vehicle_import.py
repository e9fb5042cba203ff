"""Bulk vehicle import from CSV: every row is checked first, then all rows are saved or none.

Columns (header names are case-insensitive, in any order):

    vin, model (car model slug), paint (English paint name), store (slug), tower (code),
    level, position (the bay: level 0 holds the delivery bays), odometer_km,
    energy_level_pct, status (optional; default ``stored``)

Row numbers in errors count the header as row 1, the way a spreadsheet numbers them.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fleet.models import (
    BAY_KIND_FOR_STATUS,
    IN_A_BAY,
    Bay,
    BayKind,
    CarModel,
    Paint,
    Store,
    Tower,
    Vehicle,
    VehicleStatus,
)
from fleet.signals import vehicles_changed_send
from fleet.vin import validate_vin, vin_normalize, vin_with_check_digit

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_ODOMETER_KM = 2_000_000
REQUIRED_COLUMNS = (
    "vin",
    "model",
    "paint",
    "store",
    "tower",
    "level",
    "position",
    "odometer_km",
    "energy_level_pct",
)
COLUMNS = (*REQUIRED_COLUMNS, "status")
BAY_COLUMNS = ("tower", "level", "position")
# VINs per lookup query, so a 5,000-row file stays under databases' limits on query parameters.
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` and ``column`` are None when it concerns the whole file."""

    row: int | None
    column: str | None
    message: str


@dataclass
class ImportResult:
    vehicles: list[Vehicle] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return len(self.vehicles)


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]
    extra_cells: int  # non-blank cells beyond the header's columns


class _FileProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def vehicle_import_csv_bytes(*, data: bytes) -> ImportResult:
    """Decode an uploaded file (UTF-8, with or without a byte order mark) and import it."""
    if len(data) > MAX_BYTES:
        return _file_error(
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _file_error(
            _(
                "The file is not UTF-8 text (the first bad byte is on line %(line)d). "
                "Save it as “CSV UTF-8” and upload it again."
            )
            % {"line": line}
        )
    return vehicle_import_csv(file=io.StringIO(text, newline=""))


def vehicle_import_csv(*, file: TextIO) -> ImportResult:
    """Check every row of ``file`` and create its vehicles in one transaction.

    Returns the created vehicles, or every error found and nothing created. Never raises for
    bad input: file-level problems come back as errors with no row.
    """
    try:
        rows = list(_read_rows(file))
    except _FileProblem as problem:
        return _file_error(problem.message)
    if not rows:
        return _file_error(_("The file has a header but no vehicle rows."))

    lookups = _Lookups.load(rows)
    checker = _RowChecker(lookups)
    vehicles = [checker.check(row) for row in rows]
    if checker.errors:
        return ImportResult(errors=sorted(checker.errors, key=_reading_order))
    try:
        with transaction.atomic():
            Vehicle.objects.bulk_create(vehicles)
            # bulk_create sends no post_save: say so once for all the new cars.
            vehicles_changed_send(vehicle_ids=[v.pk for v in vehicles])
    except IntegrityError:
        # The checks above ran outside the transaction; the database constraints are what
        # make a VIN or a bay unique when someone else saves at the same moment.
        return _file_error(
            _(
                "Another change took one of these VINs or bays while the file was imported. "
                "Nothing was imported; upload the file again to see which rows conflict."
            )
        )
    return ImportResult(vehicles=vehicles)


def example_csv_rows() -> list[list[str]]:
    """The header and two illustrative rows (placeholders for the slugs), for the template."""
    place = ["model-slug", "Pearl White", "store-slug", "tower-code"]
    return [
        list(COLUMNS),
        [vin_with_check_digit("LSGEXAMPL0S100001"), *place, "1", "1", "12", "95", ""],
        [
            vin_with_check_digit("LSGEXAMPL0S100002"),
            *place,
            "0",
            "1",
            "8",
            "100",
            VehicleStatus.AT_DELIVERY_BAY,
        ],
    ]


def _reading_order(error: RowError) -> tuple[int, int]:
    """Row by row, and within a row in the order of the columns; row-wide errors first."""
    column = COLUMNS.index(error.column) if error.column in COLUMNS else -1
    return (error.row or 0, column)


def _file_error(message: str) -> ImportResult:
    return ImportResult(errors=[RowError(row=None, column=None, message=message)])


def _read_rows(file: TextIO) -> Iterator[_Row]:
    """Yield every non-blank row after the header; raises _FileProblem for the whole file."""
    reader = csv.reader(file)
    row_number = 0
    try:
        header = next(reader, None)
        if header is None:
            raise _FileProblem(_("The file is empty."))
        columns = _check_header(header)
        count = 0
        for row_number, fields in enumerate(reader, start=2):
            if not any(value.strip() for value in fields):
                continue
            count += 1
            if count > MAX_ROWS:
                raise _FileProblem(
                    _("The file has more than %(max)d vehicle rows; split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
            yield _Row(
                number=row_number,
                cells=_cells(columns, fields),
                extra_cells=sum(1 for value in fields[len(columns) :] if value.strip()),
            )
    except UnicodeDecodeError as exc:
        raise _FileProblem(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from exc
    except csv.Error as exc:
        raise _FileProblem(
            _("Row %(row)d is not valid CSV: %(error)s") % {"row": row_number + 1, "error": exc}
        ) from exc


def _check_header(header: list[str]) -> list[str]:
    columns = [name.lstrip("\ufeff").strip().lower() for name in header]
    expected = ", ".join(COLUMNS)
    if not any(columns):
        raise _FileProblem(_("The first row must name the columns: %(expected)s.") % {"expected": expected})
    problems = []
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        problems.append(_("Columns named more than once: %(names)s.") % {"names": ", ".join(repeated)})
    unknown = [name or _("(blank)") for name in columns if name not in COLUMNS]
    if unknown:
        problems.append(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if problems:
        problems.append(_("The header must name these columns: %(expected)s.") % {"expected": expected})
        raise _FileProblem(" ".join(problems))
    return columns


def _cells(columns: list[str], fields: list[str]) -> dict[str, str]:
    cells = dict.fromkeys(COLUMNS, "")
    cells.update((name, value.strip()) for name, value in zip(columns, fields, strict=False))
    return cells


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _LOOKUP_CHUNK):
        yield values[start : start + _LOOKUP_CHUNK]


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded in a fixed number of queries whatever the file size."""

    models: dict[str, CarModel]
    paints: dict[tuple[int, str], Paint]
    paint_names: dict[int, list[str]]
    stores: dict[str, Store]
    towers: dict[str, Tower]
    bays: dict[tuple[int, int, int], Bay]
    vin_in_bay: dict[int, str]
    existing_vins: set[str]

    @classmethod
    def load(cls, rows: list[_Row]) -> "_Lookups":
        def column(name: str) -> list[str]:
            return sorted({row.cells[name] for row in rows if row.cells[name]})

        models = {
            m.slug: m for m in CarModel.objects.filter(slug__in=column("model")).select_related("brand")
        }
        paints = list(Paint.objects.filter(car_model__in=models.values()).order_by("position", "name"))
        paint_names: dict[int, list[str]] = {}
        for paint in paints:
            paint_names.setdefault(paint.car_model_id, []).append(paint.name)
        towers = {t.code: t for t in Tower.objects.filter(code__in=column("tower")).select_related("store")}
        bays = list(Bay.objects.filter(tower__in=towers.values()))
        vins = [vin_normalize(vin) for vin in column("vin")]
        return cls(
            models=models,
            paints={(p.car_model_id, p.name.casefold()): p for p in paints},
            paint_names=paint_names,
            stores={s.slug: s for s in Store.objects.filter(slug__in=column("store"))},
            towers=towers,
            bays={(b.tower_id, b.level, b.position): b for b in bays},
            vin_in_bay=dict(
                Vehicle.objects.filter(bay__tower__in=towers.values()).values_list("bay_id", "vin")
            ),
            existing_vins={
                vin
                for chunk in _chunks(vins)
                for vin in Vehicle.objects.filter(vin__in=chunk).values_list("vin", flat=True)
            },
        )


class _RowChecker:
    """Checks rows one after another, remembering the VINs and bays earlier rows claimed."""

    def __init__(self, lookups: _Lookups) -> None:
        self.lookups = lookups
        self.errors: list[RowError] = []
        self.vin_rows: dict[str, int] = {}
        self.bay_rows: dict[int, int] = {}
        self.row = 0

    def check(self, row: _Row) -> Vehicle:
        """Build the row's unsaved Vehicle; problems are added to ``self.errors``."""
        self.row = row.number
        cells = row.cells
        if row.extra_cells:
            self.errors.append(
                RowError(
                    row=row.number,
                    column=None,
                    message=ngettext(
                        "This row has %(n)d more cell than the header has columns.",
                        "This row has %(n)d more cells than the header has columns.",
                        row.extra_cells,
                    )
                    % {"n": row.extra_cells},
                )
            )
        vehicle = Vehicle(
            vin=self._vin(cells["vin"]),
            odometer_km=self._number(cells, "odometer_km", 0, MAX_ODOMETER_KM),
            energy_level_pct=self._number(cells, "energy_level_pct", 0, 100),
            status=self._status(cells["status"]),
        )
        car_model = self._car_model(cells["model"])
        if car_model is not None:
            vehicle.car_model = car_model
            paint = self._paint(car_model, cells["paint"])
            if paint is not None:  # else the row has an error and is never saved
                vehicle.paint = paint
        store = self._store(cells["store"])
        if store is not None:
            vehicle.store = store
            if vehicle.status:
                vehicle.bay = self._bay(store, vehicle.status, cells)
        return vehicle

    def _error(self, column: str, message: str) -> None:
        self.errors.append(RowError(row=self.row, column=column, message=message))

    def _required(self, column: str, value: str) -> bool:
        if not value:
            self._error(column, _("This column is required."))
        return bool(value)

    def _vin(self, raw: str) -> str:
        if not self._required("vin", raw):
            return ""
        vin = vin_normalize(raw)
        try:
            validate_vin(vin)
        except ValidationError as exc:
            for message in exc.messages:
                self._error("vin", message)
            return vin
        if vin in self.lookups.existing_vins:
            self._error("vin", _("A vehicle with VIN %(vin)s already exists.") % {"vin": vin})
        elif vin in self.vin_rows:
            self._error(
                "vin", _("VIN %(vin)s is also on row %(row)d.") % {"vin": vin, "row": self.vin_rows[vin]}
            )
        else:
            self.vin_rows[vin] = self.row
        return vin

    def _number(self, cells: dict[str, str], column: str, low: int, high: int) -> int:
        raw = cells[column]
        if not self._required(column, raw):
            return low
        try:
            value = int(raw)
        except ValueError:
            self._error(column, _("“%(value)s” is not a whole number.") % {"value": raw})
            return low
        if not low <= value <= high:
            self._error(
                column,
                _("%(value)d is out of range: use %(low)d to %(high)d.")
                % {"value": value, "low": low, "high": high},
            )
        return value

    def _status(self, raw: str) -> str:
        status = raw.lower() or VehicleStatus.STORED
        if status not in VehicleStatus.values:
            self._error(
                "status",
                _("Unknown status “%(value)s”; use one of: %(choices)s.")
                % {"value": raw, "choices": ", ".join(VehicleStatus.values)},
            )
            return ""
        return status

    def _car_model(self, slug: str) -> CarModel | None:
        if not self._required("model", slug):
            return None
        car_model = self.lookups.models.get(slug)
        if car_model is None:
            self._error("model", _("No car model has the slug “%(slug)s”.") % {"slug": slug})
        return car_model

    def _paint(self, car_model: CarModel, name: str) -> Paint | None:
        if not self._required("paint", name):
            return None
        paint = self.lookups.paints.get((car_model.pk, name.casefold()))
        if paint is None:
            offered = ", ".join(self.lookups.paint_names.get(car_model.pk, [])) or _("none")
            self._error(
                "paint",
                _("%(model)s has no paint “%(name)s”; its paints are: %(offered)s.")
                % {"model": car_model, "name": name, "offered": offered},
            )
        return paint

    def _store(self, slug: str) -> Store | None:
        if not self._required("store", slug):
            return None
        store = self.lookups.stores.get(slug)
        if store is None:
            self._error("store", _("No store has the slug “%(slug)s”.") % {"slug": slug})
        return store

    def _bay(self, store: Store, status: str, cells: dict[str, str]) -> Bay | None:
        if status not in IN_A_BAY:
            for column in BAY_COLUMNS:
                if cells[column]:
                    self._error(
                        column,
                        _(
                            "A vehicle with status “%(status)s” is not in a bay; leave tower, level and position empty."
                        )
                        % {"status": status},
                    )
            return None
        tower = self._tower(store, cells["tower"])
        level = self._place_number(cells, "level")
        position = self._place_number(cells, "position")
        if tower is None or level is None or position is None:
            return None
        bay = self.lookups.bays.get((tower.pk, level, position))
        if bay is None:
            self._error(
                "position",
                _("Tower %(tower)s has no bay at level %(level)d, position %(position)d.")
                % {"tower": tower.code, "level": level, "position": position},
            )
            return None
        return bay if self._bay_usable(bay, tower, status) else None

    def _tower(self, store: Store, code: str) -> Tower | None:
        if not self._required("tower", code):
            return None
        tower = self.lookups.towers.get(code)
        if tower is None:
            self._error("tower", _("No tower has the code “%(code)s”.") % {"code": code})
        elif tower.store_id != store.pk:
            self._error(
                "tower",
                _("Tower %(tower)s belongs to store %(owner)s, not %(store)s.")
                % {"tower": code, "owner": tower.store.slug, "store": store.slug},
            )
            return None
        return tower

    def _place_number(self, cells: dict[str, str], column: str) -> int | None:
        if not cells[column]:
            self._error(column, _("This column is required for a vehicle in a bay."))
            return None
        try:
            return int(cells[column])
        except ValueError:
            self._error(column, _("“%(value)s” is not a whole number.") % {"value": cells[column]})
            return None

    def _bay_usable(self, bay: Bay, tower: Tower, status: str) -> bool:
        name = f"{tower.code}:{bay.code}"
        problems = []
        if not bay.is_enabled:
            problems.append(_("Bay %(bay)s is out of service.") % {"bay": name})
        if bay.kind != BAY_KIND_FOR_STATUS[status]:
            problems.append(
                _("Bay %(bay)s is a %(kind)s bay; a vehicle with status “%(status)s” needs a %(needed)s bay.")
                % {
                    "bay": name,
                    "kind": bay.get_kind_display().lower(),
                    "status": status,
                    "needed": BayKind(BAY_KIND_FOR_STATUS[status]).label.lower(),
                }
            )
        if bay.pk in self.lookups.vin_in_bay:
            problems.append(
                _("Bay %(bay)s already holds vehicle %(vin)s.")
                % {"bay": name, "vin": self.lookups.vin_in_bay[bay.pk]}
            )
        elif bay.pk in self.bay_rows:
            problems.append(
                _("Bay %(bay)s is already taken by row %(row)d.")
                % {"bay": name, "row": self.bay_rows[bay.pk]}
            )
        else:
            self.bay_rows[bay.pk] = self.row
        for message in problems:
            self._error("position", message)
        return not problems
