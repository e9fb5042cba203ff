"""The move of the index models from fleet to snapcar keeps the tables and their rows."""

import numpy as np
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from snapcar.models import CarPhotoIndex, SnapcarClassifier

# The leaf migrations of main before snap-a-car became its own app.
BEFORE_THE_MOVE = [
    ("members", "0002_identity_credit_standing"),
    ("fleet", "0005_towerlink_drop_unread_fields"),
    ("testdrives", "0002_notification_kind_abandoned"),
    ("biometrics", "0002_face_templates_attempts"),
    ("snapcar", None),
]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # the applied set changed; the next plan must see it
    return executor


def _leaf_nodes() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_an_index_written_before_the_move_is_read_through_snapcar_after_it() -> None:
    executor = _migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE[:-1]).apps
    brand = old.get_model("fleet", "Brand").objects.create(name="Volvo", slug="volvo", country="SE")
    car_model = old.get_model("fleet", "CarModel").objects.create(
        brand=brand, name="240", slug="volvo-240", model_year=1990, body_type="estate",
        powertrain="petrol", seats=5, power_kw=85, msrp_cny=100_000,
    )  # fmt: skip
    photo = old.get_model("fleet", "CarPhoto").objects.create(car_model=car_model, image="catalogue/240.jpg")
    embedding = np.linspace(0, 1, 1280, dtype=np.float32)
    old.get_model("fleet", "CarPhotoIndex").objects.create(
        photo=photo, image_name="catalogue/240.jpg", embedding=embedding.tobytes(), keypoints=b"\0" * 4,
        vehicle_probability=0.9, paint_family="red",
    )  # fmt: skip
    old.get_model("fleet", "SnapcarClassifier").objects.create(
        weights=b"w", model_ids=[car_model.pk], photo_count=1, fingerprint="f" * 64
    )

    _migrate(_leaf_nodes())

    row = CarPhotoIndex.objects.get(photo_id=photo.pk)
    assert row.paint_family == "red"
    assert np.array_equal(np.frombuffer(bytes(row.embedding), dtype=np.float32), embedding)
    assert SnapcarClassifier.objects.get().model_ids == [car_model.pk]


@pytest.mark.django_db(transaction=True)
def test_the_move_can_be_undone_without_losing_rows() -> None:
    _migrate(_leaf_nodes())
    SnapcarClassifier.objects.create(weights=b"w", model_ids=[], photo_count=0, fingerprint="a" * 64)

    executor = _migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE[:-1]).apps
    assert old.get_model("fleet", "SnapcarClassifier").objects.get().fingerprint == "a" * 64

    _migrate(_leaf_nodes())
    assert SnapcarClassifier.objects.get().fingerprint == "a" * 64


def test_a_fresh_database_has_the_tables_under_snapcar(db) -> None:
    # The test database itself was built from an empty one by every migration.
    tables = connection.introspection.table_names()
    assert CarPhotoIndex._meta.db_table in tables
    assert SnapcarClassifier._meta.db_table in tables
    assert not MigrationExecutor(connection).migration_plan(_leaf_nodes())
