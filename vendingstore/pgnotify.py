"""PostgreSQL's LISTEN/NOTIFY: a request that waits for another process's commit is woken by it,
instead of reading the database again and again.

The database stays the source of truth: a notification only says "look again now". PostgreSQL
delivers a NOTIFY when its transaction commits, and never when it rolls back, so a waiter that
is woken always finds the change. Where nothing can be heard (SQLite, or a waiter inside a
transaction, whose LISTEN would start only at its commit), waiting is sleeping, and the caller's
next look finds the change as before.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.db import connection


def notify(channel: str) -> None:
    """Wake the waiters listening on ``channel`` when the current transaction commits (at once
    outside one). Nothing on a database without notifications."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [channel])


class Listener(NamedTuple):
    """``wait(seconds)`` returns when a notification arrives or after ``seconds``; ``hears`` is
    False where no notification can arrive (``wait`` then only sleeps)."""

    hears: bool
    wait: Callable[[float], None]


@contextmanager
def listening(channel: str) -> Iterator[Listener]:
    """Listen on ``channel`` for the ``with`` block. Listening starts before the block, so a commit
    after the caller's first look always wakes it; it stops at the end (the connection may serve
    other requests next). ``channel`` must be a plain identifier (letters, digits, underscores).
    """
    if not channel.isidentifier():
        raise ValueError(f"not a channel name: {channel!r}")
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield Listener(hears=False, wait=lambda seconds: time.sleep(seconds))
        return
    with connection.cursor() as cursor:
        cursor.execute(f'LISTEN "{channel}"')
    pg = connection.connection

    def wait(seconds: float) -> None:
        for _ in pg.notifies(timeout=seconds, stop_after=1):
            break

    try:
        yield Listener(hears=True, wait=wait)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'UNLISTEN "{channel}"')
        for _ in pg.notifies(timeout=0):  # one that came meanwhile must not wake the next waiter
            pass
