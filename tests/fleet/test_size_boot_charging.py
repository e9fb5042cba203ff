"""Size, boot and charging: on the model page, in the comparison (a row only when some compared
model has the figure), in the API and its schema, in both languages."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from fleet.models import CarModel
from fleet.specs import spec_rows
from tests.factories import CarModelFactory, PaintFactory

pytestmark = pytest.mark.django_db

SEAL = {
    "length_mm": 4800,
    "width_mm": 1875,
    "height_mm": 1460,
    "wheelbase_mm": 2920,
    "boot_litres": 400,
    "charge_ac_kw": Decimal("7.0"),
    "charge_dc_kw": 150,
    "charge_10_80_minutes": 30,
}


def model(**kwargs: object) -> CarModel:
    car_model = CarModelFactory(**kwargs)
    PaintFactory(car_model=car_model)
    return car_model


def test_the_model_page_lists_the_figures_it_has(client: Client) -> None:
    seal = model(**SEAL)

    html = client.get(seal.get_absolute_url()).content.decode()

    for shown in ("4800 mm", "1875 mm", "1460 mm", "2920 mm", "400 L", "7 kW", "150 kW", "30 min"):
        assert shown in html
    assert '<tr data-spec="charge_10_80_minutes"><th scope="row">DC charging 10–80 %</th>' in html


def test_a_petrol_car_has_no_charging_rows(client: Client) -> None:
    petrol = model(powertrain="ice", electric_range_km=None, length_mm=5063, boot_litres=515)

    html = client.get(petrol.get_absolute_url()).content.decode()

    assert "5063 mm" in html
    assert "515 L" in html
    assert 'data-spec="charge_' not in html


def test_the_comparison_shows_a_row_when_one_model_has_it_and_a_dash_for_the_other(client: Client) -> None:
    model(slug="seal", **SEAL)
    model(slug="camry", powertrain="hev", electric_range_km=None, length_mm=4915, boot_litres=524)
    model(slug="bare")

    html = client.get("/compare/", {"models": "seal,camry"}).content.decode()

    dc_row = html.split('<tr data-spec="charge_dc_kw">', 1)[1].split("</tr>", 1)[0]
    assert "<td>150 kW</td><td>—</td>" in dc_row
    assert "<td>4800 mm</td><td>4915 mm</td>" in html

    # No compared model has any of the figures: no empty rows.
    html = client.get("/compare/", {"models": "bare,camry"}).content.decode()
    assert 'data-spec="length_mm"' in html
    assert 'data-spec="charge_dc_kw"' not in html
    assert 'data-spec="width_mm"' not in html


def test_the_rows_speak_chinese(client: Client) -> None:
    seal = model(**SEAL)

    html = client.get(seal.get_absolute_url(), headers={"accept-language": "zh-hans"}).content.decode()

    assert "轴距" in html
    assert "后备厢" in html
    assert "直流快充峰值功率" in html


def test_spec_rows_keep_the_order_of_the_models_and_skip_what_none_has() -> None:
    a = CarModel(length_mm=4800, charge_ac_kw=Decimal("6.6"))
    b = CarModel(length_mm=4300)

    with translation.override("en"):
        rows = {row.field: row.values for row in spec_rows([a, b])}

    assert rows == {"length_mm": ["4800 mm", "4300 mm"], "charge_ac_kw": ["6.6 kW", None]}


def test_the_api_gives_the_figures_in_the_specs(client: Client) -> None:
    seal = model(slug="seal", **SEAL)
    model(slug="old", powertrain="ice", electric_range_km=None)

    detail = client.get(f"/api/v1/models/{seal.slug}/").json()["specs"]
    listed = {m["slug"]: m["specs"] for m in client.get("/api/v1/models/").json()["results"]}

    assert detail["length_mm"] == 4800
    assert detail["charge_ac_kw"] == 7.0
    assert detail["charge_10_80_minutes"] == 30
    assert listed["old"]["charge_dc_kw"] is None
    assert listed["old"]["boot_litres"] is None


def test_the_schema_documents_the_figures() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    specs = schema["components"]["schemas"]["CarSpecsOutput"]["properties"]

    for field in SEAL:
        assert field in specs
        assert specs[field].get("nullable") is True
    photo = schema["components"]["schemas"]["CarPhotoOutput"]["properties"]
    assert photo["renditions"]["type"] == "array"


def test_the_database_refuses_charging_figures_on_a_car_without_a_plug() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CarModelFactory(powertrain="ice", electric_range_km=None, charge_dc_kw=50)


def test_the_database_refuses_a_wheelbase_longer_than_the_car() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CarModelFactory(length_mm=4000, wheelbase_mm=4100)
