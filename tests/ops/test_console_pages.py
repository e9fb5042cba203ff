"""The console's pages: who may see and do what, and what they show."""

import pytest
from django.urls import reverse

from ops.models import AuditEntry
from testdrives.models import IdCheckStatus, State, TestDrive
from tests.idcheck_support import id_pictures

pytestmark = pytest.mark.django_db


def test_a_visitor_is_sent_to_log_in_and_a_plain_member_is_refused(client, checked_in) -> None:
    assert client.get(reverse("ops:console")).status_code == 302
    client.force_login(checked_in.member.user)
    assert client.get(reverse("ops:console")).status_code == 403


def test_the_console_lists_what_waits_and_refreshes_itself(client, operator, waiting_check) -> None:
    client.force_login(operator)
    page = client.get(reverse("ops:console")).content.decode()
    assert 'hx-trigger="every 3s"' in page
    assert f'data-kind="id_check" data-key="{waiting_check.pk}"' in page
    assert "I&#x27;m on it" in page or "I'm on it" in page

    partial = client.get(reverse("ops:console"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert f'data-key="{waiting_check.pk}"' in partial


def test_the_console_speaks_chinese(client, operator, waiting_check) -> None:
    client.force_login(operator)
    page = client.get(reverse("ops:console"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "运营控制台" in page


def test_the_operator_sees_the_pictures_beside_the_stored_details_then_they_are_gone(
    client, operator, waiting_check
) -> None:
    client.force_login(operator)
    page = client.get(reverse("ops:id_check", args=[waiting_check.pk])).content.decode()
    assert "Li Lei" in page
    picture = client.get(reverse("ops:id_check_picture", args=[waiting_check.pk, "licence"]))
    assert picture.content == id_pictures().licence
    assert "no-store" in picture["Cache-Control"]
    assert "private" in picture["Cache-Control"]

    response = client.post(reverse("ops:act", args=["approve", waiting_check.pk]), {"reason": "match"})
    assert response.status_code == 302
    assert client.get(reverse("ops:id_check_picture", args=[waiting_check.pk, "licence"])).status_code == 404
    waiting_check.refresh_from_db()
    assert waiting_check.status == IdCheckStatus.APPROVED


def test_an_auditor_reads_the_console_but_acts_on_nothing(client, auditor, waiting_check) -> None:
    client.force_login(auditor)
    page = client.get(reverse("ops:console")).content.decode()
    assert f'data-key="{waiting_check.pk}"' in page
    assert "data-claim" not in page
    assert client.get(reverse("ops:id_check_picture", args=[waiting_check.pk, "live"])).status_code == 403
    assert client.post(reverse("ops:act", args=["approve", waiting_check.pk])).status_code == 403
    assert AuditEntry.objects.count() == 0


def test_only_a_manager_may_override(client, operator, manager, checked_in) -> None:
    TestDrive.objects.filter(pk=checked_in.pk).update(state=State.LOCKED)
    client.force_login(operator)
    assert client.post(reverse("ops:act", args=["unlock", checked_in.pk]), {"reason": "x"}).status_code == 403

    client.force_login(manager)
    response = client.post(reverse("ops:act", args=["unlock", checked_in.pk]), {"reason": ""}, follow=True)
    assert "An override needs a reason." in response.content.decode()
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.LOCKED
    client.post(reverse("ops:act", args=["unlock", checked_in.pk]), {"reason": "face changed"})
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.CHECKED_IN


def test_a_refusal_without_a_reason_is_a_clear_answer_not_an_error(client, operator, waiting_check) -> None:
    client.force_login(operator)
    response = client.post(reverse("ops:act", args=["refuse", waiting_check.pk]), {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert "Give the reason for refusing" in response.content.decode()
    assert client.post(reverse("ops:act", args=["nonsense", waiting_check.pk])).status_code == 404
