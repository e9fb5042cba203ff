"""Operators move purchase orders through their paperwork from the console; every role sees them,
and the return and pickup pictures in the admin (ops/roles.py). Adds the permissions to the
existing groups, as 0002 created them."""

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

PICTURES = ["view_returnphoto", "view_pickupphoto"]
ADDED = {
    "operator": ["view_purchaseorder", "change_purchaseorder", *PICTURES],
    "manager": ["view_purchaseorder", "change_purchaseorder", *PICTURES],
    "auditor": ["view_purchaseorder", *PICTURES],
}


def roles_add_orders(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    config = apps.get_app_config("testdrives")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=name)
        for codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label="testdrives", codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0003_gate_open_queue"),
        ("testdrives", "0014_private_car_photos_and_pickup_photos"),
    ]

    operations = [migrations.RunPython(roles_add_orders, migrations.RunPython.noop)]
