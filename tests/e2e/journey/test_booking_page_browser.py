"""In headless Chromium, on a desktop and a 390 px phone: the paint chosen on the model page
carries into booking, the booking page opens on a car that exists, and a paint with none at the
store says so, offers the alternatives and no Book button."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import log_in
from tests.factories import PaintFactory, TowerFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paints(car_model, store):
    """Pearl White (listed first, one car, at Hongqiao) and Black (two cars here)."""
    pearl = PaintFactory(car_model=car_model, name="Pearl White")
    black = PaintFactory(car_model=car_model, name="Black")
    VehicleFactory(store=store, car_model=car_model, paint=black)
    VehicleFactory(store=store, car_model=car_model, paint=black)
    hongqiao = TowerFactory(store__name="Hongqiao").store
    VehicleFactory(store=hongqiao, car_model=car_model, paint=pearl)
    return pearl, black, hongqiao


def test_the_paint_chosen_on_the_model_page_carries_into_booking(
    page: Page, live_server, super_member, car_model, store, paints, clock
):
    _, black, _ = paints
    log_in(page, live_server, super_member.user)

    page.goto(f"{live_server.url}/cars/{car_model.slug}/")
    page.locator(f"#paint-{black.pk}").click()
    expect(page.locator("#paint-name")).to_contain_text("Black")
    page.locator("[data-book-link]").click()

    expect(page.locator("#id_paint")).to_have_value(str(black.pk))
    expect(page.locator("#id_store")).to_have_value(str(store.pk))
    expect(page.locator("[data-book]")).to_be_visible()


def test_a_paint_with_no_car_here_names_the_alternatives_and_offers_no_book_button(
    page: Page, live_server, super_member, car_model, store, paints, clock
):
    pearl, black, hongqiao = paints
    log_in(page, live_server, super_member.user)

    page.goto(f"{live_server.url}/drives/book/{car_model.slug}/")
    expect(page.locator("#id_paint")).to_have_value(str(black.pk))
    page.locator("#id_paint").select_option(str(pearl.pk))

    notice = page.locator("[data-no-car]")
    expect(notice).to_contain_text(f"No Pearl White {car_model.display_name}")
    expect(page.locator("[data-book]")).to_have_count(0)
    notice.locator(f'[data-alternative-store="{hongqiao.pk}"]').click()
    expect(page.locator("#id_store")).to_have_value(str(hongqiao.pk))
    expect(page.locator("[data-book]")).to_be_visible()


def test_back_after_booking_shows_the_whole_booking_page(
    page: Page, live_server, super_member, car_model, store, paint, cars, clock
):
    log_in(page, live_server, super_member.user)
    page.goto(f"{live_server.url}/drives/book/{car_model.slug}/")
    # A change goes through htmx and pushes the address whose answer was a fragment.
    for day in (1, 0):
        # Each swap is asynchronous: wait for it to land before the next step.
        with page.expect_response(lambda response: "day=" in response.url):
            page.locator("#id_day").select_option(index=day)
        page.wait_for_load_state("networkidle")
    page.locator('input[name="slot"][value="2026-12-01T10:00:00+08:00"]').check()
    page.locator("[data-book]").click()
    expect(page.locator("[data-pickup-code]")).to_be_visible()

    page.go_back()

    expect(page.locator("h1")).to_contain_text("Book a test drive")
    expect(page.locator("form.slot-search")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px"  # our stylesheet, not bare
