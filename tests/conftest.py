import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
# from that thread by fixtures and the live server are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Debian's chromium, never a browser Playwright downloads; no background traffic (the machine
# is offline, and Chromium's own update and sync calls would only fail).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def chinese_catalogue(settings) -> None:
    """Compile the Chinese catalogue when its .mo is missing or stale (bin/test compiles it too).

    Re-assigning LOCALE_PATHS fires setting_changed, which drops Django's loaded catalogues.
    """
    po = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command(
            "compilemessages", locale=["zh_Hans"], ignore_patterns=[".venv/*", "node_modules/*"], verbosity=0
        )
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)
