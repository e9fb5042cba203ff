"""The move of the tower link's models from ``fleet`` to ``tower`` is state-only: a database
migrated by the old layout (tower commands in fleet's state) keeps its rows and reads them
through ``tower.models`` after migrating."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fleet.models import BayKind
from tests.factories import TowerFactory, VehicleFactory
from tower.models import CommandKind, CommandStatus, TowerCommand

# The leaf of fleet's migrations before the move, and the move itself.
BEFORE_THE_MOVE = [("tower", None), ("fleet", "0005_towerlink_drop_unread_fields")]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_command_written_before_the_move_readable_through_the_tower_app() -> None:
    tower = TowerFactory()
    vehicle = VehicleFactory(store=tower.store)
    delivery = tower.bays.filter(kind=BayKind.DELIVERY).first()
    latest = _latest()
    try:
        old = _migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE[1:]).apps
        OldCommand = old.get_model("fleet", "TowerCommand")
        OldCommand.objects.create(
            tower_id=tower.pk,
            kind="retrieve",
            vehicle_id=vehicle.pk,
            vin=vehicle.vin,
            source_bay_id=vehicle.bay_id,
            target_bay_id=delivery.pk,
            reason="written by the old layout",
        )
    finally:
        _migrate(latest)

    command = TowerCommand.objects.get(reason="written by the old layout")
    assert command.kind == CommandKind.RETRIEVE
    assert command.status == CommandStatus.PENDING
    assert command.vehicle == vehicle
    assert command.target_bay == delivery
    assert ContentType.objects.get_for_model(TowerCommand).app_label == "tower"
