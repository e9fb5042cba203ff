"""Saved cars in the portal: the save button on the cards and the model page (htmx, and a plain
form without JS), "my saved cars", and what they cost in queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fleet.models import CarModel, Store
from members.models import Favourite, Member
from members.selectors import member_export_data
from members.services.favourites import favourite_save
from tests.factories import CarModelFactory, MemberFactory, PaintFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client: Client, member: Member) -> Client:
    client.force_login(member.user)
    return client


def toggle_url(car_model: CarModel) -> str:
    return reverse("members:favourite_toggle", args=[car_model.slug])


def test_it_saves_and_forgets_a_model_with_a_plain_form(portal, member, car_model):
    response = portal.post(toggle_url(car_model), {"next": "/?q=suv"})

    assert response.status_code == 302
    assert response["Location"] == "/?q=suv"
    assert Favourite.objects.filter(member=member, car_model=car_model).exists()

    portal.post(toggle_url(car_model))
    assert not Favourite.objects.filter(member=member).exists()


def test_it_does_not_send_the_member_to_another_site(portal, car_model):
    response = portal.post(toggle_url(car_model), {"next": "https://evil.example/"})

    assert response["Location"] == car_model.get_absolute_url()


def test_htmx_gets_the_button_redrawn(portal, car_model):
    response = portal.post(toggle_url(car_model), headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-pressed="true"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_a_get_after_logging_in_changes_nothing(portal, member, car_model):
    response = portal.get(toggle_url(car_model))

    assert response["Location"] == car_model.get_absolute_url()
    assert not Favourite.objects.exists()


def test_a_visitor_is_sent_to_log_in(client, car_model):
    response = client.post(toggle_url(car_model))

    assert response.status_code == 302
    assert reverse("members:login") in response["Location"]


def test_the_cards_and_the_model_page_show_what_is_saved(portal, member, car_model, cars):
    other = CarModelFactory()
    favourite_save(member=member, car_model=car_model)

    catalogue = portal.get("/").content.decode()
    page = portal.get(car_model.get_absolute_url()).content.decode()

    assert f'data-favourite="{car_model.slug}"' in catalogue
    assert catalogue.count('aria-pressed="true"') == 1
    assert f'data-favourite="{other.slug}"' in catalogue
    assert 'aria-pressed="true"' in page
    assert 'id="favourite-form"' in page


def test_visitors_save_buttons_go_to_the_login_page(client, car_model, cars):
    catalogue = client.get("/").content.decode()

    assert f'id="favourite-login-form" method="get" action="{reverse("members:login")}"' in catalogue
    assert f'name="next" value="{car_model.get_absolute_url()}"' in catalogue
    assert "aria-pressed" not in catalogue


def test_the_card_cache_keeps_members_saved_cars_apart(client, member, car_model, cars, settings):
    settings.CATALOGUE_CACHE_SECONDS = 60
    favourite_save(member=member, car_model=car_model)
    assert "aria-pressed" not in client.get("/").content.decode()  # a visitor fills the cache

    client.force_login(member.user)
    assert 'aria-pressed="true"' in client.get("/").content.decode()


def test_my_saved_cars_lists_them_with_what_is_free_now(portal, member, car_model, cars):
    favourite_save(member=member, car_model=car_model)

    response = portal.get(reverse("members:favourites"))

    body = response.content.decode()
    assert response.status_code == 200
    assert car_model.get_absolute_url() in body
    assert "2 free to book now" in body or "2 辆现在可以预约" in body


def test_it_changes_the_paint_store_and_alert(portal, member, car_model, store: Store):
    paint = PaintFactory(car_model=car_model)
    favourite = favourite_save(member=member, car_model=car_model)
    prefix = f"f{favourite.pk}"

    response = portal.post(
        reverse("members:favourite_update", args=[favourite.pk]),
        {f"{prefix}-paint": paint.pk, f"{prefix}-store": store.pk},
    )

    assert response.status_code == 302
    favourite.refresh_from_db()
    assert (favourite.paint, favourite.store, favourite.notify) == (paint, store, False)


def test_it_refuses_a_paint_of_another_model(portal, member, car_model):
    favourite = favourite_save(member=member, car_model=car_model)
    foreign = PaintFactory()

    portal.post(
        reverse("members:favourite_update", args=[favourite.pk]), {f"f{favourite.pk}-paint": foreign.pk}
    )

    favourite.refresh_from_db()
    assert favourite.paint is None


def test_it_removes_one(portal, member, car_model):
    favourite = favourite_save(member=member, car_model=car_model)

    portal.post(reverse("members:favourite_delete", args=[favourite.pk]))

    assert not Favourite.objects.filter(pk=favourite.pk).exists()


def test_another_members_saved_car_is_not_found(portal, car_model):
    theirs = favourite_save(member=MemberFactory(), car_model=car_model)

    response = portal.post(reverse("members:favourite_delete", args=[theirs.pk]))

    assert response.status_code == 404


def test_my_saved_cars_costs_the_same_for_one_and_ten(portal, member):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert portal.get(reverse("members:favourites")).status_code == 200
        return len(ctx.captured_queries)

    favourite_save(member=member, car_model=VehicleFactory().car_model)
    one = cost()
    for _ in range(9):
        favourite_save(member=member, car_model=VehicleFactory().car_model)

    assert cost() == one


def test_the_catalogue_costs_a_member_one_query_for_the_saved_cars(client, member, cars):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    visitor = cost()
    client.force_login(member.user)
    cost()  # the session's first read
    signed_in = cost()
    for _ in range(5):
        favourite_save(member=member, car_model=CarModelFactory())

    # The same however many are saved; over a visitor's: the session, the user, the face-retake
    # check (biometrics' context) and the saved models.
    assert cost() == signed_in
    assert signed_in - visitor == 4


def test_the_model_page_saves_the_chosen_paint_and_store(portal, member, car_model, paint, store, cars):
    page = portal.get(car_model.get_absolute_url()).content.decode()
    assert 'name="store"' in page
    assert 'name="paint"' in page

    portal.post(toggle_url(car_model), {"paint": paint.pk, "store": store.pk}, headers={"HX-Request": "true"})

    favourite = Favourite.objects.get(member=member)
    assert (favourite.paint, favourite.store) == (paint, store)


def test_a_paint_of_another_model_from_the_page_counts_as_any(portal, member, car_model):
    portal.post(toggle_url(car_model), {"paint": PaintFactory().pk, "store": "junk"})

    favourite = Favourite.objects.get(member=member)
    assert (favourite.paint, favourite.store) == (None, None)


def test_the_export_and_the_admin_list_the_saved_cars(member, car_model, store, admin_client):
    favourite_save(member=member, car_model=car_model, store=store)

    exported = member_export_data(member=member)["saved_cars"]
    assert exported == [
        {
            "car_model": str(car_model),
            "paint": None,
            "store": store.name,
            "tell_me_when_free": True,
            "saved_at": exported[0]["saved_at"],
        }
    ]
    assert admin_client.get(reverse("admin:members_favourite_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:members_favouritealert_changelist")).status_code == 200
