"""Chinese pages render their characters with our own web font on a machine without CJK fonts
(like the kiosk tablets, and the test machines): screenshots tell glyphs from empty boxes."""

import pytest
from playwright.sync_api import Page

from tests.e2e.journey.glyphs import chinese_characters, empty_boxes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit_in(page: Page, live_server, path: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{path}")


def test_a_chinese_page_draws_its_characters_not_boxes(page: Page, live_server, car_model, cars):
    visit_in(page, live_server, "/", "zh-hans")
    characters = chinese_characters(page)

    assert len(characters) > 20
    assert empty_boxes(page, characters[:40]) == []


def test_an_english_page_does_not_load_the_chinese_font(page: Page, live_server, car_model, cars):
    fonts: list[str] = []
    page.on("request", lambda request: fonts.append(request.url) if "noto-sans-sc" in request.url else None)

    visit_in(page, live_server, "/", "en")
    page.wait_for_load_state("networkidle")

    assert fonts == []
