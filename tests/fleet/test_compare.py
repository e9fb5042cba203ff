"""Comparing up to four models: the portal's /compare/ page and GET /api/v1/compare/."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fleet.models import CarModel, Store
from tests.factories import CarModelFactory, PaintFactory, TowerFactory, VehicleFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("fleet:compare")
API = reverse("api-compare")


@pytest.fixture
def store() -> Store:
    return TowerFactory(levels=4, bays_per_level=10).store


def stocked(store: Store, n: int = 1, **kwargs: object) -> CarModel:
    car_model = CarModelFactory(**kwargs)
    paint = PaintFactory(car_model=car_model)
    for _ in range(n):
        VehicleFactory(car_model=car_model, paint=paint, store=store)
    return car_model


def test_it_puts_models_side_by_side_in_the_order_asked(client: Client, store: Store) -> None:
    a = stocked(store, 2, name="Seal", msrp_cny=179_800, power_kw=390)
    b = stocked(store, 0, name="Model Y", msrp_cny=263_500, power_kw=299)

    response = client.get(PAGE, {"models": f"{b.slug},{a.slug}"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(f'data-compared="{b.slug}"') < page.index(f'data-compared="{a.slug}"')
    assert "¥179,800" in page
    assert "¥263,500" in page
    assert "390 kW" in page
    assert f'data-available="{a.slug}">2<' in page
    assert f'data-available="{b.slug}">0<' in page
    assert store.display_name in page


def test_the_api_answers_the_same_with_a_shareable_address(client: Client, store: Store) -> None:
    a, b = stocked(store, 2), stocked(store, 1)

    body = client.get(API, {"models": [a.slug, b.slug]}).json()

    assert [m["slug"] for m in body["models"]] == [a.slug, b.slug]
    assert [m["available_count"] for m in body["models"]] == [2, 1]
    assert body["models"][0]["availability"][0]["paints"][0]["available"] == 2
    assert body["share_url"].endswith(f"/compare/?models={a.slug},{b.slug}")
    assert client.get(body["share_url"]).status_code == 200


def test_it_refuses_a_fifth_model(client: Client, store: Store) -> None:
    slugs = ",".join(CarModelFactory().slug for _ in range(5))

    api = client.get(API, {"models": slugs})
    assert api.status_code == 400
    assert "at most 4" in api.json()["fields"]["models"][0]

    page = client.get(PAGE, {"models": slugs})
    assert page.status_code == 400
    assert "at most 4" in page.content.decode()


def test_it_names_an_unknown_model(client: Client, store: Store) -> None:
    a = stocked(store)
    hidden = CarModelFactory(is_listed=False)

    api = client.get(API, {"models": f"{a.slug},{hidden.slug},nope"})
    assert api.status_code == 400
    assert f"{hidden.slug}, nope" in api.json()["detail"]

    # A shared link can outlive a model: the page shows the others and says which went.
    page = client.get(PAGE, {"models": f"{a.slug},nope"}).content.decode()
    assert f'data-compared="{a.slug}"' in page
    assert "not in the catalogue any more" in page


def test_the_api_asks_for_at_least_one_model(client: Client) -> None:
    assert client.get(API).status_code == 400


def test_duplicates_count_once_and_the_add_list_offers_the_others(client: Client, store: Store) -> None:
    a, b = stocked(store), stocked(store)
    page = client.get(PAGE, {"models": [a.slug, a.slug.upper()]}).content.decode()
    assert page.count(f'data-compared="{a.slug}"') == 1
    assert f'<option value="{b.slug}">' in page
    assert f'<option value="{a.slug}">' not in page


def test_the_catalogue_cards_and_the_model_page_lead_to_the_comparison(client: Client, store: Store) -> None:
    a = stocked(store)
    catalogue = client.get(reverse("fleet:catalogue")).content.decode()
    assert 'id="compare-form"' in catalogue
    assert f'name="models" value="{a.slug}" form="compare-form"' in catalogue
    model_page = client.get(a.get_absolute_url()).content.decode()
    assert f'href="/compare/?models={a.slug}"' in model_page


def test_it_speaks_chinese(client: Client, store: Store) -> None:
    a = stocked(store, name_zh="海豹")
    page = client.get(PAGE, {"models": a.slug}, headers={"accept-language": "zh-hans"}).content.decode()
    assert "海豹" in page
    assert "比较车型" in page


@pytest.mark.parametrize("url", [PAGE, API])
def test_it_costs_the_same_queries_for_one_model_as_for_three(client: Client, store: Store, url: str) -> None:
    # (Three, not four: with four the page has no "add a model" list to read.)
    models = [stocked(store, 2) for _ in range(3)]

    def count(slugs: list[str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"models": ",".join(slugs)}).status_code == 200
        return len(ctx.captured_queries)

    assert count([models[0].slug]) == count([m.slug for m in models])
