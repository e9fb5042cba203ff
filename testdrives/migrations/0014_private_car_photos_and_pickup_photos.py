"""Return photos move out of MEDIA_ROOT (a public URL served them) into the private storage that
no URL serves; the member"s pickup photos ("report existing damage") live there too."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.core.files.storage import default_storage
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

import testdrives.models
import vendingstore.private_files


def photos_move_private(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Each stored return photo"s file, under the same name, from MEDIA_ROOT to the private storage
    (idempotent: a file already moved, or never there, is skipped)."""
    private = vendingstore.private_files.private_storage()
    ReturnPhoto = apps.get_model("testdrives", "ReturnPhoto")
    for name in ReturnPhoto.objects.exclude(image="").values_list("image", flat=True).iterator():
        if private.exists(name) or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as public:
            saved = private.save(name, public)
        if saved == name:
            default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("testdrives", "0013_alter_notification_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="returnphoto",
            name="image",
            field=models.ImageField(
                storage=vendingstore.private_files.private_storage,
                upload_to=testdrives.models.return_photo_path,
            ),
        ),
        migrations.CreateModel(
            name="PickupPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "image",
                    models.ImageField(
                        storage=vendingstore.private_files.private_storage,
                        upload_to=testdrives.models.pickup_photo_path,
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("front", "Front"),
                            ("back", "Back"),
                            ("left", "Left side"),
                            ("right", "Right side"),
                        ],
                        max_length=5,
                        verbose_name="side",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="what the member saw")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "test_drive",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pickup_photos",
                        to="testdrives.testdrive",
                    ),
                ),
            ],
            options={
                "verbose_name": "pickup photo",
                "verbose_name_plural": "pickup photos",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.RunPython(photos_move_private, migrations.RunPython.noop, elidable=True),
    ]
