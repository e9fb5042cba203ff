"""Fixtures for the portal's browser tests (the Chromium launch arguments are in tests/conftest.py)."""

from pathlib import Path

import pytest
from django.core.management import call_command


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
