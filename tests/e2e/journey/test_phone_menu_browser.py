"""On a 390 px phone, in both languages, the menu shows every link of a logged-in member on screen:
nothing hides off to the side in a row that scrolls."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import log_in
from tests.e2e.journey.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewport() -> str:
    return "phone"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_menu_link_is_on_screen_on_a_phone(page: Page, live_server, super_member, language):
    log_in(page, live_server, super_member.user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(f"{live_server.url}/drives/")

    links = page.locator(".site-nav a")
    expect(links).to_have_count(7)  # with "Saved cars"
    for i in range(links.count()):
        link = links.nth(i)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], link.inner_text()
    nav_scrolls = page.evaluate(
        "(() => { const n = document.querySelector('.site-nav'); return n.scrollWidth > n.clientWidth; })()"
    )
    assert not nav_scrolls
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
