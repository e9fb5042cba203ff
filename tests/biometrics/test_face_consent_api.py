"""Consent through the API, so a phone app needs no web page: the versioned text in the member's
language (saying where face data is kept and for how long), giving it, and withdrawing it."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken
from rest_framework.test import APIClient

from biometrics.consent import CONSENT_VERSION
from biometrics.models import BiometricConsent, FaceTemplate
from biometrics.services import consent_withdraw
from tests.biometrics.test_face_model_change import old_template

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/face-consent/"


@pytest.fixture
def api(super_member) -> APIClient:
    consent_withdraw(member=super_member)  # the booking fixture's member consented: start without
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=super_member.user)[1]}")
    return client


@pytest.mark.parametrize(
    ("language", "where", "how_long"),
    [("en", "store's own servers", "30 days"), ("zh-hans", "本店自己的服务器", "30 天")],
)
def test_it_gives_the_versioned_text_in_the_members_language(
    api, super_member, language, where, how_long
) -> None:
    super_member.preferred_language = language
    super_member.save()

    body = api.get(URL).json()

    assert body["version"] == CONSENT_VERSION
    assert body["language"] == language
    assert body["given"] is False
    text = " ".join(body["paragraphs"])
    assert where in text
    assert "encrypted" in text if language == "en" else "加密" in text
    assert how_long in text


def test_a_member_gives_and_withdraws_consent_through_the_api(api, super_member) -> None:
    given = api.post(URL, {"agree": True, "version": CONSENT_VERSION}, format="json")

    assert given.status_code == 201
    assert given.json()["given"] is True
    assert given.json()["given_version"] == CONSENT_VERSION
    assert BiometricConsent.objects.filter(member=super_member, withdrawn_at__isnull=True).count() == 1
    old_template(super_member)

    withdrawn = api.delete(URL)

    assert withdrawn.status_code == 200
    assert withdrawn.json()["given"] is False
    assert not FaceTemplate.objects.filter(member=super_member).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"agree": False}, "agree"), ({"agree": True, "version": "2020-01"}, "version"), ({}, "agree")],
)
def test_it_refuses_consent_not_given_or_given_to_another_text(api, super_member, payload, field) -> None:
    response = api.post(URL, payload, format="json")

    assert response.status_code == 400
    assert field in str(response.json())
    assert not BiometricConsent.objects.filter(member=super_member, withdrawn_at__isnull=True).exists()


def test_it_needs_a_signed_in_member() -> None:
    assert APIClient().get(URL).status_code == 401


def test_the_consent_operations_are_in_the_openapi_schema() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert set(paths["/api/v1/me/face-consent/"]) >= {"get", "post", "delete"}
