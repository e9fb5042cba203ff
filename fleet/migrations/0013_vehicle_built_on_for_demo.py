"""Give the cars already in the store a build date, so the buyer's record is never blank.

The same rule as ``fleet.demo.demo_build_date`` (copied: a migration must not change when the
demo code does): the autumn before the model year, spread by the car's id.
"""

from datetime import date, timedelta

from django.db import migrations


def fill_build_dates(apps, schema_editor):
    Vehicle = apps.get_model("fleet", "Vehicle")
    for vehicle in Vehicle.objects.filter(built_on__isnull=True).select_related("car_model").iterator():
        year = vehicle.car_model.model_year
        vehicle.built_on = date(year - 1, 9, 1) + timedelta(days=(vehicle.pk * 53) % 300)
        vehicle.save(update_fields=["built_on"])


class Migration(migrations.Migration):
    dependencies = [("fleet", "0012_vehicle_built_on_and_photos")]

    operations = [migrations.RunPython(fill_build_dates, migrations.RunPython.noop)]
