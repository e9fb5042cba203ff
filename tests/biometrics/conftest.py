"""The photos and the engine come from tests/fixtures/faces.py, the booking world from
tests/fixtures/world.py (plugins: see tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def eager_tasks(eager_tasks: None) -> None:
    """The enrolment and pickup flow tests run queued tasks in-process, as a worker would."""
