"""The review of a returned car in the console: the queue item, its page (four sides and the
readings beside the pickup's), "OK", and "Damage / excess use" with a charge; audited."""

import pytest
from django.urls import reverse

from ops.models import AuditEntry, QueueItem, QueueKind
from ops.queues import need_get
from ops.services import ClaimedByOther, queue_item_claim
from testdrives.models import Payment, ReturnCharge, ReturnPhoto, State, TestDrive
from testdrives.services.lifecycle import testdrive_return
from tests.returns_support import four_sides, side_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(out_on_drive, django_capture_on_commit_callbacks) -> TestDrive:
    with django_capture_on_commit_callbacks(execute=True):
        return testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 240,
            energy_pct=35,
            damage="small dent, rear left",
            sides=four_sides(),
        )


def test_the_returns_queue_opens_the_review_with_the_photos_and_readings(client, operator, returned) -> None:
    client.force_login(operator)
    board = client.get(reverse("ops:console")).content.decode()
    assert f'data-kind="return" data-key="{returned.pk}"' in board
    assert reverse("ops:return_review", args=[returned.pk]) in board

    page = client.get(reverse("ops:return_review", args=[returned.pk])).content.decode()

    assert f"data-odometer-out>{returned.odometer_out_km}<" in page
    assert f"data-odometer-in>{returned.odometer_in_km}<" in page
    assert "240 km driven" in page
    assert "small dent, rear left" in page
    for photo in ReturnPhoto.objects.filter(test_drive=returned):
        assert reverse("ops:return_photo", args=[returned.pk, photo.pk]) in page
        picture = client.get(reverse("ops:return_photo", args=[returned.pk, photo.pk]))
        assert picture.status_code == 200
        assert picture["Content-Type"] == "image/png"
    assert "data-return-ok" in page
    assert "data-return-charge" in page


def test_ok_completes_the_drive_closes_the_item_and_is_audited(client, operator, returned) -> None:
    client.force_login(operator)

    response = client.post(reverse("ops:return_ok", args=[returned.pk]), {"reason": "all four sides clean"})

    assert response.url == reverse("ops:console")
    returned.refresh_from_db()
    assert returned.state == State.COMPLETED
    entry = AuditEntry.objects.get(action="return_ok")
    assert (entry.by, entry.test_drive_id, entry.reason) == (operator, returned.pk, "all four sides clean")
    assert need_get(kind=QueueKind.RETURN_REVIEW, key=str(returned.pk)) is None


def test_a_charge_with_photos_completes_the_drive_and_is_audited(
    client, operator, returned, django_capture_on_commit_callbacks
) -> None:
    client.force_login(operator)
    back = ReturnPhoto.objects.get(test_drive=returned, side="back")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ops:return_charge", args=[returned.pk]),
            {
                "kind": "damage",
                "amount_cny": "1200",
                "reason": "Dent in the rear left door",
                "photo_ids": [str(back.pk)],
                "photos": [side_png("dent", "red")],
            },
        )

    assert response.status_code == 302
    charge = ReturnCharge.objects.get(test_drive=returned)
    assert (charge.kind, charge.amount_cny, charge.created_by) == ("damage", 1200, operator)
    assert charge.photos.count() == 2
    assert Payment.objects.get(pk=charge.payment_id).status == "paid"
    returned.refresh_from_db()
    assert returned.state == State.COMPLETED
    entry = AuditEntry.objects.get(action="return_charge")
    assert entry.reason == "1200 CNY damage: Dent in the rear left door"


def test_a_charge_without_a_reason_is_refused_and_changes_nothing(client, operator, returned) -> None:
    client.force_login(operator)

    response = client.post(
        reverse("ops:return_charge", args=[returned.pk]),
        {"kind": "damage", "amount_cny": "500", "reason": " "},
    )

    assert response.status_code == 400
    assert (
        'class="field__error"' in response.content.decode() or "notice--warning" in response.content.decode()
    )
    returned.refresh_from_db()
    assert returned.state == State.RETURNED
    assert not ReturnCharge.objects.exists()
    assert not AuditEntry.objects.filter(action="return_charge").exists()


def test_an_item_another_operator_claimed_is_theirs_to_review(client, operator, operator2, returned) -> None:
    need = need_get(kind=QueueKind.RETURN_REVIEW, key=str(returned.pk))
    queue_item_claim(need=need, by=operator2)
    client.force_login(operator)

    page = client.get(reverse("ops:return_review", args=[returned.pk])).content.decode()
    assert 'data-claimed-by="oscar"' in page
    response = client.post(reverse("ops:return_ok", args=[returned.pk]), follow=True)

    assert str(ClaimedByOther.default_message) in [str(m) for m in response.context["messages"]]
    returned.refresh_from_db()
    assert returned.state == State.RETURNED
    assert QueueItem.objects.get(kind=QueueKind.RETURN_REVIEW, key=str(returned.pk)).closed_at is None


def test_an_auditor_sees_no_review_and_a_member_no_console_photo(client, auditor, returned) -> None:
    photo = ReturnPhoto.objects.filter(test_drive=returned).first()
    client.force_login(auditor)
    assert client.get(reverse("ops:return_review", args=[returned.pk])).status_code == 403
    assert client.post(reverse("ops:return_ok", args=[returned.pk])).status_code == 403

    client.force_login(returned.member.user)
    assert client.get(reverse("ops:return_photo", args=[returned.pk, photo.pk])).status_code == 403


def test_the_review_speaks_chinese(client, operator, returned) -> None:
    client.force_login(operator)

    page = client.get(reverse("ops:return_review", args=[returned.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "审核还车" in page.content.decode()
    assert "后部" in page.content.decode()  # the car's back, not the "back" of a link
