"""The migrations of issue 17 apply to a fresh database (the test database itself) and to one
migrated by the main branch before them: VehicleHold moving to fleet (fleet 0006, testdrives 0004)
and the face template's usage filled from the bookings (biometrics 0003, testdrives 0003)."""

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from biometrics.models import FaceTemplate
from fleet.models import VehicleHold
from testdrives.models import TestDrive
from tests.fixtures.world import make_member

# The last migration of each app these migrations touch, as on main before them.
MAIN = [
    ("fleet", "0005_towerlink_drop_unread_fields"),
    ("testdrives", "0002_notification_kind_abandoned"),
    ("biometrics", "0002_face_templates_attempts"),
]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_on_main(transactional_db) -> Iterator[None]:
    """The database as main left it, whatever happens in the test; migrated to the end after."""
    try:
        yield
    finally:
        migrate(leaves())


def exclusion_constraint_exists() -> bool:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "testdrives_vehiclehold")
    return "hold_no_overlap_per_vehicle" in constraints


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_by_main_keeps_its_holds_and_fills_the_template_usage(
    back_on_main, book, clock
) -> None:
    member = make_member(score=760)
    FaceTemplate.objects.create(member=member, model="Dlib", vector_encrypted=b"not read here")
    td = book(member)
    hold_pk = VehicleHold.objects.get(booking_id=td.pk).pk

    old = migrate(MAIN).loader.project_state(MAIN).apps
    old_hold = old.get_model("testdrives", "VehicleHold").objects.get(pk=hold_pk)
    assert old_hold.test_drive_id == td.pk

    migrate(leaves())

    hold = VehicleHold.objects.get(pk=hold_pk)
    assert (hold.booking_id, hold.vehicle_id) == (td.pk, td.vehicle_id)
    template = FaceTemplate.objects.get(member=member)
    assert template.in_use  # filled from the booking still open
    assert template.last_used_at is None  # no drive has ended yet


@pytest.mark.django_db(transaction=True)
def test_the_hold_table_keeps_its_constraints_after_the_move(back_on_main, book, clock) -> None:
    td = book(make_member(score=760))
    migrate(MAIN)
    migrate(leaves())
    hold = VehicleHold.objects.get(booking_id=td.pk)

    # The booking's foreign key stays in the database: no hold for a booking that does not exist.
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleHold.objects.create(
            vehicle_id=hold.vehicle_id,
            booking_id=td.pk + 1000,
            starts_at=hold.ends_at,
            ends_at=hold.ends_at + (hold.ends_at - hold.starts_at),
        )
    if connection.vendor != "postgresql":
        return
    assert exclusion_constraint_exists()
    other = book(make_member(score=760))
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleHold.objects.filter(booking_id=other.pk).update(
            vehicle_id=hold.vehicle_id, starts_at=hold.starts_at, ends_at=hold.ends_at
        )


@pytest.mark.django_db
def test_deleting_a_booking_deletes_its_hold(book, super_member) -> None:
    td = book(super_member)

    TestDrive.objects.filter(pk=td.pk).delete()

    assert not VehicleHold.objects.filter(booking_id=td.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_fresh_database_has_the_exclusion_constraint_on_postgres() -> None:
    assert exclusion_constraint_exists()
