"""The portal's pages cost the same number of queries for 10 models as for 200."""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fleet.models import Brand, CarModel, CarPhoto, Paint, Store, Vehicle
from tests.factories import TowerFactory, make_vin

pytestmark = pytest.mark.django_db

_serial = itertools.count()


def build_catalogue(*, models: int, store: Store) -> CarModel:
    """``models`` listed models with two paints, a photo and a stored vehicle each, in bulk.

    Returns one of them to open. Bulk inserts keep the 200-model case to a few statements.
    """
    tower = TowerFactory(store=store, levels=10, bays_per_level=max(1, models // 10 + 1))
    free_bays = list(tower.bays.filter(kind="storage").order_by("level", "position"))
    brands = Brand.objects.bulk_create(
        Brand(name=f"Bulk Brand {n}", name_zh=f"品牌{n}", slug=f"bulk-{n}", country="CN")
        for n in (next(_serial) for _ in range(5))
    )
    created = CarModel.objects.bulk_create(
        CarModel(
            brand=brands[i % len(brands)],
            name=f"Bulk {n}",
            name_zh=f"车型{n}",
            slug=f"bulk-{n}",
            model_year=2026,
            body_type="suv",
            powertrain="bev",
            seats=5,
            power_kw=200,
            electric_range_km=500,
            msrp_cny=100_000 + i,
            description="Bulk.",
        )
        for i, n in enumerate(next(_serial) for _ in range(models))
    )
    paints = Paint.objects.bulk_create(
        Paint(car_model=m, name=name, name_zh=name, hex=hex_, position=p)
        for m in created
        for p, (name, hex_) in enumerate([("White", "#F2F2EE"), ("Black", "#111111")])
    )
    CarPhoto.objects.bulk_create(
        CarPhoto(car_model=paint.car_model, paint=paint, image=f"catalogue/bulk-{paint.pk}.jpg")
        for paint in paints[::2]
    )
    Vehicle.objects.bulk_create(
        Vehicle(vin=make_vin(), car_model=paint.car_model, paint=paint, store=store, bay=bay)
        for paint, bay in zip(paints[::2], free_bays, strict=False)
    )
    return created[0]


def queries_for(client: Client, url: str, headers: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_catalogue_and_model_page_cost_the_same_for_10_and_200_models(client: Client) -> None:
    stores = [TowerFactory().store for _ in range(2)]
    first = build_catalogue(models=10, store=stores[0])
    small = {
        "catalogue": queries_for(client, "/"),
        "filtered": queries_for(client, f"/?brand={first.brand.slug}&store={stores[0].slug}&available=true"),
        "search": queries_for(client, "/?q=bulk+电动+SUV"),
        "search-typo": queries_for(client, "/?q=bulkk+brand"),
        "model": queries_for(client, first.get_absolute_url()),
        "gallery": queries_for(client, first.get_absolute_url(), {"HX-Request": "true"}),
    }

    build_catalogue(models=190, store=stores[1])
    assert CarModel.objects.count() == 200
    large = {
        "catalogue": queries_for(client, "/"),
        "filtered": queries_for(client, f"/?brand={first.brand.slug}&store={stores[0].slug}&available=true"),
        "search": queries_for(client, "/?q=bulk+电动+SUV"),
        "search-typo": queries_for(client, "/?q=bulkk+brand"),
        "model": queries_for(client, first.get_absolute_url()),
        "gallery": queries_for(client, first.get_absolute_url(), {"HX-Request": "true"}),
    }

    assert small == large, f"10 models: {small}; 200 models: {large}"


def test_the_catalogue_stays_within_its_query_budget(client: Client, django_assert_max_num_queries) -> None:
    store = TowerFactory().store
    first = build_catalogue(models=30, store=store)

    # count + page + paints + photos + brand choices + store choices
    with django_assert_max_num_queries(6):
        client.get("/")
    # model + paints + photos + availability counts + stores
    with django_assert_max_num_queries(5):
        client.get(first.get_absolute_url())
    # a paint switch redraws the gallery only: model + paints + photos
    with django_assert_max_num_queries(3):
        client.get(first.get_absolute_url(), headers={"HX-Request": "true"})
