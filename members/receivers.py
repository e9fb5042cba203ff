"""What members does when other apps report: fleet's cars changed -> check the saved cars."""

from collections.abc import Iterable
from typing import Any

from vendingstore.queueing import delay_on_commit


def vehicles_changed_check_favourites(sender: object, vehicle_ids: Iterable[int], **kwargs: Any) -> None:
    """Queue the check of these cars' saved models once the change is committed (never before: the
    worker would read the cars as they were)."""
    delay_on_commit("members.tasks.favourites_check_vehicles", list(vehicle_ids))
