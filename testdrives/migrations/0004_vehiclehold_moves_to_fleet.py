"""VehicleHold is fleet's now (fleet 0007): removed from testdrives' state only; the table, its
data and its constraints stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("testdrives", "0003_face_template_usage_from_bookings"),
        ("fleet", "0007_vehiclehold_moves_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="VehicleHold")],
        ),
    ]
