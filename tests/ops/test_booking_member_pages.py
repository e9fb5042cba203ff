"""The console's booking and member pages (issue 14 §5), and the queue actions' buttons: who sees
and may do what."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from biometrics.models import FaceTemplate, VerificationAttempt
from ops.models import AuditEntry
from ops.queues import needs_open
from ops.services import queue_item_claim
from testdrives.models import Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from tests.fixtures.world import TEN, on_the_road
from tower.models import IncidentKind, TowerIncident, TowerLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(checked_in) -> VerificationAttempt:
    return VerificationAttempt.objects.create(
        test_drive=checked_in,
        request_key=uuid.uuid4(),
        result="no_match",
        distance=0.8123,
        threshold=0.5,
        model=settings.BIOMETRICS_MODEL,
        liveness={"blink": 0.91},
        frames=["secret-frame-name.bin"],
    )


def test_a_visitor_logs_in_and_a_member_is_refused(client, checked_in) -> None:
    booking = reverse("ops:booking", args=[checked_in.pk])
    member = reverse("ops:member", args=[checked_in.member_id])
    assert client.get(booking).status_code == 302
    client.force_login(checked_in.member.user)
    assert client.get(booking).status_code == 403
    assert client.get(member).status_code == 403


def test_the_booking_page_shows_attempt_numbers_never_frames(client, auditor, attempt) -> None:
    client.force_login(auditor)
    page = client.get(reverse("ops:booking", args=[attempt.test_drive_id])).content.decode()
    assert "0.812" in page
    assert "0.500" in page
    assert "blink=0.91" in page
    assert "secret-frame-name" not in page
    assert 'data-attempt="no_match"' in page


def test_the_booking_timeline_has_the_consoles_claims_and_actions(
    client, operator, auditor, waiting_check
) -> None:
    queue_item_claim(need=needs_open()[0], by=operator)
    client.force_login(operator)
    client.post(reverse("ops:act", args=["refuse", waiting_check.pk]), {"reason": "licence photo is not him"})

    client.force_login(auditor)
    page = client.get(reverse("ops:booking", args=[waiting_check.test_drive_id])).content.decode()
    assert page.count("data-console-action") == 2
    assert "claimed" in page
    assert "refused the ID check" in page
    assert "olga" in page
    assert "licence photo is not him" in page
    assert "Checked in" in page  # the booking's own transitions are there too


def test_the_booking_page_shows_readings_and_payments(client, auditor, checked_in, clock) -> None:
    td = on_the_road(checked_in)
    TestDrive.objects.filter(pk=td.pk).update(
        state=State.RETURNED, odometer_out_km=1200, odometer_in_km=1287, energy_out_pct=90, energy_in_pct=40
    )
    Payment.objects.create(
        test_drive=td,
        purpose=PaymentPurpose.LATE_FEE,
        amount_cny=100,
        status=PaymentStatus.FAILED,
        provider="sandbox",
        reference="x",
        attempts=2,
    )
    client.force_login(auditor)
    page = client.get(reverse("ops:booking", args=[td.pk])).content.decode()
    assert "Driven: 87 km" in page
    assert 'data-payment-status="failed"' in page
    assert "2 attempts" in page


def test_the_member_page_shows_drives_face_fees_and_audit(
    client, auditor, operator, overdue_with_fee
) -> None:
    td = overdue_with_fee
    FaceTemplate.objects.create(member=td.member, model="an-older-model", vector_encrypted=b"x")
    AuditEntry.objects.create(by=operator, action="overdue_remind", test_drive=td)

    client.force_login(auditor)
    page = client.get(reverse("ops:member", args=[td.member_id])).content.decode()
    assert "Li Lei" in page
    assert td.pickup_code in page
    assert 'data-consent="none"' in page  # the fixture member never consented
    assert 'data-face-status="reenrol"' in page
    assert "must take a new face photo" in page
    assert "CNY 113" in page
    assert "reminded the member" in page


def test_the_member_page_says_enrolled_with_the_current_model(client, operator, checked_in) -> None:
    FaceTemplate.objects.create(
        member=checked_in.member, model=settings.BIOMETRICS_MODEL, vector_encrypted=b"x"
    )
    client.force_login(operator)
    page = client.get(reverse("ops:member", args=[checked_in.member_id])).content.decode()
    assert 'data-face-status="enrolled"' in page


@pytest.fixture
def overdue_with_fee(checked_in, clock) -> TestDrive:
    td = on_the_road(checked_in)
    TestDrive.objects.filter(pk=td.pk).update(state=State.OVERDUE)
    clock.move_to(TEN + timedelta(hours=75))
    Payment.objects.create(
        test_drive=td,
        purpose=PaymentPurpose.LATE_FEE,
        amount_cny=113,
        status=PaymentStatus.FAILED,
        provider="sandbox",
        reference=f"td{td.pk}-late",
    )
    return TestDrive.objects.get(pk=td.pk)


def test_each_role_sees_the_buttons_it_may_press(
    client, operator, manager, auditor, overdue_with_fee
) -> None:
    console = reverse("ops:console")
    client.force_login(auditor)
    page = client.get(console).content.decode()
    assert 'data-kind="overdue"' in page
    assert 'data-kind="payment"' in page
    assert "data-action=" not in page
    assert f'href="{reverse("ops:booking", args=[overdue_with_fee.pk])}"' in page
    assert f'href="{reverse("ops:member", args=[overdue_with_fee.member_id])}"' in page

    client.force_login(operator)
    page = client.get(console).content.decode()
    assert {"remind", "report", "charge_again"} <= _actions(page)
    assert not {"late_fee", "waive"} & _actions(page)

    client.force_login(manager)
    assert {"remind", "report", "charge_again", "late_fee", "waive"} <= _actions(
        client.get(console).content.decode()
    )


def _actions(page: str) -> set[str]:
    return {part.split('"', 1)[0] for part in page.split('data-action="')[1:]}


def test_the_act_view_respects_roles_and_reasons(
    client, operator, manager, auditor, overdue_with_fee
) -> None:
    payment = Payment.objects.get(test_drive=overdue_with_fee)
    waive = reverse("ops:act", args=["waive", payment.pk])
    client.force_login(auditor)
    assert client.post(reverse("ops:act", args=["remind", overdue_with_fee.pk])).status_code == 403
    client.force_login(operator)
    assert client.post(waive, {"reason": "x"}).status_code == 403

    client.force_login(manager)
    response = client.post(waive, {"reason": ""}, follow=True)
    assert "An override needs a reason." in response.content.decode()
    assert client.post(reverse("ops:act", args=["waive", 999_999]), {"reason": "x"}).status_code == 404
    client.post(waive, {"reason": "goodwill"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.WAIVED
    assert list(AuditEntry.objects.values_list("action", "by__username")) == [("payment_waive", "mei")]


def test_the_pages_speak_chinese(client, operator, checked_in) -> None:
    client.force_login(operator)
    page = client.get(reverse("ops:booking", args=[checked_in.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "读数" in page.content.decode()  # "Readings"


def test_the_booking_timeline_heading_is_the_consoles_own_in_each_language(
    client, operator, checked_in
) -> None:
    """The member's booking page says "Timeline" too, as 进度 (progress): the console's heading has
    its own context, so neither catalogue's word leaks into the other page."""
    client.force_login(operator)
    booking = reverse("ops:booking", args=[checked_in.pk])

    english = client.get(booking, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(booking, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '<h2 id="timeline-heading">Timeline</h2>' in english
    assert '<h2 id="timeline-heading">时间线</h2>' in chinese
    assert "进度" not in english + chinese


def test_tower_and_walked_away_items_have_their_buttons(client, operator, manager, checked_in, tower) -> None:
    TestDrive.objects.filter(pk=checked_in.pk).update(
        state=State.READY, updated_at=timezone.now() - timedelta(minutes=30)
    )
    TowerIncident.objects.create(tower=tower, kind=IncidentKind.COMMAND_FAILED, summary="lift 1 jammed")
    TowerLink.objects.create(tower=tower, mode="hold", mode_reason="inventory mismatch")
    console = reverse("ops:console")

    client.force_login(operator)
    assert _actions(client.get(console).content.decode()) == {"acknowledge", "resolve", "release"}
    client.force_login(manager)
    assert _actions(client.get(console).content.decode()) == {"acknowledge", "resolve", "release", "resume"}
    response = client.post(reverse("ops:act", args=["resume", tower.pk]), {"reason": "checked"}, follow=True)
    assert "The tower refused or did not answer" in response.content.decode()  # no controller here
