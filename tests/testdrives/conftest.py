"""The store's world comes from tests/fixtures/world.py (a plugin: see tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def eager_tasks(eager_tasks: None) -> None:
    """Every test-drive test runs queued tasks in-process (tests/conftest.py's ``eager_tasks``), so
    it sees what a worker would do."""
