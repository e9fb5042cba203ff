"""The issue's "done when": on a 390 px phone, in Chinese, a visitor goes from a car's page to
sign-up, booking (paying the fee: no credit report yet), pickup, and buying the car,
and no page on the way shows an empty glyph box."""

import logging
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.demo import demo_id_number
from testdrives.models import State, TestDrive
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in, testdrive_depart, testdrive_identity_verified
from tests.e2e.journey.glyphs import chinese_characters, empty_boxes
from tests.fixtures.world import TEN
from tests.signup_steps import finish_token, texted_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewport() -> str:
    return "phone"


def no_boxes(page: Page) -> None:
    characters = chinese_characters(page)
    assert characters, page.url
    assert empty_boxes(page, characters[:30]) == [], page.url


def test_a_visitor_signs_up_books_picks_up_and_buys_in_chinese_on_a_phone(
    page: Page, live_server, caplog, car_model, cars, store, staff, clock, django_capture_on_commit_callbacks
):
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.goto(f"{live_server.url}/cars/{car_model.slug}/")
    no_boxes(page)
    page.locator("[data-book-link]").click()

    # Not logged in: the login page, whose sign-up link keeps the car.
    page.locator("[data-signup-link]").click()
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        page.fill("#id_mobile", "13700002222")
        page.locator("form.members-form button[type=submit]").click()
        expect(page.locator("#id_code")).to_be_visible()
    no_boxes(page)
    page.fill("#id_code", texted_code(caplog, "2222"))
    page.fill("#id_email", "journey@example.com")
    page.fill("#id_password", "a-long-journey-pass-9")
    page.fill("#id_password_again", "a-long-journey-pass-9")
    page.fill("#id_full_name", "李明")
    page.fill("#id_id_number", demo_id_number(date(1990, 5, 17), 7))
    page.fill("#id_licence_number", "DL30303030")
    page.fill("#id_licence_expires_on", (timezone.localdate() + timedelta(days=2000)).isoformat())
    page.locator("#id_accept_privacy").check()
    page.locator("form.members-form button[type=submit]").click()
    page.goto(f"{live_server.url}/account/signup/finish/{finish_token('journey@example.com')}/")
    page.locator("button[type=submit]").last.click()

    # Back on the car's booking page: with no credit report yet, the member books by paying the fee.
    expect(page).to_have_url(
        f"{live_server.url}/drives/book/{car_model.slug}/?paint={car_model.paints.get().pk}"
    )
    no_boxes(page)
    expect(page.locator('[data-decision="allowed_with_fee"]')).to_be_visible()
    page.locator(f'input[name="slot"][value="{TEN.isoformat()}"]').check()
    page.locator("[data-book]").click()
    expect(page.locator("[data-pickup-code]")).to_be_visible()
    page.locator('form[action$="/pay/"] button').click()
    expect(page.locator('[data-event="paid"]')).to_be_visible()
    no_boxes(page)

    td = TestDrive.objects.get(member__user__username="journey@example.com")
    clock.move_to(TEN)
    kiosk, _ = kiosk_create(store=store, name="Entrance", by=staff)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="ID seen")
    testdrive_depart(test_drive=td)

    page.reload()
    expect(page.locator("[data-return-code]")).to_be_visible()
    page.locator("a[data-buy]").click()
    page.locator('input[name="method"][value="full"]').check()
    no_boxes(page)
    page.locator("button[data-buy]").click()

    # The purchase page: what happens next, in Chinese.
    expect(page.locator('[data-order-status="paid"]')).to_be_visible()
    expect(page.locator('[data-step="contract_signed"]')).to_have_attribute("data-step-status", "current")
    no_boxes(page)
    assert TestDrive.objects.get(pk=td.pk).state == State.PURCHASED
