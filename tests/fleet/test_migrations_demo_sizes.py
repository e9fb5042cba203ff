"""The data migration that gives the demo models already in a database their size, boot and
charging figures, without touching a figure staff entered."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fleet.models import CarModel


def _fleet_migration(suffix: str) -> tuple[str, str]:
    # Found by name, not number: migrations are renumbered when branches merge.
    graph = MigrationExecutor(connection).loader.graph
    return next(key for key in graph.nodes if key[0] == "fleet" and key[1].endswith(suffix))


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_it_fills_the_demo_models_and_keeps_what_staff_entered() -> None:
    before = _fleet_migration("_carmodel_size_boot_charging_photo_renditions")
    old = _migrate([before]).loader.project_state([before]).apps
    Brand, OldCarModel = old.get_model("fleet", "Brand"), old.get_model("fleet", "CarModel")
    byd = Brand.objects.create(name="BYD", slug="byd", country="CN")
    common = {"brand": byd, "model_year": 2026, "seats": 5, "power_kw": 100, "msrp_cny": 100_000}
    OldCarModel.objects.create(name="Seal", slug="byd-seal", body_type="sedan", powertrain="bev",
                               electric_range_km=650, **common)  # fmt: skip
    OldCarModel.objects.create(name="Han", slug="byd-han-ev", body_type="sedan", powertrain="bev",
                               electric_range_km=605, boot_litres=999, **common)  # fmt: skip
    # Staff made this one a petrol car: it gets a size but no charging figures.
    OldCarModel.objects.create(name="Dolphin", slug="byd-dolphin", body_type="hatchback", powertrain="ice",
                               **common)  # fmt: skip
    OldCarModel.objects.create(name="Ours", slug="not-a-demo-model", body_type="suv", powertrain="ice",
                               **common)  # fmt: skip

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    seal = CarModel.objects.get(slug="byd-seal")
    assert (seal.length_mm, seal.height_mm, seal.wheelbase_mm, seal.boot_litres) == (4800, 1460, 2920, 400)
    assert (seal.charge_ac_kw, seal.charge_dc_kw) == (Decimal("7.0"), 150)
    assert CarModel.objects.get(slug="byd-han-ev").boot_litres == 999
    dolphin = CarModel.objects.get(slug="byd-dolphin")
    assert dolphin.length_mm == 4290
    assert dolphin.charge_dc_kw is None
    assert CarModel.objects.get(slug="not-a-demo-model").length_mm is None
