"""Headless Chromium from Debian for the browser tests; Playwright's own browsers are never installed."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

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
