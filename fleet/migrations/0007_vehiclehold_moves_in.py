"""VehicleHold moves from testdrives to fleet: a vehicle's reservation calendar (issue 17).

State only: the table (``testdrives_vehiclehold``), its columns, the check and exclusion
constraints and the index stay exactly as testdrives 0001 made them. The holder is kept as a
plain id (``booking_id`` on the ``test_drive_id`` column); its foreign key to the booking stays in
the database, so a hold of a booking that does not exist is still impossible. testdrives 0004
removes the model from testdrives' state.
"""

import django.db.models.deletion
from django.db import migrations, models

import fleet.ranges


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0006_tower_models_moved_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="VehicleHold",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "booking_id",
                            models.BigIntegerField(db_column="test_drive_id", unique=True, verbose_name="booking"),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        ("released_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "vehicle",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="holds",
                                to="fleet.vehicle",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "testdrives_vehiclehold",
                        "verbose_name": "vehicle hold",
                        "verbose_name_plural": "vehicle holds",
                        "indexes": [
                            models.Index(fields=["vehicle", "starts_at", "ends_at"], name="hold_vehicle_period")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="hold_positive"
                            ),
                            fleet.ranges.PostgresExclusionConstraint(
                                condition=models.Q(("released_at__isnull", True)),
                                expressions=[
                                    ("vehicle", "="),
                                    (fleet.ranges.TstzRange("starts_at", "ends_at"), "&&"),
                                ],
                                name="hold_no_overlap_per_vehicle",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
