"""The customer portal's model page: specs, paints and pictures, availability, htmx fragments."""

import pytest
from django.test import Client

from fleet.models import CarModel, Paint, VehicleStatus
from tests.factories import (
    CarModelFactory,
    CarPhotoFactory,
    PaintFactory,
    StoreFactory,
    TowerFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

# The chosen paint's name under the picture.
PAINT_NAME = '<span class="muted">Paint</span> <strong>{}</strong>'


@pytest.fixture
def car_model() -> CarModel:
    return CarModelFactory(
        name="Seal",
        name_zh="海豹",
        slug="seal",
        body_type="sedan",
        powertrain="bev",
        seats=5,
        power_kw=390,
        electric_range_km=550,
        energy_kwh_per_100km="12.5",
        msrp_cny=189_800,
        model_year=2026,
        description="Quiet and quick.",
        description_zh="安静又迅捷。",
    )


@pytest.fixture
def blue(car_model: CarModel) -> Paint:
    return PaintFactory(car_model=car_model, name="Arctic Blue", name_zh="极地蓝", hex="#A7C4E0", position=0)


@pytest.fixture
def red(car_model: CarModel) -> Paint:
    return PaintFactory(car_model=car_model, name="Crimson", name_zh="绯红", hex="#B3261E", position=1)


def test_it_404s_for_an_unknown_model(client: Client) -> None:
    assert client.get("/cars/no-such-car/").status_code == 404


def test_it_404s_for_an_unlisted_model(client: Client) -> None:
    CarModelFactory(slug="secret", is_listed=False)

    response = client.get("/cars/secret/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_it_shows_the_specs_and_the_description(client: Client, car_model: CarModel) -> None:
    html = client.get(car_model.get_absolute_url()).content.decode()

    for text in ("Seal", "Sedan", "Battery electric", "390 kW", "550 km", "12.5 kWh/100 km", "2026"):
        assert text in html
    assert "¥189,800" in html
    assert "<p>Quiet and quick.</p>" in html
    assert "Fuel use" not in html


def test_it_shows_fuel_use_for_a_petrol_car(client: Client) -> None:
    ranger = CarModelFactory(
        powertrain="ice", electric_range_km=None, energy_kwh_per_100km=None, fuel_l_per_100km="9.8"
    )

    html = client.get(ranger.get_absolute_url()).content.decode()

    assert "9.8 L/100 km" in html
    assert "Energy use" not in html


def test_it_shows_the_first_paint_until_another_is_chosen(
    client: Client, car_model: CarModel, blue: Paint, red: Paint
) -> None:
    html = client.get(car_model.get_absolute_url()).content.decode()

    assert PAINT_NAME.format("Arctic Blue") in html
    assert f'id="paint-{blue.pk}" class="swatch-link" href="?paint={blue.pk}"' in html
    assert f'href="?paint={red.pk}"' in html


def test_it_draws_the_body_in_the_chosen_paint_when_there_are_no_photos(
    client: Client, car_model: CarModel, blue: Paint, red: Paint
) -> None:
    html = client.get(car_model.get_absolute_url(), {"paint": red.pk}).content.decode()

    assert PAINT_NAME.format("Crimson") in html
    assert f'role="img" aria-label="{car_model.brand.name} Seal in Crimson (illustration)"' in html
    assert 'fill="#B3261E"' in html
    assert "gallery__photos" not in html


@pytest.mark.parametrize("body_type", ["sedan", "hatchback", "suv", "mpv", "coupe", "wagon", "pickup"])
def test_it_has_a_drawing_for_every_body_type(client: Client, body_type: str) -> None:
    car_model = CarModelFactory(body_type=body_type)

    html = client.get(car_model.get_absolute_url()).content.decode()

    assert '<svg class="car-illustration"' in html
    assert "(illustration)" in html


def test_it_shows_the_photos_of_the_chosen_paint(
    client: Client, car_model: CarModel, blue: Paint, red: Paint
) -> None:
    blue_photo = CarPhotoFactory(car_model=car_model, paint=blue)
    red_photos = [CarPhotoFactory(car_model=car_model, paint=red, position=i) for i in range(2)]
    plain = CarPhotoFactory(car_model=car_model)

    html = client.get(car_model.get_absolute_url(), {"paint": red.pk}).content.decode()

    assert all(photo.image.url in html for photo in red_photos)
    assert blue_photo.image.url not in html
    assert plain.image.url not in html
    assert "2 photos" in html
    assert f'href="#photo-{red_photos[1].pk}"' in html
    assert "car-illustration" not in html


def test_it_falls_back_to_the_photos_without_a_paint(
    client: Client, car_model: CarModel, blue: Paint, red: Paint
) -> None:
    CarPhotoFactory(car_model=car_model, paint=blue)
    plain = CarPhotoFactory(car_model=car_model, caption="")

    html = client.get(car_model.get_absolute_url(), {"paint": red.pk}).content.decode()

    assert plain.image.url in html
    assert f'alt="{car_model.brand.name} Seal, Crimson"' in html


@pytest.mark.parametrize("raw", ["abc", "999999", ""])
def test_it_shows_the_first_paint_for_a_paint_it_does_not_offer(
    client: Client, car_model: CarModel, blue: Paint, raw: str
) -> None:
    other = PaintFactory(name="Not Ours")

    for value in (raw, str(other.pk)):
        response = client.get(car_model.get_absolute_url(), {"paint": value})
        assert response.status_code == 200
        assert PAINT_NAME.format("Arctic Blue") in response.content.decode()


def test_it_sends_only_the_gallery_to_htmx(
    client: Client, car_model: CarModel, blue: Paint, red: Paint
) -> None:
    response = client.get(car_model.get_absolute_url(), {"paint": red.pk}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert "Specifications" not in html
    assert PAINT_NAME.format("Crimson") in html
    assert f'id="paint-{red.pk}" class="swatch-link" href="?paint={red.pk}"' in html
    assert "HX-Request" in response["Vary"]


def test_the_swatches_swap_only_the_gallery_with_htmx(
    client: Client, car_model: CarModel, blue: Paint
) -> None:
    html = client.get(car_model.get_absolute_url()).content.decode()

    assert '<section id="gallery"' in html
    assert f'hx-get="?paint={blue.pk}" hx-target="#gallery" hx-swap="innerHTML" hx-push-url="true"' in html


def test_it_counts_what_is_available_per_store_and_paint(
    client: Client, car_model: CarModel, blue: Paint, red: Paint
) -> None:
    north, south = TowerFactory(store__name="North").store, TowerFactory(store__name="South").store
    StoreFactory(name="Empty")
    for _ in range(2):
        VehicleFactory(car_model=car_model, paint=blue, store=north)
    VehicleFactory(car_model=car_model, paint=red, store=south)
    # Neither of these can be taken out now.
    VehicleFactory(car_model=car_model, paint=red, store=north, status=VehicleStatus.ON_DRIVE)
    VehicleFactory(car_model=car_model, paint=blue, store=south, status=VehicleStatus.MAINTENANCE)

    response = client.get(car_model.get_absolute_url())

    counts = {
        (stock.store.name, row.paint.name): row.available
        for stock in response.context["availability"]
        for row in stock.paints
    }
    assert counts == {
        ("Empty", "Arctic Blue"): 0,
        ("Empty", "Crimson"): 0,
        ("North", "Arctic Blue"): 2,
        ("North", "Crimson"): 0,
        ("South", "Arctic Blue"): 0,
        ("South", "Crimson"): 1,
    }
    html = response.content.decode()
    assert "3 available now" in html
    assert html.count('class="store-stock"') == 3


def test_it_says_when_no_store_has_the_model(client: Client, car_model: CarModel, blue: Paint) -> None:
    html = client.get(car_model.get_absolute_url()).content.decode()

    assert "This model is not in any of our stores yet." in html
    assert "None available right now" in html


def test_it_shows_the_chinese_name_and_description_in_chinese(
    client: Client, car_model: CarModel, blue: Paint
) -> None:
    html = client.get(car_model.get_absolute_url(), headers={"Accept-Language": "zh-CN"}).content.decode()

    assert "<h1>海豹</h1>" in html
    assert "<p>安静又迅捷。</p>" in html
    assert "<strong>极地蓝</strong>" in html
