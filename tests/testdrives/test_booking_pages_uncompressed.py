"""A page with a pickup code is never compressed (BREACH; vendingstore/compression.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_booking_page_with_its_pickup_code_is_not_compressed(client, book, super_member):
    td = book(super_member)
    client.force_login(super_member.user)

    response = client.get(reverse("testdrives:detail", args=[td.pk]), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert td.pickup_code in response.content.decode()
