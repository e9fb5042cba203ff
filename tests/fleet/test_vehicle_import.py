import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fleet import vehicle_import
from fleet.models import Bay, Vehicle, VehicleStatus
from fleet.vehicle_import import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    RowError,
    example_csv_rows,
    vehicle_import_csv,
    vehicle_import_csv_bytes,
)
from tests.factories import (
    CarModelFactory,
    PaintFactory,
    StoreFactory,
    TowerFactory,
    VehicleFactory,
    make_vin,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    """A store with a 3 × 4 tower (2 delivery bays) and a model offered in two paints."""
    store = StoreFactory(slug="pudong")
    tower = TowerFactory(store=store, code="north")
    car_model = CarModelFactory(slug="seal-2026")
    PaintFactory(car_model=car_model, name="Pearl White")
    PaintFactory(car_model=car_model, name="Midnight Blue")
    return {"store": store, "tower": tower, "car_model": car_model}


def row(**overrides: object) -> dict[str, str]:
    values = {
        "vin": make_vin(),
        "model": "seal-2026",
        "paint": "Pearl White",
        "store": "pudong",
        "tower": "north",
        "level": "1",
        "position": "1",
        "odometer_km": "12",
        "energy_level_pct": "95",
        "status": "",
    }
    values.update({key: str(value) for key, value in overrides.items()})
    return values


def csv_text(*rows: dict[str, str], header: list[str] | tuple[str, ...] = COLUMNS) -> str:
    """A CSV file with ``header``; each row's cells are looked up by the header's cleaned names."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column.strip().lower(), "") for column in header])
    return out.getvalue()


def run(text: str):
    return vehicle_import_csv(file=io.StringIO(text, newline=""))


def only_error(result) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def test_it_imports_every_row_of_a_good_file(place) -> None:
    rows = [
        row(level=1, position=1),
        row(level=3, position=4, paint="midnight blue", odometer_km=0, energy_level_pct=100),
        row(level=0, position=2, status="at_delivery_bay"),
        row(status="maintenance", tower="", level="", position=""),
    ]

    result = run(csv_text(*rows))

    assert result.ok, result.errors
    assert result.created == 4
    by_vin = {v.vin: v for v in Vehicle.objects.select_related("bay", "paint")}
    assert set(by_vin) == {r["vin"] for r in rows}
    top = by_vin[rows[1]["vin"]]
    assert (top.bay.level, top.bay.position, top.paint.name) == (3, 4, "Midnight Blue")
    assert by_vin[rows[0]["vin"]].status == VehicleStatus.STORED
    assert by_vin[rows[2]["vin"]].bay.code == "D2"
    assert by_vin[rows[3]["vin"]].bay is None


def test_it_accepts_any_column_order_and_case_a_byte_order_mark_and_windows_line_ends(place) -> None:
    header = [
        "Position",
        " LEVEL",
        "tower",
        "store",
        "paint",
        "model",
        "vin",
        "energy_level_pct",
        "odometer_km",
    ]
    text = csv_text(row(), header=header).replace("\n", "\r\n")
    data = "\ufeff".encode() + text.encode()

    result = vehicle_import_csv_bytes(data=data)

    assert result.ok, result.errors
    assert Vehicle.objects.get().status == VehicleStatus.STORED


def test_it_normalises_vins_to_upper_case(place) -> None:
    vin = make_vin()

    result = run(csv_text(row(vin=f" {vin.lower()} ")))

    assert result.ok, result.errors
    assert Vehicle.objects.get().vin == vin


BAD_CELLS = [
    ({"vin": "LVSAB12C0S1"}, "vin", "17 characters"),
    ({"vin": "LVSAB12C0S100000I"}, "vin", "found I"),
    ({"vin": "1M8GDM9A1KP042788"}, "vin", "check digit"),
    ({"vin": ""}, "vin", "required"),
    ({"model": "no-such-model"}, "model", "no-such-model"),
    ({"paint": "Lava Red"}, "paint", "its paints are: Midnight Blue, Pearl White."),
    ({"store": "nowhere"}, "store", "nowhere"),
    ({"tower": "south"}, "tower", "south"),
    ({"level": "9"}, "position", "no bay at level 9"),
    ({"level": "two"}, "level", "whole number"),
    ({"position": ""}, "position", "required"),
    ({"odometer_km": "-5"}, "odometer_km", "out of range"),
    ({"odometer_km": "12.5"}, "odometer_km", "whole number"),
    ({"energy_level_pct": "101"}, "energy_level_pct", "out of range"),
    ({"status": "parked"}, "status", "Unknown status"),
    ({"status": "at_delivery_bay"}, "position", "needs a delivery bay"),
    ({"status": "sold"}, "tower", "not in a bay"),
]


@pytest.mark.parametrize(("cells", "column", "fragment"), BAD_CELLS)
def test_it_reports_a_bad_cell_with_its_row_and_column_and_imports_nothing(
    place, cells: dict[str, str], column: str, fragment: str
) -> None:
    text = csv_text(row(position=1), row(**{"position": 2, **cells}), row(position=3))

    result = run(text)

    assert not result.ok
    error = result.errors[0]
    assert (error.row, error.column) == (3, column), result.errors
    assert fragment in error.message
    assert not Vehicle.objects.exists()


def test_it_refuses_a_paint_that_belongs_to_another_model(place) -> None:
    PaintFactory(car_model=CarModelFactory(), name="Lava Red")

    error = only_error(run(csv_text(row(paint="Lava Red"))))

    assert (error.row, error.column) == (2, "paint")


def test_it_refuses_a_tower_of_another_store(place) -> None:
    TowerFactory(store=StoreFactory(slug="xuhui"), code="west")

    error = only_error(run(csv_text(row(tower="west"))))

    assert (error.row, error.column) == (2, "tower")
    assert "belongs to store xuhui, not pudong" in error.message


def test_it_refuses_a_bay_out_of_service(place) -> None:
    Bay.objects.filter(tower=place["tower"], level=2, position=2).update(is_enabled=False)

    error = only_error(run(csv_text(row(level=2, position=2))))

    assert error.row == 2
    assert error.message == "Bay north:L02-B02 is out of service."


def test_it_refuses_a_bay_that_already_holds_a_car(place) -> None:
    parked = VehicleFactory(store=place["store"], car_model=place["car_model"])  # takes L01-B01

    error = only_error(run(csv_text(row(level=1, position=1))))

    assert error.message == f"Bay north:L01-B01 already holds vehicle {parked.vin}."


def test_it_refuses_two_rows_for_the_same_bay(place) -> None:
    result = run(csv_text(row(level=2, position=3), row(level=1, position=1), row(level=2, position=3)))

    error = only_error(result)
    assert (error.row, error.column) == (4, "position")
    assert error.message == "Bay north:L02-B03 is already taken by row 2."
    assert not Vehicle.objects.exists()


def test_it_refuses_a_vin_repeated_in_the_file(place) -> None:
    vin = make_vin()

    result = run(csv_text(row(vin=vin, position=1), row(vin=vin.lower(), position=2)))

    error = only_error(result)
    assert (error.row, error.column) == (3, "vin")
    assert error.message == f"VIN {vin} is also on row 2."
    assert not Vehicle.objects.exists()


def test_it_refuses_a_vin_already_in_the_fleet(place) -> None:
    existing = VehicleFactory(store=place["store"], car_model=place["car_model"])

    error = only_error(run(csv_text(row(vin=existing.vin.lower(), position=2))))

    assert (error.row, error.column) == (2, "vin")
    assert "already exists" in error.message
    assert Vehicle.objects.count() == 1


def test_it_reports_every_problem_of_every_row(place) -> None:
    text = csv_text(
        row(position=1),
        row(position=2, model="nope", energy_level_pct=150),
        row(position=3),
        row(position=4, store="nowhere", vin="short"),
    )

    result = run(text)

    # In reading order: row by row, and in the order of the columns within a row.
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "model"),
        (3, "energy_level_pct"),
        (5, "vin"),
        (5, "store"),
    ]
    assert not Vehicle.objects.exists()


def test_it_numbers_rows_as_a_spreadsheet_does_counting_blank_lines(place) -> None:
    good, bad = csv_text(row(position=1)), csv_text(row(position=2, model="nope"))
    text = good + "\n,,,,\n" + bad.split("\n", 1)[1]

    error = only_error(run(text))

    assert error.row == 5


def test_it_reports_cells_beyond_the_header(place) -> None:
    text = csv_text(row()).rstrip("\r\n") + ",surprise\r\n"

    error = only_error(run(text))

    assert (error.row, error.column) == (2, None)
    assert "1 more cell" in error.message


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ([c for c in COLUMNS if c != "paint"], "Missing columns: paint."),
        ([*COLUMNS, "colour"], "Unknown columns: colour."),
        ([*COLUMNS, "vin"], "Columns named more than once: vin."),
        (["VIN;model;paint"], "Unknown columns: vin;model;paint."),
    ],
)
def test_it_refuses_a_bad_header(place, header: list[str], fragment: str) -> None:
    error = only_error(run(csv_text(row(), header=header)))

    assert error.row is None
    assert fragment in error.message
    assert "The header must name these columns: vin, model, paint" in error.message
    assert not Vehicle.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("\n\n", "The first row must name the columns"),
        (",".join(COLUMNS) + "\n", "The file has a header but no vehicle rows."),
        (",".join(COLUMNS) + "\n,,,\n\n", "The file has a header but no vehicle rows."),
    ],
)
def test_it_refuses_a_file_without_rows(text: str, message: str) -> None:
    error = only_error(run(text))

    assert error.row is None
    assert message in error.message


def test_it_refuses_bytes_that_are_not_utf8(place) -> None:
    data = csv_text(row(position=1), row(position=2, paint="Perlweiß")).encode("latin-1")

    error = only_error(vehicle_import_csv_bytes(data=data))

    assert error.row is None
    assert "not UTF-8" in error.message
    assert "line 3" in error.message
    assert not Vehicle.objects.exists()


def test_it_refuses_a_text_stream_that_fails_to_decode(place) -> None:
    data = csv_text(row(paint="珍珠白")).encode("gb18030")
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")

    error = only_error(vehicle_import_csv(file=stream))

    assert "not UTF-8" in error.message


def test_it_refuses_more_rows_than_the_cap(place) -> None:
    line = ",".join(row().values())
    text = ",".join(COLUMNS) + "\n" + "\n".join([line] * (MAX_ROWS + 1)) + "\n"

    error = only_error(run(text))

    assert error.row is None
    assert f"more than {MAX_ROWS} vehicle rows" in error.message


def test_it_refuses_a_file_larger_than_the_cap() -> None:
    error = only_error(vehicle_import_csv_bytes(data=b"x" * (MAX_BYTES + 1)))

    assert "larger than 5 MB" in error.message


def test_it_reports_malformed_csv_with_its_row(place) -> None:
    text = csv_text(row()) + '"' + "x" * (csv.field_size_limit() + 1) + '"\n'

    error = only_error(run(text))

    assert error.message.startswith("Row 3 is not valid CSV")


def test_it_imports_nothing_when_another_save_takes_a_vin_meanwhile(place, monkeypatch) -> None:
    rows = [row(position=1), row(position=2)]
    load = vehicle_import._Lookups.load

    def load_then_race(rows_read):
        lookups = load(rows_read)
        VehicleFactory(vin=rows[1]["vin"], store=place["store"], car_model=place["car_model"])
        return lookups

    monkeypatch.setattr(vehicle_import._Lookups, "load", load_then_race)

    result = run(csv_text(*rows))

    assert "Nothing was imported" in only_error(result).message
    assert list(Vehicle.objects.values_list("vin", flat=True)) == [rows[1]["vin"]]


def test_it_checks_a_small_and_a_large_file_with_the_same_number_of_queries(place) -> None:
    big_tower = TowerFactory(store=place["store"], code="tall", levels=10, bays_per_level=10)

    def lookups(n: int, tower: str) -> int:
        rows = [row(tower=tower, level=1 + i // 10, position=1 + i % 10) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert run(csv_text(*rows)).ok
        # The INSERT is split into batches of the backend's parameter limit; the rest is fixed.
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))

    assert lookups(2, "north") == lookups(100, big_tower.code)


def test_the_example_file_names_every_column_and_has_valid_vins() -> None:
    header, *examples = example_csv_rows()

    assert header == list(COLUMNS)
    assert all(len(example) == len(COLUMNS) for example in examples)
    result = run(csv_text(*[dict(zip(header, example, strict=True)) for example in examples]))
    assert not [e for e in result.errors if e.column == "vin"]
