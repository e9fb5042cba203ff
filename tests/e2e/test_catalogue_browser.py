"""A new visitor on a phone: filter the catalogue, open a model, switch paint, switch to Chinese."""

import re

import pytest
from playwright.sync_api import Page, expect

from fleet.models import CarModel, Paint
from tests.factories import BrandFactory, CarModelFactory, PaintFactory, TowerFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seal() -> CarModel:
    store = TowerFactory(levels=3, bays_per_level=10).store
    seal = CarModelFactory(
        brand=BrandFactory(name="BYD", name_zh="比亚迪", slug="byd"),
        name="Seal",
        name_zh="海豹",
        slug="seal",
        body_type="sedan",
    )
    blue = PaintFactory(car_model=seal, name="Arctic Blue", name_zh="极地蓝", hex="#A7C4E0", position=0)
    PaintFactory(car_model=seal, name="Crimson", name_zh="绯红", hex="#B3261E", position=1)
    ranger = CarModelFactory(
        brand=BrandFactory(name="Ford", name_zh="福特", slug="ford"),
        name="Ranger",
        name_zh="游骑侠",
        body_type="pickup",
        powertrain="ice",
        electric_range_km=None,
        energy_kwh_per_100km=None,
        fuel_l_per_100km="9.8",
    )
    VehicleFactory(car_model=seal, paint=blue, store=store)
    VehicleFactory(car_model=ranger, paint=PaintFactory(car_model=ranger), store=store)
    return seal


def mark_document(page: Page) -> None:
    """Tag the loaded document; the tag survives an htmx swap but not a full page load."""
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


@pytest.mark.usefixtures("chinese_catalogue")
def test_a_visitor_filters_opens_a_model_switches_paint_and_language(
    page: Page, live_server, seal: CarModel
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    results = page.locator("#results")
    expect(results).to_contain_text("2 cars")
    expect(results).to_contain_text("Ranger")
    mark_document(page)

    # Filter: open the folded panel and pick a brand; htmx redraws only the results.
    page.get_by_text("Filters", exact=True).click()
    page.locator(".chip", has_text="BYD").click()
    expect(results).to_contain_text("1 car")
    expect(results).not_to_contain_text("Ranger")
    expect(page).to_have_url(re.compile(r"brand=byd"))
    assert still_same_document(page)

    # Open the model.
    results.get_by_role("link", name="Seal").click()
    expect(page).to_have_url(re.compile(r"/cars/seal/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Seal")
    gallery = page.locator("#gallery")
    expect(gallery.get_by_role("img")).to_have_attribute(
        "aria-label", "BYD Seal in Arctic Blue (illustration)"
    )
    mark_document(page)

    # Switch paint: only the gallery changes, the address follows.
    crimson = Paint.objects.get(car_model=seal, name="Crimson")
    gallery.get_by_role("link", name="Crimson").click()
    expect(page.locator("#paint-name")).to_contain_text("Crimson")
    expect(gallery.get_by_role("img")).to_have_attribute("aria-label", "BYD Seal in Crimson (illustration)")
    expect(page).to_have_url(re.compile(rf"\?paint={crimson.pk}$"))
    expect(gallery.locator(f"#paint-{crimson.pk}")).to_have_attribute("aria-current", "true")
    assert still_same_document(page)

    # Switch to Chinese: the page comes back on the same address, in Chinese.
    page.get_by_role("button", name="中文").click()
    expect(page.locator(".brand-mark")).to_have_text("自动售车店")
    expect(page.get_by_role("heading", level=1)).to_have_text("海豹")
    expect(page.locator("#paint-name")).to_contain_text("绯红")
    expect(page.get_by_role("heading", name="参数配置")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/cars/seal/\?paint={crimson.pk}$"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"


@pytest.mark.usefixtures("seal")
def test_the_filters_work_without_javascript(browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.get_by_text("Filters", exact=True).click()
        page.locator(".chip", has_text="Pickup").click()
        page.get_by_role("button", name="Show cars").click()

        expect(page).to_have_url(re.compile(r"body=pickup"))
        expect(page.locator("#results")).to_contain_text("1 car")
        expect(page.locator("#results")).to_contain_text("Ranger")
        expect(page.locator("#results")).not_to_contain_text("Seal")
    finally:
        context.close()


def test_the_paint_swatches_work_without_javascript(browser, live_server, seal: CarModel) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/cars/seal/")
        page.locator("#gallery").get_by_role("link", name="Crimson").click()

        expect(page).to_have_url(re.compile(r"\?paint=\d+$"))
        expect(page.locator("#paint-name")).to_contain_text("Crimson")
    finally:
        context.close()
