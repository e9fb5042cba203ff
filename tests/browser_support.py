"""Helpers for the browser tests: a logged-in session without going through the login page."""

from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page


def log_in(page: Page, live_server: Any, user: Any) -> None:
    """Give the browser the session cookie of a logged-in ``user`` (login has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
