"""Choosing a car on a phone: search the catalogue (both languages, a typo, nothing found) and
compare models picked from the cards and from a model page."""

import re

import pytest
from playwright.sync_api import Page, expect

from fleet.models import CarModel
from tests.factories import BrandFactory, CarModelFactory, PaintFactory, TowerFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue() -> dict[str, CarModel]:
    store = TowerFactory(levels=3, bays_per_level=10).store
    byd = BrandFactory(name="BYD", name_zh="比亚迪", slug="byd")
    models = {
        "seal": CarModelFactory(brand=byd, name="Seal", name_zh="海豹", slug="seal", msrp_cny=179_800),
        "song": CarModelFactory(
            brand=byd, name="Song Plus", name_zh="宋PLUS", slug="song", body_type="suv", powertrain="phev"
        ),
        "model-y": CarModelFactory(
            brand=BrandFactory(name="Tesla", name_zh="特斯拉", slug="tesla"),
            name="Model Y",
            name_zh="Model Y",
            slug="model-y",
            body_type="suv",
            msrp_cny=263_500,
        ),
    }
    for car_model in models.values():
        VehicleFactory(car_model=car_model, paint=PaintFactory(car_model=car_model), store=store)
    return models


def search(page: Page, words: str) -> None:
    box = page.get_by_role("searchbox")
    box.fill(words)
    box.press("Enter")


def test_a_visitor_searches_in_chinese_with_a_typo_and_for_something_we_do_not_have(
    page: Page, live_server, catalogue: dict[str, CarModel]
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    results = page.locator("#results")
    expect(results).to_contain_text("3 cars")

    search(page, "比亚迪 SUV")
    expect(results).to_contain_text("1 car")
    expect(results).to_contain_text("Song Plus")
    # The address carries the search, so it can be shared or reloaded.
    expect(page).to_have_url(re.compile(r"\?q=%E6%AF%94%E4%BA%9A%E8%BF%AA(\+|%20)SUV"))

    search(page, "tesle")
    expect(results).to_contain_text("Model Y")
    expect(results).not_to_contain_text("Seal")

    search(page, "Teslaa Modle Z")
    expect(results).to_contain_text("Did you mean:")
    results.get_by_role("link", name="Tesla Model Y").click()
    expect(page.get_by_role("searchbox")).to_have_value("Tesla Model Y")
    expect(page.locator("#results")).to_contain_text("1 car")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_visitor_compares_cars_from_the_cards_and_adds_one_from_the_list(
    page: Page, live_server, catalogue: dict[str, CarModel]
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.locator('input[name="models"][value="seal"]').check()
    page.locator('input[name="models"][value="model-y"]').check()
    page.get_by_role("button", name="Compare ticked cars").click()

    expect(page).to_have_url(live_server.url + "/compare/?models=seal&models=model-y")
    table = page.locator(".compare-table")
    expect(table).to_contain_text("¥179,800")
    expect(table).to_contain_text("¥263,500")

    page.get_by_label("Add a model").select_option("song")
    page.get_by_role("button", name="Add to comparison").click()
    expect(page.locator("[data-compared]")).to_have_count(3)

    page.get_by_role("link", name="Remove Seal").click()
    expect(page.locator("[data-compared]")).to_have_count(2)
    expect(page).to_have_url(live_server.url + "/compare/?models=model-y,song")
    # A wide table scrolls inside its own box; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_visitor_starts_a_comparison_from_a_model_page(
    page: Page, live_server, catalogue: dict[str, CarModel]
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/cars/seal/")
    page.get_by_role("link", name="Compare with other models").click()
    expect(page.locator("[data-compared]")).to_have_count(1)
    expect(page.get_by_label("Add a model")).to_be_visible()
