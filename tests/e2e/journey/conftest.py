"""The customer's journey in headless Chromium: the test-drive fixtures (a store open 10:00–20:00,
a frozen clock at 09:00 on a Tuesday, members above and below the credit bar), a phone-sized
browser and a way to log a member in."""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def tasks_in_process(eager_tasks: None) -> None:
    """The journey's tasks (payments, the tower's instant moves) run in-process, as in the
    test-drive tests; no worker process is started here."""


@pytest.fixture(params=["desktop", "phone"])
def viewport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], viewport: str) -> dict[str, Any]:
    if viewport == "phone":
        return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    return browser_context_args


def log_in(page: Page, live_server: Any, user: Any) -> None:
    """Give the browser the session cookie of a logged-in ``user`` (login has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
