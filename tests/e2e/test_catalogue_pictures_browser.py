"""On a phone: comparing a saloon, a hatchback and an SUV shows their size, boot and charging
rows and three different drawings, each named by its model and paint."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from fleet.models import CarModel
from tests.factories import BrandFactory, CarModelFactory, PaintFactory, TowerFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def three() -> dict[str, CarModel]:
    store = TowerFactory(levels=3, bays_per_level=10).store
    byd = BrandFactory(name="BYD", name_zh="比亚迪", slug="byd")
    models = {
        "seal": CarModelFactory(
            brand=byd, name="Seal", slug="seal", body_type="sedan", length_mm=4800, width_mm=1875,
            height_mm=1460, wheelbase_mm=2920, boot_litres=400, charge_ac_kw=Decimal(7), charge_dc_kw=150,
            charge_10_80_minutes=30,
        ),
        "dolphin": CarModelFactory(
            brand=byd, name="Dolphin", slug="dolphin", body_type="hatchback", length_mm=4290,
            height_mm=1570, wheelbase_mm=2700, boot_litres=345, charge_dc_kw=60,
        ),
        "explorer": CarModelFactory(
            brand=BrandFactory(name="Ford", name_zh="福特", slug="ford"), name="Explorer", slug="explorer",
            body_type="suv", powertrain="ice", electric_range_km=None, fuel_l_per_100km="10.3",
            length_mm=5063, height_mm=1783, wheelbase_mm=3025, boot_litres=515,
        ),
    }  # fmt: skip
    paints = {
        "seal": ("Arctic Blue", "#A7C4E0"),
        "dolphin": ("Coral", "#E8735A"),
        "explorer": ("Black", "#111111"),
    }
    for slug, car_model in models.items():
        name, hex_ = paints[slug]
        VehicleFactory(
            car_model=car_model, paint=PaintFactory(car_model=car_model, name=name, hex=hex_), store=store
        )
    return models


def test_a_visitor_compares_three_bodies_with_their_size_and_charging(
    page: Page, live_server, three: dict[str, CarModel]
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/compare/?models=seal,dolphin,explorer")

    table = page.locator(".compare-table")
    expect(page.locator("[data-compared]")).to_have_count(3)
    length = table.locator('tr[data-spec="length_mm"]')
    expect(length).to_contain_text("4800 mm")
    expect(length).to_contain_text("5063 mm")
    expect(table.locator('tr[data-spec="boot_litres"]')).to_contain_text("515 L")
    # Charging: the petrol SUV has no figure, a dash; a figure no model has is no row at all.
    dc = table.locator('tr[data-spec="charge_dc_kw"] td')
    expect(dc).to_have_text(["150 kW", "60 kW", "—"])
    expect(table.locator('tr[data-spec="width_mm"] td')).to_have_text(["1875 mm", "—", "—"])
    expect(table.locator('tr[data-spec="charge_ac_kw"]')).to_have_count(1)

    # Three drawings, named by model and paint, each its own body and size.
    pictures = page.get_by_role("img", name="illustration")
    expect(pictures).to_have_count(3)
    expect(page.get_by_role("img", name="BYD Seal in Arctic Blue (illustration)")).to_be_visible()
    expect(page.get_by_role("img", name="BYD Dolphin in Coral (illustration)")).to_be_visible()
    expect(page.get_by_role("img", name="Ford Explorer in Black (illustration)")).to_be_visible()
    drawn = pictures.evaluate_all(
        """svgs => svgs.map(svg => {
            const body = svg.querySelector('.car-illustration__body');
            const box = body.getBBox();
            return {body: svg.dataset.body, fill: body.getAttribute('fill'), d: body.getAttribute('d'),
                    width: box.width, height: box.height, shown: svg.getBoundingClientRect().width};
        })"""
    )
    assert [d["body"] for d in drawn] == ["sedan", "hatchback", "suv"]
    assert [d["fill"] for d in drawn] == ["#A7C4E0", "#E8735A", "#111111"]
    assert len({d["d"] for d in drawn}) == 3
    seal, dolphin, explorer = drawn
    # One scale: the Explorer is drawn longer and taller than the Seal, the Dolphin shorter.
    assert explorer["width"] > seal["width"] > dolphin["width"]
    assert explorer["height"] > dolphin["height"] > seal["height"]
    assert all(d["shown"] > 50 for d in drawn)
    # The wide table scrolls in its own box; the page does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_catalogue_cards_draw_each_model_differently(
    page: Page, live_server, three: dict[str, CarModel]
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    cards = page.locator(".card__media svg")
    expect(cards).to_have_count(3)
    shapes = cards.evaluate_all(
        "svgs => svgs.map(s => s.querySelector('.car-illustration__body').getAttribute('d'))"
    )
    assert len(set(shapes)) == 3
