"""The public catalogue API: /api/v1/brands/, /models/, /models/<slug>/, /stores/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fleet.models import CarModel, CarPhoto, VehicleStatus
from tests.factories import (
    BrandFactory,
    CarModelFactory,
    PaintFactory,
    StoreFactory,
    TowerFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

MODELS_URL = "/api/v1/models/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def stocked_store(**kwargs: object):
    """A store with one tower, room for 12 cars."""
    return TowerFactory(store=StoreFactory(**kwargs), levels=3, bays_per_level=4).store


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_it_lists_a_model_with_brand_specs_price_paints_and_availability(api: APIClient) -> None:
    brand = BrandFactory(name="BYD", name_zh="比亚迪", slug="byd", country="CN")
    seal = CarModelFactory(brand=brand, name="Seal", name_zh="海豹", slug="byd-seal", msrp_cny=179_800)
    red = PaintFactory(car_model=seal, name="Red", name_zh="红色", hex="#AA0000", position=1)
    PaintFactory(car_model=seal, name="Aurora White", name_zh="极光白", hex="#FFFFFF", position=0)
    store = stocked_store()
    VehicleFactory.create_batch(2, car_model=seal, paint=red, store=store)
    CarPhoto.objects.create(car_model=seal, image="catalogue/2026/11/seal.jpg")

    response = api.get(MODELS_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["slug"] == "byd-seal"
    assert (item["name"], item["name_zh"], item["display_name"]) == ("Seal", "海豹", "Seal")
    assert item["brand"] == {
        "slug": "byd",
        "name": "BYD",
        "name_zh": "比亚迪",
        "display_name": "BYD",
        "country": "CN",
    }
    assert item["price_cny"] == 179_800
    assert item["specs"]["powertrain"] == "bev"
    assert item["specs"]["powertrain_display"] == "Battery electric"
    assert item["specs"]["electric_range_km"] == 550
    assert item["specs"]["energy_kwh_per_100km"] == 12.5
    assert item["specs"]["fuel_l_per_100km"] is None
    assert [p["name"] for p in item["paints"]] == ["Aurora White", "Red"]
    assert item["paints"][1] == {
        "id": red.pk,
        "name": "Red",
        "name_zh": "红色",
        "display_name": "Red",
        "hex": "#AA0000",
    }
    assert item["available_count"] == 2
    assert item["photo_url"] == "http://testserver/media/catalogue/2026/11/seal.jpg"


def test_it_leaves_out_unlisted_models(api: APIClient) -> None:
    CarModelFactory(slug="on-sale")
    CarModelFactory(slug="withdrawn", is_listed=False)

    assert slugs(api.get(MODELS_URL)) == ["on-sale"]
    assert api.get(f"{MODELS_URL}withdrawn/").status_code == 404


def test_it_filters_by_brand_body_powertrain_and_price(api: APIClient) -> None:
    byd, nio = BrandFactory(slug="byd"), BrandFactory(slug="nio")
    CarModelFactory(brand=byd, slug="cheap-suv", body_type="suv", msrp_cny=120_000)
    CarModelFactory(brand=byd, slug="dear-suv", body_type="suv", msrp_cny=320_000)
    CarModelFactory(brand=byd, slug="phev-suv", body_type="suv", powertrain="phev", msrp_cny=150_000)
    CarModelFactory(brand=nio, slug="nio-suv", body_type="suv", msrp_cny=130_000)
    CarModelFactory(brand=byd, slug="byd-sedan", body_type="sedan", msrp_cny=130_000)

    response = api.get(
        MODELS_URL,
        {"brand": "byd", "body": "suv", "powertrain": "bev", "price_min": 100_000, "price_max": 200_000},
    )

    assert response.status_code == 200
    assert slugs(response) == ["cheap-suv"]


def test_it_matches_any_of_several_brands(api: APIClient) -> None:
    for slug in ("byd", "nio", "xpeng"):
        CarModelFactory(brand=BrandFactory(slug=slug, name=slug.upper()), slug=f"{slug}-car")

    assert slugs(api.get(f"{MODELS_URL}?brand=byd&brand=xpeng")) == ["byd-car", "xpeng-car"]


def test_it_sorts_by_price_both_ways(api: APIClient) -> None:
    for slug, price in (("mid", 200_000), ("low", 100_000), ("high", 300_000)):
        CarModelFactory(slug=slug, msrp_cny=price)

    assert slugs(api.get(MODELS_URL, {"sort": "price"})) == ["low", "mid", "high"]
    assert slugs(api.get(MODELS_URL, {"sort": "-price"})) == ["high", "mid", "low"]


def test_it_filters_by_store_and_counts_that_store_only(api: APIClient) -> None:
    shanghai, nanjing = stocked_store(slug="shanghai"), stocked_store(slug="nanjing")
    everywhere = CarModelFactory(slug="everywhere")
    VehicleFactory.create_batch(2, car_model=everywhere, store=shanghai)
    VehicleFactory(car_model=everywhere, store=nanjing)
    VehicleFactory(car_model=CarModelFactory(slug="shanghai-only"), store=shanghai)
    CarModelFactory(slug="no-cars")

    response = api.get(MODELS_URL, {"store": "nanjing"})

    assert [(i["slug"], i["available_count"]) for i in response.json()["results"]] == [("everywhere", 1)]
    counts_anywhere = {i["slug"]: i["available_count"] for i in api.get(MODELS_URL).json()["results"]}
    assert counts_anywhere["everywhere"] == 3


def test_it_filters_on_cars_available_now(api: APIClient) -> None:
    store = stocked_store()
    VehicleFactory(car_model=CarModelFactory(slug="in-the-tower"), store=store)
    VehicleFactory(
        car_model=CarModelFactory(slug="out-on-a-drive"), store=store, status=VehicleStatus.ON_DRIVE
    )
    CarModelFactory(slug="never-stocked")

    assert slugs(api.get(MODELS_URL, {"available": "true"})) == ["in-the-tower"]
    assert len(slugs(api.get(MODELS_URL, {"available": "false"}))) == 3


def test_it_pages_the_list_and_lets_the_client_choose_the_page_size(api: APIClient) -> None:
    brand = BrandFactory()
    for n in range(30):
        CarModelFactory(slug=f"m{n:02d}", name=f"M{n:02d}", brand=brand)

    first = api.get(MODELS_URL).json()
    assert first["count"] == 30
    assert len(first["results"]) == 24  # CATALOGUE_PAGE_SIZE, as the portal
    assert first["next"].endswith("?page=2")
    second = api.get(MODELS_URL, {"page": 2}).json()
    assert len(second["results"]) == 6
    assert slugs(api.get(MODELS_URL, {"page_size": 5, "page": 2})) == [f"m{n:02d}" for n in range(5, 10)]
    assert len(api.get(MODELS_URL, {"page_size": 1000}).json()["results"]) == 30  # capped at 100


def test_it_answers_404_for_a_page_past_the_end(api: APIClient) -> None:
    CarModelFactory()

    response = api.get(MODELS_URL, {"page": 9})

    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"price_min": "cheap"}, "price_min"),
        ({"price_max": "1e"}, "price_max"),
        ({"brand": "no-such-brand"}, "brand"),
        ({"store": "no-such-store"}, "store"),
        ({"body": "boat"}, "body"),
        ({"powertrain": "steam"}, "powertrain"),
        ({"sort": "colour"}, "sort"),
    ],
)
def test_it_answers_400_naming_a_bad_filter_value(api: APIClient, params: dict, bad: str) -> None:
    CarModelFactory(brand=BrandFactory(slug="byd"))

    response = api.get(MODELS_URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [bad]
    assert body["fields"][bad][0]  # a message in words


def test_it_shows_a_model_with_photos_paints_and_availability_per_store_and_paint(api: APIClient) -> None:
    seal = CarModelFactory(slug="byd-seal", description="Sports saloon.", description_zh="运动轿车。")
    red = PaintFactory(car_model=seal, name="Red", position=0)
    blue = PaintFactory(car_model=seal, name="Blue", position=1)
    anting, xinjiekou = stocked_store(name="Anting"), stocked_store(name="Xinjiekou")
    VehicleFactory.create_batch(2, car_model=seal, paint=red, store=anting)
    VehicleFactory(car_model=seal, paint=blue, store=anting)
    VehicleFactory(car_model=seal, paint=blue, store=xinjiekou)
    # Not available now: out on a drive, in maintenance, in a bay taken out of service.
    VehicleFactory(car_model=seal, paint=red, store=xinjiekou, status=VehicleStatus.ON_DRIVE)
    VehicleFactory(car_model=seal, paint=red, store=xinjiekou, status=VehicleStatus.MAINTENANCE)
    blocked = VehicleFactory(car_model=seal, paint=red, store=xinjiekou)
    blocked.bay.is_enabled = False
    blocked.bay.save()
    photo = CarPhoto.objects.create(
        car_model=seal, paint=red, image="catalogue/2026/11/red.jpg", caption="Front"
    )

    response = api.get(f"{MODELS_URL}byd-seal/")

    assert response.status_code == 200
    body = response.json()
    assert body["display_description"] == "Sports saloon."
    assert body["description_zh"] == "运动轿车。"
    assert [p["name"] for p in body["paints"]] == ["Red", "Blue"]
    assert body["photos"] == [
        {
            "id": photo.pk,
            "url": "http://testserver/media/catalogue/2026/11/red.jpg",
            "caption": "Front",
            "paint_id": red.pk,
            # Not measured yet: the copies are made once the upload commits.
            "width": None,
            "height": None,
            "renditions": [],
        }
    ]
    assert body["available_count"] == 4
    availability = {
        row["store"]["name"]: (row["available"], {p["paint_id"]: p["available"] for p in row["paints"]})
        for row in body["availability"]
    }
    assert availability == {
        "Anting": (3, {red.pk: 2, blue.pk: 1}),
        "Xinjiekou": (1, {red.pk: 0, blue.pk: 1}),
    }


def test_it_answers_404_for_an_unknown_model(api: APIClient) -> None:
    response = api.get(f"{MODELS_URL}no-such-car/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No listed model has this slug."}


def test_it_gives_chinese_display_names_for_accept_language_zh_hans(api: APIClient) -> None:
    seal = CarModelFactory(
        brand=BrandFactory(name="BYD", name_zh="比亚迪"), name="Seal", name_zh="海豹", powertrain="bev"
    )
    PaintFactory(car_model=seal, name="Red", name_zh="红色")

    response = api.get(f"{MODELS_URL}{seal.slug}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    body = response.json()
    assert (body["name"], body["name_zh"], body["display_name"]) == ("Seal", "海豹", "海豹")
    assert body["brand"]["display_name"] == "比亚迪"
    assert body["paints"][0]["display_name"] == "红色"
    assert body["display_description"] == "一辆测试车。"
    assert "Accept-Language" in response["Vary"]


def test_it_falls_back_to_english_where_a_chinese_name_is_missing(api: APIClient) -> None:
    CarModelFactory(name="Model Y", name_zh="")

    item = api.get(MODELS_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]

    assert item["display_name"] == "Model Y"


def test_it_lists_brands_by_name(api: APIClient) -> None:
    BrandFactory(name="Zeekr", name_zh="极氪", slug="zeekr")
    BrandFactory(name="Aito", name_zh="问界", slug="aito")

    response = api.get("/api/v1/brands/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert [(b["slug"], b["display_name"]) for b in response.json()] == [("aito", "问界"), ("zeekr", "极氪")]


def test_it_lists_stores_with_address_hours_and_towers(api: APIClient) -> None:
    store = StoreFactory(
        name="Anting",
        name_zh="安亭",
        slug="anting",
        address="1 Test Road",
        address_zh="测试路1号",
        time_zone="Asia/Shanghai",
    )
    TowerFactory(store=store, code="anting-a", levels=8, bays_per_level=6, delivery_bays=2)

    response = api.get("/api/v1/stores/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    [body] = response.json()
    assert (body["slug"], body["display_name"], body["city"], body["display_city"]) == (
        "anting",
        "安亭",
        "Shanghai",
        "上海",
    )
    assert (body["address"], body["address_zh"], body["display_address"]) == (
        "1 Test Road",
        "测试路1号",
        "测试路1号",
    )
    assert body["time_zone"] == "Asia/Shanghai"
    assert len(body["hours"]) == 7
    assert body["hours"][0] == {
        "weekday": 0,
        "weekday_display": "星期一",
        "opens": "10:00",
        "closes": "20:00",
    }
    assert body["towers"] == [
        {
            "code": "anting-a",
            "name": body["towers"][0]["name"],
            "levels": 8,
            "bays_per_level": 6,
            "storage_capacity": 48,
            "lifts": 1,
            "delivery_bays": 2,
        }
    ]


def test_it_needs_no_login_and_refuses_writes(api: APIClient) -> None:
    assert api.get("/api/v1/brands/").status_code == 200
    assert api.post("/api/v1/brands/", {"name": "X"}).status_code == 405


def add_catalogue_models(count: int, *, store) -> None:
    for _ in range(count):
        car_model = CarModelFactory()
        paint = PaintFactory(car_model=car_model)
        PaintFactory(car_model=car_model)
        CarPhoto.objects.create(car_model=car_model, image="catalogue/x.jpg")
        VehicleFactory(car_model=car_model, paint=paint, store=store)


def count_queries(api: APIClient, url: str, params: dict) -> tuple[int, int]:
    """(queries, items) for one GET."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"brand": "shared", "store": "big", "available": "true", "sort": "range"},
        {"q": "brand 电动"},
        {"q": "brnd electric sedan", "available": "true"},
    ],
)
def test_it_runs_as_many_queries_for_100_models_as_for_10(api: APIClient, params: dict) -> None:
    store = TowerFactory(store=StoreFactory(slug="big"), levels=10, bays_per_level=12).store
    brand = BrandFactory(slug="shared")
    add_catalogue_models(10, store=store)
    CarModel.objects.update(brand=brand)
    query = {**params, "page_size": 100}
    queries_for_10, items = count_queries(api, MODELS_URL, query)
    assert items == 10

    add_catalogue_models(90, store=store)
    CarModel.objects.update(brand=brand)
    queries_for_100, items = count_queries(api, MODELS_URL, query)

    assert items == 100
    assert queries_for_100 == queries_for_10
    # A search reads the catalogue's names once more (for Chinese word breaks and typos).
    assert queries_for_10 <= 6 + ("q" in params)
