"""A command names whoever asked for it with an opaque ``ref`` instead of a test-drive foreign key:
the tower link knows no bookings. Existing rows keep their booking as ``testdrive:<pk>``."""

from django.db import migrations, models

PREFIX = "testdrive:"


def refs_from_test_drives(apps, schema_editor) -> None:
    TowerCommand = apps.get_model("tower", "TowerCommand")
    for pk, test_drive_id in TowerCommand.objects.filter(test_drive__isnull=False).values_list(
        "pk", "test_drive_id"
    ):
        TowerCommand.objects.filter(pk=pk).update(ref=f"{PREFIX}{test_drive_id}")


def test_drives_from_refs(apps, schema_editor) -> None:
    TowerCommand = apps.get_model("tower", "TowerCommand")
    for pk, ref in TowerCommand.objects.filter(ref__startswith=PREFIX).values_list("pk", "ref"):
        TowerCommand.objects.filter(pk=pk).update(test_drive_id=int(ref.removeprefix(PREFIX)))


class Migration(migrations.Migration):
    dependencies = [
        ("tower", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="towercommand",
            name="ref",
            field=models.CharField(blank=True, db_index=True, max_length=40, verbose_name="asked for by"),
        ),
        migrations.RunPython(refs_from_test_drives, test_drives_from_refs),
        migrations.RemoveField(
            model_name="towercommand",
            name="test_drive",
        ),
        migrations.AlterField(
            model_name="towercommand",
            name="kind",
            field=models.CharField(
                choices=[
                    ("retrieve", "Retrieve (storage → delivery)"),
                    ("store", "Stow (delivery → storage)"),
                    ("relocate", "Relocate (storage → storage)"),
                ],
                max_length=8,
                verbose_name="kind",
            ),
        ),
    ]
