"""The operations room's roles as Django groups: what each may do (issue 14 §5).

- operator: the console, claims, ID checks, return reviews, reminding overdue members, reporting
  an overdue car, trying a failed charge again, acknowledging and resolving tower incidents,
  sending a walked-away check-in's car back, stowing a returned car whose bay gate never closed,
  moving purchase orders through their paperwork (contract, invoice, plates, ready, handed over);
  sees bookings, members, orders, stores, towers.
- manager: an operator who may also override (unlock, retry the tower, resume a stopped tower,
  charge a late fee before the car is back, waive a payment), change stores, towers, bays and
  cars, send manual tower moves, handle fees, and set duties.
- auditor: reads everything, the console included; changes nothing.

The data migration creates them from this table; a later migration changes them the same way.
"""

READ = [
    "testdrives.view_testdrive",
    "testdrives.view_idcheck",
    "testdrives.view_payment",
    "testdrives.view_kiosk",
    "testdrives.view_purchaseorder",
    "testdrives.view_returnphoto",
    "testdrives.view_pickupphoto",
    "members.view_member",
    "members.view_creditreport",
    "fleet.view_store",
    "fleet.view_tower",
    "fleet.view_bay",
    "fleet.view_vehicle",
    "tower.view_towerincident",
    "tower.view_towercommand",
    "ops.view_queueitem",
    "ops.view_auditentry",
    "ops.view_duty",
]
OPERATOR = [
    *READ,
    "ops.use_console",
    "ops.act_on_queues",
    "tower.change_towerincident",
    "testdrives.change_purchaseorder",
]
MANAGER = [
    *OPERATOR,
    "ops.override",
    "testdrives.change_testdrive",
    "testdrives.change_payment",
    "testdrives.add_kiosk",
    "testdrives.change_kiosk",
    "fleet.change_store",
    "fleet.change_tower",
    "fleet.change_bay",
    "fleet.add_vehicle",
    "fleet.change_vehicle",
    "tower.add_towercommand",
    "ops.add_duty",
    "ops.change_duty",
    "ops.delete_duty",
]
AUDITOR = [*READ, "ops.use_console"]

ROLES: dict[str, list[str]] = {"operator": OPERATOR, "manager": MANAGER, "auditor": AUDITOR}


def roles_sync() -> None:
    """Create the groups and give them their permissions now (the data migration did it once;
    a flushed test database or a store that deleted a group gets them back). Idempotent."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
