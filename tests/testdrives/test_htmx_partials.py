"""Every page that answers htmx with a fragment says so in ``Vary`` and gives a history restore
(htmx asking again for a page it has no snapshot of) the whole page, not an unstyled fragment."""

import pytest
from django.urls import reverse

from testdrives.services.kiosks import kiosk_create
from tests.fixtures.world import TEN

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def assert_fragment_then_page(client, url: str) -> None:
    fragment = client.get(url, **HTMX)
    restore = client.get(url, **RESTORE)

    assert fragment.status_code == restore.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "<html" in restore.content.decode()
    assert "HX-Request" in fragment["Vary"]
    assert "HX-Request" in restore["Vary"]


def test_the_kiosk_status_varies_and_restores_as_a_page(client, book, super_member, store, staff, clock):
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="Entrance", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})

    assert_fragment_then_page(client, reverse("kiosk:drive", args=[td.pickup_code]))


def test_the_face_enrol_status_varies_and_restores_as_a_page(client, super_member):
    client.force_login(super_member.user)

    assert_fragment_then_page(client, reverse("biometrics:enrol"))
