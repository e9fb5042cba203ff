"""Saved cars on a phone: a member saves models from the cards (htmx, no reload) and from a model
page, sets the store and paint on "my saved cars", and is told once when one comes back; without
JavaScript the same button is a plain form."""

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from fleet.models import CarModel, Vehicle, VehicleStatus
from fleet.services import vehicle_place, vehicle_take_out
from members.models import Favourite, Member
from tests.browser_support import log_in
from tests.factories import (
    BrandFactory,
    CarModelFactory,
    MemberFactory,
    PaintFactory,
    TowerFactory,
    VehicleFactory,
)

# Queued tasks (the check after a car comes back, the delivery) run in-process.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue() -> dict[str, CarModel]:
    store = TowerFactory(levels=3, bays_per_level=10).store
    byd = BrandFactory(name="BYD", name_zh="比亚迪", slug="byd")
    models = {
        "seal": CarModelFactory(brand=byd, name="Seal", name_zh="海豹", slug="seal"),
        "han": CarModelFactory(brand=byd, name="Han EV", name_zh="汉EV", slug="han"),
    }
    for car_model in models.values():
        VehicleFactory(car_model=car_model, paint=PaintFactory(car_model=car_model), store=store)
    return models


@pytest.fixture
def member() -> Member:
    return MemberFactory(preferred_language="en", user__email="wang@example.com")


def save_button(page: Page, slug: str):
    return page.locator(f'[data-favourite="{slug}"]')


def test_a_member_saves_cars_on_a_phone_and_hears_once_when_one_is_back(
    page: Page, live_server, catalogue: dict[str, CarModel], member: Member
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server, member.user)
    page.goto(live_server.url + "/")
    page.evaluate("window.notReloaded = true")

    save_button(page, "seal").click()

    expect(save_button(page, "seal")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the button only
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(live_server.url + catalogue["han"].get_absolute_url())
    save_button(page, "han").click()
    expect(save_button(page, "han")).to_have_attribute("aria-pressed", "true")

    page.goto(live_server.url + "/account/saved-cars/")
    seal = page.locator('[data-saved-car="seal"]')
    expect(seal).to_contain_text("Seal")
    expect(page.locator('[data-saved-car="han"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    seal.get_by_label("Store").select_option(index=1)  # the one store, not "any"
    seal.get_by_role("button", name="Save changes").click()
    page.locator('[data-saved-car="han"]').get_by_role("button", name="Remove").click()
    expect(page.locator('[data-saved-car="han"]')).to_have_count(0)
    assert Favourite.objects.get(member=member).store is not None

    # Both Seals go to the workshop and come back one after the other: one message.
    car = Vehicle.objects.get(car_model=catalogue["seal"])
    bay = car.bay
    vehicle_take_out(vehicle=car, status=VehicleStatus.MAINTENANCE)
    second = VehicleFactory(
        car_model=catalogue["seal"], paint=car.paint, store=car.store, status=VehicleStatus.MAINTENANCE
    )
    vehicle_place(vehicle=Vehicle.objects.get(pk=car.pk), bay=bay)
    vehicle_place(vehicle=second, bay=bay.tower.bays.filter(kind="storage", vehicle__isnull=True).first())

    told = [m for m in mail.outbox if m.to == ["wang@example.com"]]
    assert len(told) == 1
    assert "Seal" in told[0].body


def test_without_javascript_the_save_button_is_a_form(
    browser: Browser, live_server, catalogue: dict[str, CarModel], member: Member
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, live_server, member.user)
        page.goto(live_server.url + "/?q=seal")

        save_button(page, "seal").click()

        expect(page).to_have_url(live_server.url + "/?q=seal")  # back where they were
        expect(save_button(page, "seal")).to_have_attribute("aria-pressed", "true")
        assert Favourite.objects.filter(member=member, car_model=catalogue["seal"]).exists()
    finally:
        context.close()


def test_a_visitor_is_asked_to_log_in_first(page: Page, live_server, catalogue: dict[str, CarModel]) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    save_button(page, "seal").click()

    expect(page).to_have_url(f"{live_server.url}/account/login/?next=%2Fcars%2Fseal%2F")
