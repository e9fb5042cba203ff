"""The booking page opens on a store and paint that have a car, says plainly when a paint has
none there with the alternatives, and never offers a Book button without a free window."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import PaintFactory, TowerFactory, VehicleFactory
from tests.fixtures.world import TEN, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, super_member):
    client.force_login(super_member.user)
    return client


@pytest.fixture
def pearl(car_model):
    """A paint listed for the model that no store has: created first, so it sorts first."""
    return PaintFactory(car_model=car_model, name="Pearl White")


@pytest.fixture
def black(car_model, pearl):
    return PaintFactory(car_model=car_model, name="Black")


@pytest.fixture
def other_store(db):
    return TowerFactory(store__name="Shanghai Hongqiao").store


def book_page(client, car_model, **query):
    response = client.get(reverse("testdrives:book", args=[car_model.slug]), query)
    assert response.status_code == 200
    return response


def test_it_opens_on_a_store_and_paint_that_have_a_car(logged_in, car_model, store, pearl, black):
    VehicleFactory(store=store, car_model=car_model, paint=black)

    response = book_page(logged_in, car_model)

    assert response.context["search"]["paint"] == black
    assert response.context["search"]["store"] == store
    assert "data-book" in response.content.decode()


def test_it_opens_on_the_store_with_the_paint_the_model_page_carried(
    logged_in, car_model, store, other_store, pearl, black
):
    VehicleFactory(store=store, car_model=car_model, paint=black)
    VehicleFactory(store=store, car_model=car_model, paint=black)
    VehicleFactory(store=other_store, car_model=car_model, paint=pearl)

    response = book_page(logged_in, car_model, paint=pearl.pk)

    assert response.context["search"]["paint"] == pearl
    assert response.context["search"]["store"] == other_store


def test_it_names_the_paints_and_stores_that_have_one_when_a_paint_has_none_here(
    logged_in, car_model, store, other_store, pearl, black
):
    VehicleFactory(store=store, car_model=car_model, paint=black)
    VehicleFactory(store=other_store, car_model=car_model, paint=pearl)

    response = book_page(logged_in, car_model, store=store.pk, paint=pearl.pk, day=TEN.date().isoformat())
    html = response.content.decode()

    assert f"No Pearl White {car_model.display_name} at {store.display_name}." in html
    assert f'data-alternative-paint="{black.pk}"' in html
    assert f'data-alternative-store="{other_store.pk}"' in html
    assert "data-book>" not in html


def test_it_offers_no_book_button_when_every_window_is_full(
    logged_in, book, car_model, store, paint, cars, basic_member
):
    # Both cars are promised from 10:00 for three days: every window of the day reads Full.
    book(make_member(score=760))
    book(make_member(score=760))

    response = book_page(logged_in, car_model, store=store.pk, paint=paint.pk, day=TEN.date().isoformat())
    html = response.content.decode()

    assert 'data-left="0"' in html
    assert "data-book>" not in html
    assert "data-all-full" in html


def test_the_times_fragment_varies_on_htmx_and_a_history_restore_gets_the_whole_page(
    logged_in, car_model, store, paint, cars
):
    query = {"store": store.pk, "paint": paint.pk, "day": TEN.date().isoformat()}
    url = reverse("testdrives:book", args=[car_model.slug])

    fragment = logged_in.get(url, query, HTTP_HX_REQUEST="true")
    restore = logged_in.get(url, query, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert "HX-Request" in fragment["Vary"]
    assert "<html" not in fragment.content.decode()
    assert "<html" in restore.content.decode()
    assert "HX-Request" in restore["Vary"]


def test_a_refused_second_booking_lists_only_the_active_drive_and_links_to_it(
    client, book, basic_member, car_model, store, paint, cars
):
    active = book(basic_member)
    other = PaintFactory(car_model__brand=car_model.brand).car_model
    client.force_login(basic_member.user)

    html = book_page(client, other).content.decode()

    assert 'data-decision="refused"' in html
    assert 'data-rule="quota_one_active"' in html
    assert f'href="{reverse("testdrives:detail", args=[active.pk])}" data-fix="quota_one_active"' in html
    assert '<li class="rule rule--fail" data-rule="credit_score"' not in html
    assert "data-charging" in html  # the fee is still said, as what they will pay


def test_the_refusal_links_each_fixable_rule_to_its_page(client, car_model, store, paint, cars, clock):
    member = make_member(score=620, consent=False, licence_expires_on=date(2026, 12, 2))
    client.force_login(member.user)

    html = book_page(client, car_model).content.decode()

    assert f'href="{reverse("members:account")}" data-fix="driving_licence"' in html
