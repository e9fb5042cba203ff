"""The demo operations room: one user per role, idempotent, able to log in to the console; after
the store's demo data, the console shows a returned car awaiting review (its photos beside its
last known condition) and a purchase order in progress."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ops.demo import BOUGHT_CODE, PASSWORD, RETURNED_CODE, demo_load_ops
from ops.models import Duty, QueueKind
from ops.queues import needs_open
from testdrives.models import OrderStatus, PickupPhoto, ReturnPhoto, State, TestDrive
from testdrives.return_compare import return_compare

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_user_per_role_and_loads_twice_safely(client, store) -> None:
    assert demo_load_ops() == {"users": 3, "scenes": 0}  # no demo members here: no scene
    assert demo_load_ops() == {"users": 0, "scenes": 0}
    assert Duty.objects.filter(escalations=True).count() == 1
    for username in ("operator", "manager", "auditor"):
        assert client.login(username=username, password=PASSWORD)
        assert client.get(reverse("ops:console")).status_code == 200
    assert client.login(username="auditor", password=PASSWORD)
    assert "data-claim" not in client.get(reverse("ops:console")).content.decode()


def test_after_the_store_demo_the_console_has_a_return_to_review_and_an_order_in_progress(client) -> None:
    call_command("demo_load", stdout=StringIO())
    assert demo_load_ops()["scenes"] == 2
    assert demo_load_ops()["scenes"] == 0  # idempotent

    returned = TestDrive.objects.get(pickup_code=RETURNED_CODE)
    assert returned.state == State.RETURNED
    assert ReturnPhoto.objects.filter(test_drive=returned).exclude(side="").count() == 4
    assert PickupPhoto.objects.filter(test_drive=returned).count() == 1
    compare = return_compare(test_drive=returned)
    assert compare.previous is not None
    assert all(view.last_known for view in compare.sides)
    assert (compare.km_driven, compare.energy_used, compare.km_unexplained) == (212, 47, 0)
    assert QueueKind.RETURN_REVIEW in {need.kind for need in needs_open()}
    bought = TestDrive.objects.get(pickup_code=BOUGHT_CODE)
    assert bought.purchase_order.status == OrderStatus.CONTRACT_SIGNED

    assert client.login(username="operator", password=PASSWORD)
    board = client.get(reverse("ops:console")).content.decode()
    assert f'data-kind="return" data-key="{returned.pk}"' in board
    assert f'data-order="{bought.purchase_order.pk}" data-status="contract_signed"' in board
    review = client.get(reverse("ops:return_review", args=[returned.pk])).content.decode()
    for photo in ReturnPhoto.objects.filter(test_drive=returned):
        url = reverse("ops:return_photo", args=[returned.pk, photo.pk])
        assert url in review
        assert client.get(url)["Content-Type"] == "image/png"
