"""The kiosk's side of the remote ID check: the form, the upload, the answer by polling."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from testdrives.models import IdCheck, IdCheckStatus, State, TestDrive
from testdrives.services.idcheck import idcheck_refuse
from testdrives.services.kiosks import kiosk_create
from tests.fixtures.world import TEN, make_member
from tests.idcheck_support import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_kiosk(client, book, store, staff, clock):
    """A member with no face photo, checked in at a kiosk; returns the booking."""
    td = book(make_member(score=760, consent=False))
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="k", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    return td


def pictures() -> dict[str, SimpleUploadedFile]:
    return {
        which: SimpleUploadedFile(f"{which}.jpg", jpeg(), content_type="image/jpeg")
        for which in ("licence", "id_card", "live")
    }


def test_it_offers_the_id_check_when_no_face_check_is_possible(client, at_kiosk) -> None:
    page = client.get(reverse("kiosk:drive", args=[at_kiosk.pickup_code])).content.decode()
    assert 'name="licence"' in page
    assert 'name="id_card"' in page
    assert 'name="live"' in page


def test_the_kiosk_waits_then_shows_the_refusal_and_its_reason(client, at_kiosk, staff) -> None:
    response = client.post(reverse("kiosk:id_check", args=[at_kiosk.pickup_code]), pictures())
    assert response.status_code == 302
    check = IdCheck.objects.get(test_drive=at_kiosk)
    assert check.status == IdCheckStatus.WAITING
    assert check.reason == "not_enrolled"

    page = client.get(reverse("kiosk:drive", args=[at_kiosk.pickup_code])).content.decode()
    assert 'data-id-check-status="waiting"' in page
    assert 'name="licence"' not in page  # one waits already

    idcheck_refuse(id_check=check, by=staff, reason="The licence has expired.")
    poll = client.get(reverse("kiosk:drive", args=[at_kiosk.pickup_code]), HTTP_HX_REQUEST="true")
    assert 'data-id-check-status="refused"' in poll.content.decode()
    assert "The licence has expired." in poll.content.decode()


def test_it_refuses_a_missing_or_broken_picture_with_a_clear_answer(client, at_kiosk) -> None:
    incomplete = pictures()
    del incomplete["live"]
    response = client.post(reverse("kiosk:id_check", args=[at_kiosk.pickup_code]), incomplete, follow=True)
    assert "Take all three pictures" in response.content.decode()

    broken = pictures()
    broken["licence"] = SimpleUploadedFile("licence.jpg", b"not a picture", content_type="image/jpeg")
    response = client.post(reverse("kiosk:id_check", args=[at_kiosk.pickup_code]), broken, follow=True)
    assert response.status_code == 200
    assert IdCheck.objects.count() == 0


def test_a_locked_booking_is_offered_the_id_check(client, at_kiosk) -> None:
    TestDrive.objects.filter(pk=at_kiosk.pk).update(state=State.LOCKED)
    page = client.get(reverse("kiosk:drive", args=[at_kiosk.pickup_code])).content.decode()
    assert 'data-state="locked"' in page
    assert 'name="licence"' in page


def test_a_customer_who_asks_for_the_operator_gets_the_id_check_form(client, at_kiosk) -> None:
    response = client.post(reverse("kiosk:call_operator", args=[at_kiosk.pickup_code]), follow=True)
    page = response.content.decode()
    assert "The remote operator has been alerted" in page
    assert 'name="id_card"' in page
