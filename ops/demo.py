"""Demo operations room: one user per role, on duty all day for every store. Idempotent: an
existing user keeps its password and groups; ``bin/run`` prints the logins."""

from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from fleet.models import Store
from ops.models import Duty
from ops.roles import roles_sync

PASSWORD = "vendingstore-ops"
# username, group, on duty (alerts), receives escalations
USERS = [
    ("operator", "operator", True, False),
    ("manager", "manager", True, True),
    ("auditor", "auditor", False, False),
]


def demo_load_ops() -> dict[str, int]:
    roles_sync()
    created = 0
    for username, group, on_duty, escalations in USERS:
        user, new = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@demo.vendingstore.cn"}
        )
        if new:
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            created += 1
        if on_duty and not Duty.objects.filter(user=user).exists():
            duty = Duty.objects.create(user=user, starts=time(0), ends=time(0), escalations=escalations)
            duty.stores.set(Store.objects.all())
    return {"users": created}
