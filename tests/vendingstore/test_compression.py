"""Public pages go out compressed; pages with a member's secrets never do (BREACH)."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import CarModelFactory, PaintFactory
from tests.fixtures.world import make_member

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def catalogue(db) -> None:
    for _ in range(12):
        PaintFactory(car_model=CarModelFactory())


def test_the_catalogue_is_sent_compressed(client, catalogue):
    plain = client.get(reverse("fleet:catalogue"))
    packed = client.get(reverse("fleet:catalogue"), **GZIP)

    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert b"<html" in gzip.decompress(packed.content)


def test_the_account_pages_and_the_api_are_not_compressed(client):
    client.force_login(make_member(score=760).user)

    for url in (reverse("members:account"), "/api/v1/testdrives/", reverse("testdrives:membership")):
        response = client.get(url, **GZIP)
        assert not response.has_header("Content-Encoding"), url
