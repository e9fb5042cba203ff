"""The roles: the migration's groups and their permissions, and their sync."""

import pytest
from django.contrib.auth.models import Group

from ops.roles import ROLES, roles_sync

pytestmark = pytest.mark.django_db


def test_each_role_has_exactly_its_permissions_and_syncing_twice_changes_nothing() -> None:
    roles_sync()
    roles_sync()
    for name, perms in ROLES.items():
        group = Group.objects.get(name=name)
        have = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert have == set(perms)


def test_only_the_manager_may_override_and_the_auditor_changes_nothing() -> None:
    assert "ops.override" in ROLES["manager"]
    assert "ops.override" not in ROLES["operator"]
    assert all(p.split(".")[1].startswith("view_") or p == "ops.use_console" for p in ROLES["auditor"])
