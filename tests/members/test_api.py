"""The members API: register, token, me, credit check, eligibility, export, delete."""

import logging
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from members.demo import demo_id_number
from members.models import Member
from tests.factories import MemberFactory
from tests.members.conftest import FakeBureau
from tests.signup_steps import finish_token, texted_code

pytestmark = pytest.mark.django_db
BORN = date(1995, 7, 1)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def logged_in(api: APIClient, member: Member) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=member.user)[1]}")
    return api


def registration(**overrides: object) -> dict:
    return {
        "email": "chen@example.com",
        "mobile": "13600000001",
        "password": "a-long-test-password-1",
        "full_name": "Chen Jie",
        "id_number": demo_id_number(BORN, 5),
        "date_of_birth": BORN.isoformat(),
        "licence_number": "DL1234567",
        "licence_expires_on": (timezone.localdate() + timedelta(days=800)).isoformat(),
        "preferred_language": "en",
        **overrides,
    }


def register(api: APIClient, caplog, details: dict) -> object:
    """Steps 1 and 2 of the API sign-up: a code texted to the mobile, then the code and details."""
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        challenge = api.post("/api/v1/members/register/code/", {"mobile": details["mobile"]}).json()[
            "challenge"
        ]
    body = {k: v for k, v in details.items() if k != "mobile"}
    code = texted_code(caplog, details["mobile"][-4:])
    return api.post(
        "/api/v1/members/register/", {**body, "challenge": challenge, "code": code}, format="json"
    )


def test_it_registers_and_returns_a_working_token(
    api: APIClient, caplog, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        accepted = register(api, caplog, registration())
    assert accepted.status_code == 202, accepted.json()

    response = api.post("/api/v1/members/register/finish/", {"token": finish_token("chen@example.com")})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["member"]["email"] == "chen@example.com"
    assert body["member"]["id_number_last4"] == demo_id_number(BORN, 5)[-4:]
    assert "id_number" not in body["member"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get("/api/v1/me/").json()["full_name"] == "Chen Jie"


def test_a_duplicate_id_number_is_not_told_to_the_caller_but_to_its_owner(
    api: APIClient, caplog, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    owner = MemberFactory(user__email="owner@example.com", user__username="owner@example.com")
    from members.identity import secret_store

    stored = secret_store(demo_id_number(BORN, 5))
    Member.objects.filter(pk=owner.pk).update(
        id_number_hash=stored.hash, id_number_encrypted=stored.encrypted
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = register(api, caplog, registration(email="x@example.com", mobile="13600000002"))

    assert response.status_code == 202
    assert [m.to for m in mail.outbox] == [["owner@example.com"], ["x@example.com"]]
    assert "tried to open a Vending Store account" in mail.outbox[0].body
    assert "/account/signup/finish/" not in mail.outbox[1].body


def test_a_token_for_email_or_mobile(api: APIClient, member: Member) -> None:
    by_email = api.post("/api/v1/auth/token/", {"username": "LI@example.com", "password": "pw-for-tests-1"})
    by_mobile = api.post("/api/v1/auth/token/", {"username": member.mobile, "password": "pw-for-tests-1"})

    assert by_email.status_code == by_mobile.status_code == 200
    # One token per login (per device), both for the one account.
    owners = {AuthToken.objects.get(token_key=r.json()["token"][:15]).user_id for r in (by_email, by_mobile)}
    assert owners == {member.user_id}


def test_the_api_locks_out_after_repeated_failures(api: APIClient, member: Member, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            api.post("/api/v1/auth/token/", {"username": "li@example.com", "password": "wrong"}).status_code
            == 400
        )

    locked = api.post("/api/v1/auth/token/", {"username": "li@example.com", "password": "wrong"})
    still_locked = api.post(
        "/api/v1/auth/token/", {"username": "li@example.com", "password": "pw-for-tests-1"}
    )

    assert locked.status_code == 429
    assert still_locked.status_code == 429
    assert still_locked.json()["code"] == "locked_out"
    assert "token" not in still_locked.json()


def test_me_needs_a_login(api: APIClient) -> None:
    assert api.get("/api/v1/me/").status_code == 401


def test_me_shows_every_rule_in_both_languages(logged_in: APIClient) -> None:
    body = logged_in.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert body["tier"] == "standard"
    assert body["credit_report"] is None
    credit = next(r for r in body["rules"] if r["code"] == "credit_score")
    assert credit["passed"] is False
    assert set(credit["reason"]) == {"en", "zh-hans"}
    assert credit["message"] == credit["reason"]["zh-hans"]


def test_a_credit_check_returns_the_new_tier(logged_in: APIClient, member: Member, staff) -> None:
    from members.services import member_set_score_override

    member_set_score_override(member=member, actor=staff, score=720, reason="test")

    response = logged_in.post("/api/v1/me/credit-check/")

    assert response.status_code == 201
    assert response.json()["tier"] == "super"
    assert response.json()["credit_report"]["score"] == 720


def test_a_bureau_failure_is_a_503_that_says_try_again_later(
    logged_in: APIClient, fake_bureau: FakeBureau
) -> None:
    fake_bureau.answer((500, {}, 0))

    response = logged_in.post("/api/v1/me/credit-check/")

    assert response.status_code == 503
    assert response.json()["code"] == "credit_bureau_unavailable"
    assert "try again later" in response.json()["detail"]


def test_a_member_corrects_their_mobile_but_not_their_name(logged_in: APIClient, member: Member) -> None:
    response = logged_in.post(
        "/api/v1/me/update/", {"mobile": "13911112222", "full_name": "Someone Else"}, format="json"
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.mobile == "+8613911112222"
    assert member.full_name != "Someone Else"


def test_export_and_delete(logged_in: APIClient, member: Member) -> None:
    export = logged_in.get("/api/v1/me/export/")
    wrong = logged_in.post("/api/v1/me/delete/", {"password": "nope"})
    deleted = logged_in.post("/api/v1/me/delete/", {"password": "pw-for-tests-1"})

    assert export.status_code == 200
    assert export.json()["account"]["email"] == "li@example.com"
    assert wrong.status_code == 400
    assert deleted.status_code == 204
    assert logged_in.get("/api/v1/me/").status_code == 401


def test_logging_out_revokes_the_token(logged_in: APIClient) -> None:
    assert logged_in.post("/api/v1/auth/token/delete/").status_code == 204
    assert logged_in.get("/api/v1/me/").status_code == 401
