"""In headless Chromium: a member books on the portal, then checks in at the kiosk and drives off."""

import re

import pytest
from playwright.sync_api import Page, expect

from testdrives.models import State, TestDrive
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_identity_verified

# Queued tasks run in-process, as they did beside the test-drive tests.
from tests.browser_support import log_in
from tests.fixtures.world import TEN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


def test_a_member_books_then_picks_the_car_up_at_the_kiosk(
    page: Page, live_server, super_member, car_model, cars, store, staff, clock
):
    log_in(page, live_server, super_member.user)

    page.goto(f"{live_server.url}/drives/book/{car_model.slug}/")
    page.locator('input[name="slot"][value="2026-12-01T10:00:00+08:00"]').check()
    page.locator("[data-book]").click()

    code = page.locator("[data-pickup-code]")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{8}$"))
    pickup_code = code.inner_text()
    td = TestDrive.objects.get(pickup_code=pickup_code)
    assert td.member == super_member

    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="Entrance", by=staff)
    kiosk = page.context.browser.new_page()
    kiosk.goto(f"{live_server.url}/kiosk/sign-in/")
    kiosk.fill("#token", token)
    kiosk.get_by_role("button").last.click()
    kiosk.fill("#code", pickup_code.lower())
    kiosk.locator("[data-check-in]").click()
    expect(kiosk.locator('.kiosk-status[data-state="checked_in"]')).to_be_visible()

    testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")

    # The status region polls: the car appears without a reload.
    expect(kiosk.locator('.kiosk-status[data-state="ready"]')).to_be_visible(timeout=10_000)
    kiosk.locator("[data-open-gate]").click()
    expect(kiosk.locator('.kiosk-status[data-state="on_drive"]')).to_be_visible()
    td.refresh_from_db()
    assert td.state == State.ON_DRIVE
