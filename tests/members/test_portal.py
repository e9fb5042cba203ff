"""Portal pages: sign-up, login lockout, password reset, the credit check, my data.

The membership page is testdrives' (tests/testdrives/test_membership_page.py)."""

import json
import logging
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.demo import demo_id_number
from members.models import Member
from members.services import member_set_score_override
from tests.members.conftest import FakeBureau
from tests.signup_steps import finish_token, texted_code

pytestmark = pytest.mark.django_db
BORN = date(1993, 9, 9)


@pytest.fixture
def logged_in(client: Client, member: Member) -> Client:
    client.force_login(member.user)
    return client


def signup_form(**overrides: object) -> dict:
    return {
        "email": "zhou@example.com",
        "mobile": "13500000009",
        "password": "a-long-test-password-1",
        "password_again": "a-long-test-password-1",
        "full_name": "Zhou Lan",
        "id_number": demo_id_number(BORN, 3),
        "date_of_birth": BORN.isoformat(),
        "licence_number": "DL55555555",
        "licence_expires_on": (timezone.localdate() + timedelta(days=1000)).isoformat(),
        "preferred_language": "en",
        "accept_privacy": "on",
        **overrides,
    }


def sign_up(client: Client, caplog, form: dict) -> object:
    """Both portal steps: the mobile (a code is texted), then the code and the details."""
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        client.post(reverse("members:signup"), {"mobile": form["mobile"]})
    code = texted_code(caplog, form["mobile"][-4:])
    details = {k: v for k, v in form.items() if k != "mobile"}
    return client.post(reverse("members:signup_details"), {**details, "code": code})


def test_signing_up_then_the_mailed_link_logs_in_and_shows_the_membership_page(
    client: Client, caplog, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sent = sign_up(client, caplog, signup_form())
    assert sent["Location"] == reverse("members:signup_sent")

    link = reverse("members:signup_finish", args=[finish_token("zhou@example.com")])
    assert client.get(link).status_code == 200  # asks first: a mail scanner opens nothing
    assert not Member.objects.exists()
    response = client.post(link, follow=True)

    assert response.redirect_chain[-1][0] == reverse("testdrives:membership")
    page = response.content.decode()
    assert "Your membership" in page
    assert "No credit report yet" in page
    assert Member.objects.get().user.username == "zhou@example.com"


def test_sign_up_errors_are_shown_by_field(client: Client, caplog) -> None:
    response = sign_up(client, caplog, signup_form(password_again="x", id_number="110101199309090000"))

    assert response.status_code == 200
    assert "password_again" in response.context["form"].errors
    response = sign_up(client, caplog, signup_form(id_number="110101199309090000"))
    assert "id_number" in response.context["form"].errors
    assert Member.objects.count() == 0


def test_a_wrong_code_is_a_field_error(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        client.post(reverse("members:signup"), {"mobile": "13500000009"})
    code = texted_code(caplog, "0009")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post(reverse("members:signup_details"), {**signup_form(), "code": wrong})

    assert "code" in response.context["form"].errors
    assert mail.outbox == []


def test_the_signup_page_speaks_chinese(client: Client) -> None:
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("members:signup")).content.decode()

    assert "成为会员" in page


def test_the_portal_locks_a_login_after_repeated_failures(client: Client, member: Member, settings) -> None:
    url = reverse("members:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "li@example.com", "password": "wrong"}).status_code == 200

    client.post(url, {"username": "Li@Example.com", "password": "wrong"})
    locked = client.post(url, {"username": "li@example.com", "password": "pw-for-tests-1"})

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_member_logs_in_with_their_mobile(client: Client, member: Member) -> None:
    response = client.post(
        reverse("members:login"), {"username": member.mobile[3:], "password": "pw-for-tests-1"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("testdrives:membership")


def test_password_reset_by_email(
    client: Client, member: Member, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes from a task
        client.post(reverse("members:password_reset"), {"email": "li@example.com"})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"})

    assert done.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("brand-new-pass-42")


def test_checking_credit_from_the_page(logged_in: Client, member: Member, staff) -> None:
    member_set_score_override(member=member, actor=staff, score=705, reason="test")

    response = logged_in.post(reverse("members:credit_check"), follow=True)

    page = response.content.decode()
    assert "Your credit score is 705" in page
    assert 'data-tier="super"' in page


def test_a_bureau_failure_is_a_message_not_an_error_page(logged_in: Client, fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((502, {}, 0))

    response = logged_in.post(reverse("members:credit_check"), follow=True)

    assert response.status_code == 200
    assert "try again later" in response.content.decode()


def test_a_member_corrects_their_details(logged_in: Client, member: Member) -> None:
    response = logged_in.post(
        reverse("members:account"),
        {
            "email": "li.new@example.com",
            "mobile": member.mobile,
            "preferred_language": member.preferred_language,
            "licence_number": "",
            "licence_expires_on": "2035-01-01",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user.username == "li.new@example.com"
    assert member.licence_expires_on == date(2035, 1, 1)
    assert member.audit_events.get(action="profile_corrected").data == {
        "fields": ["email", "licence_expires_on"]
    }


def test_a_member_downloads_their_data(logged_in: Client) -> None:
    response = logged_in.get(reverse("members:account_export"))

    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["account"]["email"] == "li@example.com"


def test_a_member_deletes_their_account(logged_in: Client, member: Member) -> None:
    wrong = logged_in.post(reverse("members:account_delete"), {"password": "nope"})
    done = logged_in.post(reverse("members:account_delete"), {"password": "pw-for-tests-1"})

    assert wrong.status_code == 200
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.anonymised_at is not None
    assert logged_in.get(reverse("testdrives:membership")).status_code == 302
