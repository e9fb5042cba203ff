"""The customer's journey in headless Chromium: the test-drive fixtures (a store open 10:00–20:00,
a frozen clock at 09:00 on a Tuesday, members above and below the credit bar), a phone-sized
browser and a way to log a member in."""

from typing import Any

import pytest

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
