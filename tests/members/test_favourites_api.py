"""Saved cars in the API: /api/v1/me/favourites/ (list), save/ (save or change), <slug>/delete/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken
from rest_framework.test import APIClient

from members.models import Favourite, Member
from members.services.favourites import favourite_save
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/me/favourites/"
SAVE = "/api/v1/me/favourites/save/"


@pytest.fixture
def api(member: Member) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=member.user)[1]}")
    return client


def test_it_saves_a_model_with_paint_and_store(api, member, car_model, paint, store, cars):
    response = api.post(
        SAVE, {"car_model": car_model.slug, "paint_id": paint.pk, "store": store.slug}, format="json"
    )

    assert response.status_code == 200
    assert response.json() | {"saved_at": None, "name": None} == {
        "car_model": car_model.slug,
        "name": None,
        "paint_id": paint.pk,
        "store": store.slug,
        "notify": True,
        "available_count": 2,
        "saved_at": None,
    }
    assert Favourite.objects.get(member=member).paint == paint


def test_saving_again_changes_the_saved_car(api, member, car_model, store):
    favourite_save(member=member, car_model=car_model, store=store)

    api.post(SAVE, {"car_model": car_model.slug, "notify": False}, format="json")

    favourite = Favourite.objects.get(member=member)
    assert (favourite.store, favourite.notify) == (None, False)


def test_it_lists_them_newest_first(api, member):
    first, second = CarModelFactory(), CarModelFactory()
    favourite_save(member=member, car_model=first)
    favourite_save(member=member, car_model=second)

    response = api.get(LIST)

    assert [row["car_model"] for row in response.json()] == [second.slug, first.slug]


def test_it_refuses_a_paint_of_another_model(api, car_model):
    response = api.post(SAVE, {"car_model": car_model.slug, "paint_id": PaintFactory().pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "favourite_refused"


def test_it_refuses_an_unknown_store_and_model(api, car_model):
    assert api.post(SAVE, {"car_model": car_model.slug, "store": "nowhere"}, format="json").status_code == 400
    assert api.post(SAVE, {"car_model": "no-such-car"}, format="json").status_code == 404


def test_it_forgets_one(api, member, car_model):
    favourite_save(member=member, car_model=car_model)

    assert api.post(f"/api/v1/me/favourites/{car_model.slug}/delete/").status_code == 204
    assert api.post(f"/api/v1/me/favourites/{car_model.slug}/delete/").status_code == 404


def test_a_visitor_gets_401():
    assert APIClient().get(LIST).status_code == 401


def test_the_list_costs_the_same_for_one_and_ten(api, member):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    favourite_save(member=member, car_model=VehicleFactory().car_model)
    one = cost()
    for _ in range(9):
        favourite_save(member=member, car_model=VehicleFactory().car_model)

    assert cost() == one


def test_the_schema_documents_them():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    assert {LIST, SAVE, "/api/v1/me/favourites/{slug}/delete/", "/api/v1/testdrives/{id}/car/"} <= set(paths)
    purchase = schema["components"]["schemas"]["PurchaseInputRequest"]["properties"]
    assert "vin" in purchase
