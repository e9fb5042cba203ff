"""Issue 13, items 3 and 4: lockout per account however it is named, a per-address limit on failed
logins across accounts, lockout cleared by a password reset; API tokens that expire and are revoked."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    cache.clear()


def log_in(api: APIClient, username: str, password: str = PASSWORD) -> int:
    return api.post(TOKEN_URL, {"username": username, "password": password}).status_code


def use(token: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get("/api/v1/me/").status_code


# --- item 3 ---------------------------------------------------------------------------------


def test_a_lockout_by_email_also_holds_for_the_same_account_by_mobile(member: Member, settings) -> None:
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(api, "LI@example.com", "wrong")

    assert log_in(api, member.mobile) == 429
    assert log_in(api, member.mobile[3:]) == 429  # the same number without +86


def test_failures_by_mobile_and_by_email_add_up_on_one_account(member: Member, settings) -> None:
    api = APIClient()
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(api, member.mobile if n % 2 else "li@example.com", "wrong")

    assert log_in(api, "li@example.com") == 429


def test_one_password_over_many_accounts_from_one_address_meets_a_429(settings) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS_RATE = "10/15min"
    api = APIClient()
    accounts = [MemberFactory().user.username for _ in range(15)]

    codes = [log_in(api, name, "Summer2026!") for name in accounts]

    assert codes[:10] == [400] * 10
    assert set(codes[10:]) == {429}
    assert (
        APIClient()
        .post(TOKEN_URL, {"username": accounts[0], "password": "x"}, REMOTE_ADDR="192.0.2.9")
        .status_code
        == 400
    )


def test_the_portal_login_also_meets_the_per_address_limit(settings, client) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS_RATE = "3/15min"
    for n in range(3):
        client.post(reverse("members:login"), {"username": f"nobody{n}@example.com", "password": "x"})

    page = client.post(reverse("members:login"), {"username": "nobody9@example.com", "password": "x"})

    assert page.status_code == 429
    assert "from your address" in page.content.decode()


def test_a_password_reset_lifts_the_lockout(
    member: Member, settings, client, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(api, "li@example.com", "wrong")
    assert log_in(api, "li@example.com") == 429

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:password_reset"), {"email": "li@example.com"})
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"})

    assert log_in(api, "li@example.com", "brand-new-pass-42") == 200


# --- item 4 ---------------------------------------------------------------------------------


def test_a_token_expires_after_the_idle_time(member: Member, settings) -> None:
    token = APIClient().post(TOKEN_URL, {"username": "li@example.com", "password": PASSWORD}).json()["token"]
    idle = settings.REST_KNOX["TOKEN_TTL"]

    with time_machine.travel(timezone.now() + idle - timedelta(hours=2)):
        assert use(token) == 200  # used: the expiry moves on
    with time_machine.travel(timezone.now() + 2 * idle - timedelta(hours=4)):
        assert use(token) == 200
    with time_machine.travel(timezone.now() + 3 * idle + timedelta(days=1)):
        assert use(token) == 401


def test_a_password_change_revokes_every_token(member: Member) -> None:
    token = APIClient().post(TOKEN_URL, {"username": "li@example.com", "password": PASSWORD}).json()["token"]

    member.user.set_password("another-password-9")
    member.user.save()

    assert use(token) == 401


def test_rehashing_the_password_at_login_does_not_revoke_tokens(member: Member) -> None:
    token = AuthToken.objects.create(user=member.user)[1]

    member.user.set_password(PASSWORD)
    member.user.save(update_fields=["password"])

    assert use(token) == 200


def test_a_member_lists_and_revokes_their_tokens(member: Member) -> None:
    phone = APIClient().post(TOKEN_URL, {"username": "li@example.com", "password": PASSWORD}).json()["token"]
    tablet = APIClient().post(TOKEN_URL, {"username": "li@example.com", "password": PASSWORD}).json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {phone}")

    listed = api.get("/api/v1/auth/tokens/").json()
    revoked = api.post(f"/api/v1/auth/tokens/{tablet[:15]}/revoke/")

    assert {t["key"] for t in listed} == {phone[:15], tablet[:15]}
    assert [t["current"] for t in listed if t["key"] == phone[:15]] == [True]
    assert revoked.status_code == 204
    assert use(tablet) == 401
    assert use(phone) == 200


def test_a_member_cannot_revoke_someone_elses_token(member: Member) -> None:
    other = AuthToken.objects.create(user=MemberFactory().user)[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=member.user)[1]}")

    assert api.post(f"/api/v1/auth/tokens/{other[:15]}/revoke/").status_code == 404
    assert use(other) == 200


def test_log_out_everywhere_revokes_every_token(member: Member) -> None:
    tokens = [AuthToken.objects.create(user=member.user)[1] for _ in range(3)]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")

    assert api.post("/api/v1/auth/logout-everywhere/").status_code == 204
    assert [use(t) for t in tokens] == [401, 401, 401]


def test_anonymising_a_member_revokes_their_tokens(member: Member) -> None:
    from members.services import member_anonymise

    token = AuthToken.objects.create(user=member.user)[1]

    member_anonymise(member=member, actor=MemberFactory().user, reason="asked")

    assert use(token) == 401


def test_a_password_reset_answers_alike_for_known_and_unknown_addresses(
    member: Member, client, django_capture_on_commit_callbacks
) -> None:
    """The same work in the request either way (no account look-up, no mail): the look-up and the
    mail happen in a task, so the answer's timing says nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answers = []
    for email in ("li@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
            response = client.post(reverse("members:password_reset"), {"email": email})
        answers.append((response.status_code, response["Location"], len(queries), len(queued)))

    assert answers[0] == answers[1]
    assert answers[0][3] == 1  # one task queued, in both cases
    assert mail.outbox == []
