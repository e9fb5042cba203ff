"""The demo operations room: one user per role, idempotent, able to log in to the console."""

import pytest
from django.urls import reverse

from ops.demo import PASSWORD, demo_load_ops
from ops.models import Duty

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_user_per_role_and_loads_twice_safely(client, store) -> None:
    assert demo_load_ops() == {"users": 3}
    assert demo_load_ops() == {"users": 0}
    assert Duty.objects.filter(escalations=True).count() == 1
    for username in ("operator", "manager", "auditor"):
        assert client.login(username=username, password=PASSWORD)
        assert client.get(reverse("ops:console")).status_code == 200
    assert client.login(username="auditor", password=PASSWORD)
    assert "data-claim" not in client.get(reverse("ops:console")).content.decode()
