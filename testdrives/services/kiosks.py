"""Kiosk devices: the tablets at a store's entrance and the tokens they sign in with.

A token is shown to staff once, when it is made; we keep only its SHA-256. A stolen database
therefore holds no usable token, and a lost tablet is cut off by deactivating its kiosk or
rotating its token.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from fleet.models import Store
from testdrives.models import Kiosk

# How stale ``last_seen_at`` may get: a kiosk polls every few seconds, and a write per poll
# would only contend with bookings for the database.
LAST_SEEN_EVERY = timedelta(minutes=1)


def kiosk_token_new() -> str:
    """A fresh token: 256 random bits, URL-safe, to paste into the tablet's setup page."""
    return secrets.token_urlsafe(32)


def kiosk_token_hash(token: str) -> str:
    """The stored form of a token: hex SHA-256 (64 characters, ``Kiosk.token_hash``)."""
    return hashlib.sha256(token.encode()).hexdigest()


def kiosk_create(*, store: Store, name: str, by: User) -> tuple[Kiosk, str]:
    """A new active kiosk for ``store`` and its token. The token is returned only here: show it
    to staff once and never store it."""
    token = kiosk_token_new()
    kiosk = Kiosk.objects.create(store=store, name=name, token_hash=kiosk_token_hash(token), created_by=by)
    return kiosk, token


def kiosk_rotate_token(*, kiosk: Kiosk) -> str:
    """Give ``kiosk`` a new token; the old one stops working at once. Returns the new token."""
    token = kiosk_token_new()
    kiosk.token_hash = kiosk_token_hash(token)
    kiosk.save(update_fields=["token_hash"])
    return token


def kiosk_deactivate(*, kiosk: Kiosk) -> bool:
    """Stop ``kiosk``'s token from signing in. False: it was inactive already."""
    return bool(Kiosk.objects.filter(pk=kiosk.pk, is_active=True).update(is_active=False))


def kiosk_for_token(token: str) -> Kiosk | None:
    """The active kiosk signing in with ``token`` (its store loaded), or None.

    Records the kiosk as seen, at most once per ``LAST_SEEN_EVERY``: a poll that finds a recent
    mark sends no UPDATE, and the conditional UPDATE writes nothing when a concurrent poll just
    did.
    """
    if not token:
        return None
    kiosk = (
        Kiosk.objects.select_related("store")
        .filter(token_hash=kiosk_token_hash(token), is_active=True)
        .first()
    )
    if kiosk is None:
        return None
    now = timezone.now()
    if kiosk.last_seen_at is not None and kiosk.last_seen_at >= now - LAST_SEEN_EVERY:
        return kiosk
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - LAST_SEEN_EVERY)
    if Kiosk.objects.filter(stale, pk=kiosk.pk).update(last_seen_at=now):
        kiosk.last_seen_at = now
    return kiosk
