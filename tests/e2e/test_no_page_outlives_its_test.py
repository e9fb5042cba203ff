"""Issue 13, item 10: a page a browser test opens itself is closed with the test.

The flaky admin test got its ``response.context`` from a kiosk page another test had left open:
it kept polling the session-wide live server, whose thread renders templates that Django's test
client records for whatever request the main thread is making. These two tests run in order: the
first leaves a polling page open, the second listens for renders from any other thread.
"""

import threading
import time

import pytest
from django.test.signals import template_rendered
from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_test_that_leaves_a_polling_page_open(browser: Browser, live_server) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/")
    page.evaluate("setInterval(() => fetch('/'), 100)")  # polls, as the kiosk's status region does
    page.wait_for_timeout(300)


def test_no_template_is_rendered_for_a_page_of_an_earlier_test(live_server) -> None:
    main = threading.get_ident()
    from_other_threads: list[str] = []

    def record(sender: object, template: object, **kwargs: object) -> None:
        if threading.get_ident() != main:
            from_other_threads.append(getattr(template, "name", "?"))

    template_rendered.connect(record)
    try:
        time.sleep(1.0)
    finally:
        template_rendered.disconnect(record)

    assert from_other_threads == []
