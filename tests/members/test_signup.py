"""Issue 13, item 5: sign-up proves the mobile first, and tells a stranger nothing about who is
registered; the owner of an existing account is told instead."""

import logging
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from members.demo import demo_id_number
from members.models import Member
from members.services.signup import (
    SignupCodeExpired,
    SignupCodeRefused,
    SignupCodesExhausted,
    SignupLinkInvalid,
    SignupNotPossible,
    signup_code_check,
    signup_code_send,
    signup_finish,
)
from tests.signup_steps import finish_token, texted_code

pytestmark = pytest.mark.django_db
BORN = date(1990, 4, 4)


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    cache.clear()


def details(**overrides: object) -> dict:
    return {
        "email": "wang@example.com",
        "mobile": "13900000077",
        "password": "a-long-test-password-1",
        "full_name": "Wang Fang",
        "id_number": demo_id_number(BORN, 8),
        "date_of_birth": BORN.isoformat(),
        "licence_number": "DL7777777",
        "licence_expires_on": (timezone.localdate() + timedelta(days=900)).isoformat(),
        "preferred_language": "en",
        **overrides,
    }


def register(caplog, body: dict) -> object:
    api = APIClient()
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        challenge = api.post("/api/v1/members/register/code/", {"mobile": body["mobile"]}).json()["challenge"]
    code = texted_code(caplog, body["mobile"][-4:])
    rest = {k: v for k, v in body.items() if k != "mobile"}
    return api.post(
        "/api/v1/members/register/", {**rest, "challenge": challenge, "code": code}, format="json"
    )


def test_it_refuses_details_without_the_texted_code() -> None:
    response = APIClient().post(
        "/api/v1/members/register/", {**details(), "challenge": "x", "code": "123456"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "signup_code_expired"


def test_a_wrong_code_is_refused_and_five_wrong_codes_spend_the_challenge(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        challenge = signup_code_send(mobile="13900000077")
    code = texted_code(caplog, "0077")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    for _ in range(5):
        with pytest.raises(SignupCodeRefused):
            signup_code_check(challenge=challenge, code=wrong)
    with pytest.raises(SignupCodeExpired):
        signup_code_check(challenge=challenge, code=code)


def test_a_code_expires(caplog, settings) -> None:
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        challenge = signup_code_send(mobile="13900000077")
    code = texted_code(caplog, "0077")

    later = timezone.now() + timedelta(minutes=settings.SIGNUP_CODE_MINUTES + 1)
    with time_machine.travel(later), pytest.raises(SignupCodeExpired):
        signup_code_check(challenge=challenge, code=code)


def test_one_number_gets_only_a_few_codes() -> None:
    for _ in range(3):
        signup_code_send(mobile="13900000077")

    with pytest.raises(SignupCodesExhausted):
        signup_code_send(mobile="13900000077")


@pytest.mark.parametrize(
    "taken",
    ["email", "id_number", "mobile"],
)
def test_a_taken_detail_gets_the_same_answer_as_a_free_one(
    taken: str, caplog, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        free = register(caplog, details())
    mail.outbox.clear()
    Member.objects.all().delete()
    existing = register_directly(email="first@example.com", mobile="13900000011", id_seq=9)
    clash = {
        "email": {"email": "first@example.com"},
        "id_number": {"id_number": demo_id_number(BORN, 9)},
        "mobile": {"mobile": "13900000011"},
    }[taken]

    with django_capture_on_commit_callbacks(execute=True):
        again = register(caplog, details(**clash))

    assert (again.status_code, again.json()) == (free.status_code, free.json()) == (202, free.json())
    assert ["first@example.com"] in [m.to for m in mail.outbox]  # the owner is told
    assert not any("/account/signup/finish/" in m.body for m in mail.outbox)
    assert Member.objects.get() == existing


def register_directly(*, email: str, mobile: str, id_seq: int) -> Member:
    from members.services import member_register

    return member_register(
        **{
            **details(email=email, mobile=mobile, id_number=demo_id_number(BORN, id_seq)),
            "date_of_birth": BORN,
        }
        | {"licence_expires_on": timezone.localdate() + timedelta(days=900)}
    )


def test_the_link_opens_the_account_once(caplog, eager_tasks, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        register(caplog, details())
    token = finish_token("wang@example.com")

    member = signup_finish(token=token)

    assert member.user.check_password("a-long-test-password-1")
    assert member.mobile == "+8613900000077"
    with pytest.raises(SignupNotPossible):
        signup_finish(token=token)


def test_the_link_expires_and_cannot_be_forged(
    caplog, settings, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        register(caplog, details())
    token = finish_token("wang@example.com")

    with pytest.raises(SignupLinkInvalid):
        signup_finish(token=token[:-2] + "xx")
    later = timezone.now() + timedelta(hours=settings.SIGNUP_LINK_HOURS + 1)
    with time_machine.travel(later), pytest.raises(SignupLinkInvalid):
        signup_finish(token=token)
    assert not Member.objects.exists()
