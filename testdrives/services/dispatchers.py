"""The two implementations of ``testdrives.services.dispatch.Dispatcher`` (registered by
``TestdrivesConfig.ready``; ``TOWER_DISPATCHER`` picks one)."""

from datetime import datetime

from testdrives import tasks
from testdrives.models import State, TestDrive
from testdrives.services.tower_moves import retrieve_ensure, retrieve_unmoved
from tower.models import OPEN, TowerCommand
from tower.moves import stow_ensure
from vendingstore.queueing import delay_on_commit, delay_safely


class InstantDispatcher:
    """Moves cars in our records only, by a Celery task after commit (``services.instant``)."""

    def retrieve(self, *, test_drive_id: int, early: bool) -> None:
        delay_on_commit(tasks.instant_retrieve, test_drive_id)

    def car_is_moving(self, *, vehicle_id: int) -> bool:
        return False  # an instant move is done before anyone looks

    def prefetch_failed(self, *, test_drive_id: int) -> str:
        return ""  # the early move either happens or is simply asked again

    def stow_back(self, *, vehicle_id: int) -> None:
        delay_on_commit(tasks.instant_stow, vehicle_id)

    def requeue_lost(self, *, stale: datetime) -> int:
        waiting = TestDrive.objects.filter(state=State.DISPATCHING, updated_at__lte=stale)
        return sum(delay_safely(tasks.instant_retrieve, pk) for pk in waiting.values_list("pk", flat=True))

    def gate_reported(self) -> bool:
        return False  # no controller, no gate sensor


class ControllerDispatcher:
    """Asks the tower link for moves (the outbox, sent to the controller after commit)."""

    def retrieve(self, *, test_drive_id: int, early: bool) -> None:
        retrieve_ensure(test_drive_id=test_drive_id)

    def car_is_moving(self, *, vehicle_id: int) -> bool:
        return TowerCommand.objects.filter(OPEN, vehicle_id=vehicle_id).exists()

    def prefetch_failed(self, *, test_drive_id: int) -> str:
        return retrieve_unmoved(test_drive_id=test_drive_id)

    def stow_back(self, *, vehicle_id: int) -> None:
        stow_ensure(vehicle_id=vehicle_id)

    def requeue_lost(self, *, stale: datetime) -> int:
        return 0  # the outbox keeps its own rows; the beat's sweep re-sends

    def gate_reported(self) -> bool:
        return True  # the controller's gate_closed events (docs/TOWER_PROTOCOL.md)
