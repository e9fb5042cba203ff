"""A customer on a phone uploads a photo, reads the suggestions, and opens the model page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.snapcar import car_photo_bytes, rephotograph

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    """A phone photo of our Ferrari catalogue picture."""
    path = tmp_path / "snap.jpg"
    path.write_bytes(rephotograph(car_photo_bytes("00036.jpg")))
    return path


@pytest.mark.usefixtures("catalogue")
def test_a_customer_uploads_a_photo_sees_suggestions_and_opens_the_model(
    page: Page, live_server, snapshot_file: Path
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Snap a car").click()
    expect(page.get_by_text("Results are suggestions")).to_be_visible()

    page.get_by_label("Photo of a car").set_input_files(str(snapshot_file))
    page.get_by_role("button", name="Find this car").click()

    results = page.locator("#snapcar-results")
    expect(results).to_contain_text("Closest cars in our catalogue")
    expect(results).to_contain_text("photo of our catalogue picture")
    expect(results.locator("#snapcar-paint")).to_contain_text("red")
    results.get_by_role("link", name="Ferrari 458 Italia").click()

    expect(page).to_have_url(re.compile(r"/cars/ferrari-458/\?paint=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("458 Italia")
    expect(page.locator("#paint-name")).to_contain_text("Racing Red")


@pytest.mark.usefixtures("catalogue")
def test_the_upload_works_without_javascript(browser, live_server, snapshot_file: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/snap/")
        page.get_by_label("Photo of a car").set_input_files(str(snapshot_file))
        page.get_by_role("button", name="Find this car").click()

        expect(page.locator("#snapcar-results")).to_contain_text("Ferrari 458 Italia")
        expect(page.locator("#snapcar-results")).to_contain_text("photo of our catalogue picture")
    finally:
        context.close()
