"""In headless Chromium on a phone: a member out on a drive keeps the car longer, then swaps it for
another model; at the kiosk the first car's return goes straight on to the second car's pickup."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from testdrives.models import State, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in, testdrive_depart, testdrive_identity_verified
from tests.browser_support import log_in
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory
from tests.fixtures.world import TEN
from tests.returns_support import four_sides

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]
PHONE = {"width": 390, "height": 844}


def test_a_member_extends_then_swaps_and_picks_the_new_car_up_at_the_kiosk(
    page: Page, live_server, super_member, car_model, paint, cars, store, staff, clock
):
    other = PaintFactory(car_model=CarModelFactory(msrp_cny=300_000))
    VehicleFactory(store=store, car_model=other.car_model, paint=other)
    clock.move_to(TEN)
    kiosk, token = kiosk_create(store=store, name="Entrance", by=staff)
    td = testdrive_book(member=super_member, car_model=car_model, paint=paint, store=store, slot_start=TEN)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")
    td = testdrive_depart(test_drive=td)
    first_due = td.due_back_at
    clock.move_to(TEN + timedelta(days=1))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, super_member.user)

    page.goto(f"{live_server.url}/drives/{td.pk}/")
    page.locator("[data-extend]").click()
    page.locator("[data-extend-hours]").select_option("3")
    page.locator("[data-extend-submit]").click()
    expect(page.locator('[data-event="extended"]')).to_be_visible()
    td.refresh_from_db()
    assert td.due_back_at == first_due + timedelta(hours=3)

    page.locator("[data-swap]").click()
    page.locator("[data-swap-paint]").select_option(str(other.pk))
    page.locator("[data-swap-submit]").click()
    expect(page.locator("[data-swapped-from]")).to_be_visible()
    swap = TestDrive.objects.get(swap_of=td)
    expect(page.locator("[data-pickup-code]")).to_have_text(swap.pickup_code)

    kiosk_page = page.context.browser.new_page()
    kiosk_page.goto(f"{live_server.url}/kiosk/sign-in/")
    kiosk_page.fill("#token", token)
    kiosk_page.get_by_role("button").last.click()
    kiosk_page.goto(f"{live_server.url}/kiosk/return/")
    kiosk_page.fill("#id_return_code", td.return_code)
    kiosk_page.fill("#id_odometer_km", str(td.odometer_out_km + 90))
    kiosk_page.fill("#id_energy_pct", "55")
    for side, upload in four_sides().items():
        kiosk_page.set_input_files(
            f"#id_{side}", {"name": upload.name, "mimeType": "image/png", "buffer": upload.read()}
        )
    kiosk_page.locator("[data-return]").click()
    expect(kiosk_page.locator("[data-swap-next]")).to_be_visible()
    kiosk_page.locator("[data-swap-pickup]").click()
    expect(kiosk_page.locator('.kiosk-status[data-state="checked_in"]')).to_be_visible()

    testdrive_identity_verified(test_drive=swap, method="staff", by=staff, note="licence and ID card seen")
    expect(kiosk_page.locator('.kiosk-status[data-state="ready"]')).to_be_visible(timeout=10_000)
    kiosk_page.locator("[data-open-gate]").click()
    expect(kiosk_page.locator('.kiosk-status[data-state="on_drive"]')).to_be_visible()
    swap.refresh_from_db()
    assert swap.state == State.ON_DRIVE
    assert swap.due_back_at == first_due + timedelta(hours=3)
