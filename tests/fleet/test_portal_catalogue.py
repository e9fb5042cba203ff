"""The customer portal's catalogue page: filters, sorting, pages, htmx fragments, languages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from fleet.models import CarModel, Store, VehicleStatus
from tests.factories import (
    BrandFactory,
    CarModelFactory,
    CarPhotoFactory,
    PaintFactory,
    TowerFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("fleet:catalogue")


def names_on(response) -> list[str]:
    """Model names in the order their cards appear."""
    return re.findall(r'class="card__link"[^>]*>([^<]+)</a>', response.content.decode())


def stock(car_model: CarModel, store: Store, n: int = 1, **kwargs: object) -> None:
    paint = car_model.paints.first() or PaintFactory(car_model=car_model)
    for _ in range(n):
        VehicleFactory(car_model=car_model, paint=paint, store=store, **kwargs)


@pytest.fixture
def store() -> Store:
    return TowerFactory(levels=4, bays_per_level=10).store


def test_it_shows_listed_models_with_price_paints_and_availability(client: Client, store: Store) -> None:
    seal = CarModelFactory(name="Seal", msrp_cny=189_800)
    PaintFactory(car_model=seal, name="Arctic Blue", hex="#A7C4E0")
    stock(seal, store, n=2)
    CarModelFactory(name="Hidden", is_listed=False)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert names_on(response) == ["Seal"]
    assert "¥189,800" in html
    assert "2 available now" in html
    assert "--swatch: #A7C4E0" in html
    assert "Arctic Blue" in html


def test_it_says_when_nothing_is_available(client: Client) -> None:
    CarModelFactory()

    response = client.get(URL)

    assert "None available right now" in response.content.decode()


def test_it_draws_the_body_when_a_model_has_no_photo(client: Client) -> None:
    suv = CarModelFactory(body_type="suv", brand__name="Tesla", name="Model Y")
    PaintFactory(car_model=suv, name="Forest", hex="#2F7D5B")

    html = client.get(URL).content.decode()

    assert '<svg class="car-illustration"' in html
    assert 'aria-label="Tesla Model Y in Forest (illustration)"' in html
    assert 'data-body="suv"' in html
    assert 'fill="#2F7D5B"' in html


def test_it_shows_the_first_photo_on_the_card(client: Client) -> None:
    car_model = CarModelFactory()
    photo = CarPhotoFactory(car_model=car_model)

    html = client.get(URL).content.decode()

    assert photo.image.url in html
    assert "car-illustration" not in html


def test_it_filters_by_brand(client: Client) -> None:
    byd, ford = BrandFactory(slug="byd"), BrandFactory(slug="ford")
    CarModelFactory(brand=byd, name="Seal")
    CarModelFactory(brand=ford, name="Ranger")
    CarModelFactory(name="Other")

    assert names_on(client.get(URL, {"brand": "byd"})) == ["Seal"]
    assert sorted(names_on(client.get(URL, {"brand": ["byd", "ford"]}))) == ["Ranger", "Seal"]


def test_it_filters_by_body(client: Client) -> None:
    CarModelFactory(name="Seal", body_type="sedan")
    CarModelFactory(name="Ranger", body_type="pickup")

    assert names_on(client.get(URL, {"body": "pickup"})) == ["Ranger"]


def test_it_filters_by_powertrain(client: Client) -> None:
    CarModelFactory(name="Seal", powertrain="bev")
    CarModelFactory(name="Ranger", powertrain="ice", electric_range_km=None)

    assert names_on(client.get(URL, {"powertrain": "ice"})) == ["Ranger"]


def test_it_filters_by_price_bounds_inclusively(client: Client) -> None:
    CarModelFactory(name="Cheap", msrp_cny=100_000)
    CarModelFactory(name="Middle", msrp_cny=200_000)
    CarModelFactory(name="Dear", msrp_cny=300_000)

    assert sorted(names_on(client.get(URL, {"price_min": "200000"}))) == ["Dear", "Middle"]
    assert sorted(names_on(client.get(URL, {"price_max": "200000"}))) == ["Cheap", "Middle"]
    assert names_on(client.get(URL, {"price_min": "150000", "price_max": "250000"})) == ["Middle"]


def test_it_filters_by_store(client: Client, store: Store) -> None:
    elsewhere = TowerFactory().store
    here, there = CarModelFactory(name="Here"), CarModelFactory(name="There")
    stock(here, store)
    stock(there, elsewhere)

    assert names_on(client.get(URL, {"store": store.slug})) == ["Here"]


def test_it_counts_availability_in_the_chosen_store_only(client: Client, store: Store) -> None:
    car_model = CarModelFactory()
    stock(car_model, store, n=1)
    stock(car_model, TowerFactory().store, n=2)

    assert "3 available now" in client.get(URL).content.decode()
    assert "1 available now" in client.get(URL, {"store": store.slug}).content.decode()


def test_it_filters_to_models_available_now(client: Client, store: Store) -> None:
    ready, away = CarModelFactory(name="Ready"), CarModelFactory(name="Away")
    stock(ready, store)
    stock(away, store, status=VehicleStatus.ON_DRIVE)

    assert names_on(client.get(URL, {"available": "true"})) == ["Ready"]
    assert sorted(names_on(client.get(URL))) == ["Away", "Ready"]


def test_it_sorts_by_price_both_ways(client: Client) -> None:
    CarModelFactory(name="Middle", msrp_cny=200_000)
    CarModelFactory(name="Cheap", msrp_cny=100_000)
    CarModelFactory(name="Dear", msrp_cny=300_000)

    assert names_on(client.get(URL, {"sort": "price"})) == ["Cheap", "Middle", "Dear"]
    assert names_on(client.get(URL, {"sort": "-price"})) == ["Dear", "Middle", "Cheap"]


def test_it_sorts_by_brand_by_default(client: Client) -> None:
    CarModelFactory(brand=BrandFactory(name="Zeekr"), name="001")
    CarModelFactory(brand=BrandFactory(name="Aion"), name="Y")

    assert names_on(client.get(URL)) == ["Y", "001"]


def test_it_sends_the_whole_page_without_htmx(client: Client) -> None:
    CarModelFactory(name="Seal")

    response = client.get(URL)

    html = response.content.decode()
    assert html.lstrip().startswith("<!doctype html>")
    assert '<form class="filters" method="get" action="/"' in html
    assert 'id="results"' in html
    assert "HX-Request" in response["Vary"]


def test_it_sends_only_the_results_to_htmx(client: Client) -> None:
    CarModelFactory(name="Seal", body_type="sedan")
    CarModelFactory(name="Ranger", body_type="pickup")

    response = client.get(URL, {"body": "pickup"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<form class="filters"' not in html
    assert names_on(response) == ["Ranger"]
    assert "1 car" in html
    assert "HX-Request" in response["Vary"]


def test_it_sends_the_whole_page_when_htmx_restores_history(client: Client) -> None:
    CarModelFactory()

    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_min": "abc"}, "Enter a number."),
        ({"price_max": "1e999x"}, "Enter a number."),
        ({"brand": "nope"}, "Select a valid choice. nope is not one of the available choices."),
        ({"store": "nowhere"}, "Select a valid choice."),
        ({"sort": "cheapest"}, "Select a valid choice. cheapest is not one of the available choices."),
        ({"body": "tank"}, "Select a valid choice. tank is not one of the available choices."),
    ],
)
def test_it_explains_bad_filter_values_instead_of_failing(
    client: Client, params: dict[str, str], message: str
) -> None:
    CarModelFactory(name="Seal")

    response = client.get(URL, params)

    html = response.content.decode()
    assert response.status_code == 200
    assert "could not be used" in html
    assert message in html
    # The bad value is left out; the list is still there.
    assert names_on(response) == ["Seal"]


def test_it_keeps_the_good_filters_when_one_is_bad(client: Client) -> None:
    CarModelFactory(name="Seal", body_type="sedan")
    CarModelFactory(name="Ranger", body_type="pickup")

    response = client.get(URL, {"body": "pickup", "price_min": "abc"})

    assert names_on(response) == ["Ranger"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_it_paginates_and_keeps_the_filters_in_the_page_links(client: Client, settings) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    for price in (100_000, 200_000, 300_000, 400_000, 500_000):
        CarModelFactory(name=f"Car {price}", msrp_cny=price, body_type="suv")
    CarModelFactory(name="Sedan", body_type="sedan")

    first = client.get(URL, {"body": "suv", "sort": "price"})
    last = client.get(URL, {"body": "suv", "sort": "price", "page": "3"})

    assert names_on(first) == ["Car 100000", "Car 200000"]
    assert "Page 1 of 3" in first.content.decode()
    assert 'href="?body=suv&amp;sort=price&amp;page=2"' in first.content.decode()
    assert names_on(last) == ["Car 500000"]
    assert "could not be used" not in last.content.decode()


@pytest.mark.parametrize(("page", "shown"), [("999", 2), ("abc", 1), ("0", 1), ("-3", 1)])
def test_it_shows_a_real_page_and_says_so_for_a_missing_page(
    client: Client, settings, page: str, shown: int
) -> None:
    settings.CATALOGUE_PAGE_SIZE = 2
    for i in range(3):
        CarModelFactory(name=f"Car {i}")

    response = client.get(URL, {"page": page})

    html = response.content.decode()
    assert response.status_code == 200
    assert f"That page does not exist; showing page {shown}." in html
    assert f"Page {shown} of 2" in html


def test_it_says_so_when_nothing_matches(client: Client) -> None:
    CarModelFactory(body_type="sedan")

    html = client.get(URL, {"body": "mpv"}).content.decode()

    assert "No cars match these filters" in html
    assert "0 cars" in html


def test_it_counts_the_filters_in_use_on_the_collapsed_panel(client: Client) -> None:
    CarModelFactory(brand=BrandFactory(slug="byd"))

    response = client.get(URL, {"brand": "byd", "body": "sedan", "price_min": "", "sort": "price"})

    assert response.context["active_filter_count"] == 2


def test_it_labels_brand_choices_in_the_visitors_language(client: Client) -> None:
    CarModelFactory(brand=BrandFactory(name="BYD", name_zh="比亚迪", slug="byd"))

    english = client.get(URL).content.decode()
    chinese = client.get(URL, headers={"Accept-Language": "zh-CN"}).content.decode()

    assert 'value="byd"><span>BYD</span>' in english
    assert 'value="byd"><span>比亚迪</span>' in chinese


@pytest.mark.usefixtures("chinese_catalogue")
def test_it_speaks_chinese_to_a_chinese_browser(client: Client) -> None:
    CarModelFactory(name="Seal", name_zh="海豹", msrp_cny=189_800)

    response = client.get(URL, headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "自动售车店" in html
    assert "海豹" in html
    assert "¥189,800" in html
    assert "Find your next car" not in html


@pytest.mark.usefixtures("chinese_catalogue")
def test_the_language_switch_sets_chinese_and_returns_to_the_page(client: Client) -> None:
    CarModelFactory(name="Seal", name_zh="海豹", body_type="sedan")
    page = f"{URL}?body=sedan"

    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": page})
    after = client.get(page)

    assert switched.status_code == 302
    assert switched["Location"] == page
    html = after.content.decode()
    assert "自动售车店" in html
    assert "海豹" in html
    assert 'value="zh-hans" lang="zh-Hans" aria-current="true"' in html


def test_the_language_switch_offers_english_and_chinese(client: Client) -> None:
    html = client.get(URL).content.decode()

    assert 'action="/i18n/setlang/" method="post"' in html
    assert ">English</button>" in html
    assert ">中文</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html
