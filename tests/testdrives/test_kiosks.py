"""Kiosk tokens: made once, stored only as a hash, found only while the kiosk is active."""

import hashlib
from datetime import timedelta

import pytest

from testdrives.models import Kiosk
from testdrives.services.kiosks import kiosk_create, kiosk_deactivate, kiosk_for_token, kiosk_rotate_token
from tests.fixtures.world import MORNING

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(store, staff, clock) -> tuple[Kiosk, str]:
    return kiosk_create(store=store, name="Entrance", by=staff)


def test_it_stores_only_the_sha256_of_the_token(made) -> None:
    kiosk, token = made

    kiosk.refresh_from_db()
    assert kiosk.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {kiosk.token_hash, kiosk.name}
    assert len(token) >= 40
    assert kiosk.is_active


def test_every_kiosk_gets_its_own_token(store, staff) -> None:
    tokens = {kiosk_create(store=store, name=f"Tablet {n}", by=staff)[1] for n in range(3)}

    assert len(tokens) == 3


def test_it_finds_the_active_kiosk_of_a_token_with_its_store(made, store) -> None:
    kiosk, token = made

    found = kiosk_for_token(token)

    assert found == kiosk
    assert found.store == store


def test_it_finds_no_kiosk_for_an_unknown_or_empty_token(made) -> None:
    _kiosk, token = made

    assert kiosk_for_token(token + "x") is None
    assert kiosk_for_token("") is None


def test_a_deactivated_kiosk_is_not_found(made) -> None:
    kiosk, token = made

    assert kiosk_deactivate(kiosk=kiosk) is True
    assert kiosk_deactivate(kiosk=kiosk) is False
    assert kiosk_for_token(token) is None


def test_a_rotated_token_replaces_the_old_one(made) -> None:
    kiosk, old = made

    new = kiosk_rotate_token(kiosk=kiosk)

    assert new != old
    assert kiosk_for_token(old) is None
    assert kiosk_for_token(new) == kiosk


def test_it_records_the_kiosk_as_seen_at_most_once_a_minute(made, clock) -> None:
    kiosk, token = made

    kiosk_for_token(token)
    clock.move_to(MORNING + timedelta(seconds=50))
    kiosk_for_token(token)
    kiosk.refresh_from_db()
    assert kiosk.last_seen_at == MORNING

    clock.move_to(MORNING + timedelta(seconds=61))
    seen = kiosk_for_token(token)
    kiosk.refresh_from_db()
    assert kiosk.last_seen_at == MORNING + timedelta(seconds=61)
    assert seen.last_seen_at == kiosk.last_seen_at


def test_a_recent_poll_writes_nothing(made, clock, django_assert_num_queries) -> None:
    _kiosk, token = made
    kiosk_for_token(token)

    with django_assert_num_queries(1):  # the lookup only: the mark it read is recent
        kiosk_for_token(token)
