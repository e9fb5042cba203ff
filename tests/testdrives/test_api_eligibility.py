"""GET /api/v1/me/eligibility/: may I test-drive this model? (testdrives' booking eligibility)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from members.models import Member
from tests.factories import CarModelFactory, CreditReportFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> Member:
    return MemberFactory(user__username="li@example.com", user__email="li@example.com")


@pytest.fixture
def logged_in(member: Member) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=member.user)[1]}")
    return api


def test_eligibility_for_a_model_lists_every_rule_and_the_fee(logged_in: APIClient, member: Member) -> None:
    CreditReportFactory(member=member, score=650)
    car = CarModelFactory(msrp_cny=420_000)

    body = logged_in.get("/api/v1/me/eligibility/", {"model": car.slug}).json()

    assert body["model"] == car.slug
    assert len(body["rules"]) == 8
    failed = {r["code"] for r in body["rules"] if not r["passed"]}
    assert failed == {"credit_score", "face_pickup"}
    # Face pickup is optional (staff check the ID instead): the fee makes up for the low score.
    assert not next(r for r in body["rules"] if r["code"] == "face_pickup")["required"]
    assert (body["decision"], body["fee_cny"]) == ("allowed_with_fee", 198)
    quota = next(r for r in body["rules"] if r["code"] == "quota_rolling")
    assert (quota["used"], quota["limit"]) == (0, 5)


def test_eligibility_at_a_future_start(logged_in: APIClient, member: Member) -> None:
    car = CarModelFactory()
    member.licence_expires_on = timezone.localdate() + timedelta(days=10)
    member.save()

    soon = logged_in.get("/api/v1/me/eligibility/", {"model": car.slug}).json()
    later = logged_in.get(
        "/api/v1/me/eligibility/", {"model": car.slug, "at": (timezone.now() + timedelta(days=9)).isoformat()}
    ).json()

    assert next(r for r in soon["rules"] if r["code"] == "driving_licence")["passed"]
    assert not next(r for r in later["rules"] if r["code"] == "driving_licence")["passed"]


def test_eligibility_for_an_unknown_model_is_404(logged_in: APIClient) -> None:
    assert logged_in.get("/api/v1/me/eligibility/", {"model": "no-such-car"}).status_code == 404
    assert logged_in.get("/api/v1/me/eligibility/").status_code == 400
