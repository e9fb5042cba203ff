"""Snap-a-car's index models move to their own app (``snapcar``): gone from fleet's state only.

The tables stay where they are, with their rows; ``snapcar.0001_initial`` takes them over under
the same names (``db_table``). No SQL runs in either direction.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0007_vehiclehold_moves_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CarPhotoIndex"),
                migrations.DeleteModel(name="SnapcarClassifier"),
            ],
            database_operations=[],
        ),
    ]
