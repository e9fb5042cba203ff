"""vendingstore.pgnotify: a waiter woken by another connection's commit (PostgreSQL only)."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from tests.fixtures.database import worker_database_url
from vendingstore.pgnotify import listening, notify

pytestmark = [
    pytest.mark.django_db(transaction=True),  # LISTEN and NOTIFY take effect at commit
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"),
]

LONG_S = 5.0  # a wait's bound far beyond the notification's time: reached only when not woken


def notify_later(channel: str, *, after_s: float = 0.2, commit: bool = True) -> threading.Thread:
    """Another connection (a worker, say) notifies ``channel`` in a transaction ``after_s`` from now."""

    def run() -> None:
        time.sleep(after_s)
        with psycopg.connect(worker_database_url()) as other:
            other.execute("SELECT pg_notify(%s, '')", [channel])
            if not commit:
                other.rollback()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_commit_elsewhere_wakes_the_waiter_at_once() -> None:
    with listening("pgnotify_test") as listener:
        sender = notify_later("pgnotify_test")
        started = time.monotonic()
        listener.wait(LONG_S)
        waited = time.monotonic() - started
    sender.join()

    assert listener.hears
    assert 0.1 < waited < 2.0


def test_a_rolled_back_notification_wakes_no_one() -> None:
    with listening("pgnotify_test") as listener:
        sender = notify_later("pgnotify_test", commit=False)
        started = time.monotonic()
        listener.wait(1.0)
        waited = time.monotonic() - started
    sender.join()

    assert waited >= 0.9


def test_it_stops_listening_at_the_end_and_forgets_what_came_meanwhile() -> None:
    with listening("pgnotify_test"):
        notify("pgnotify_test")  # our own connection is in autocommit: delivered at once
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_listening_channels()")
        assert cursor.fetchall() == []

    with listening("pgnotify_test") as listener:
        started = time.monotonic()
        listener.wait(0.5)
        assert time.monotonic() - started >= 0.4  # not woken by the earlier notification


def test_it_only_sleeps_inside_a_transaction() -> None:
    from django.db import transaction

    with transaction.atomic(), listening("pgnotify_test") as listener:
        assert not listener.hears


def test_a_channel_must_be_a_plain_name() -> None:
    with pytest.raises(ValueError, match="channel"), listening('x"; DROP TABLE y; --'):
        pass
