"""The snap-a-car index models, taken over from fleet with their tables (state only, no SQL).

On a fresh database fleet's 0003 created the tables; on one migrated before the move they hold
the index already. Either way this migration only tells Django that snapcar owns them now; the
content types (and so admin permissions and log entries) follow.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("carphotoindex", "snapcarclassifier")


def content_types_follow(apps, schema_editor) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        # A content type already made for snapcar (post_migrate) would clash; keep fleet's, which
        # the permissions and admin log entries point at.
        content_type.objects.using(db).filter(app_label="snapcar", model=model).delete()
        content_type.objects.using(db).filter(app_label="fleet", model=model).update(app_label="snapcar")


def content_types_go_back(apps, schema_editor) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        content_type.objects.using(db).filter(app_label="fleet", model=model).delete()
        content_type.objects.using(db).filter(app_label="snapcar", model=model).update(app_label="fleet")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("fleet", "0008_snapcar_moves_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CarPhotoIndex",
                    fields=[
                        (
                            "photo",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="snapcar_index",
                                serialize=False,
                                to="fleet.carphoto",
                            ),
                        ),
                        (
                            "image_name",
                            models.CharField(
                                help_text="The image file this row was computed from.", max_length=255
                            ),
                        ),
                        (
                            "embedding",
                            models.BinaryField(help_text="float32 × 1280, unit length: the car's region."),
                        ),
                        ("keypoints", models.BinaryField(help_text="ORB keypoints of the whole picture.")),
                        (
                            "vehicle_probability",
                            models.FloatField(help_text="0–1; a low value means the photo hardly shows a car."),
                        ),
                        ("paint_family", models.CharField(max_length=16)),
                        ("indexed_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "snap-a-car index entry",
                        "verbose_name_plural": "snap-a-car index entries",
                        "db_table": "fleet_carphotoindex",
                    },
                ),
                migrations.CreateModel(
                    name="SnapcarClassifier",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "weights",
                            models.BinaryField(help_text="float32 (K × 1281): weights and a bias per model."),
                        ),
                        ("model_ids", models.JSONField(help_text="The CarModel id of each of the K rows.")),
                        ("photo_count", models.PositiveIntegerField()),
                        ("fingerprint", models.CharField(max_length=64, unique=True)),
                        ("trained_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "snap-a-car classifier",
                        "verbose_name_plural": "snap-a-car classifiers",
                        "db_table": "fleet_snapcarclassifier",
                        "ordering": ["-trained_at", "-id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
