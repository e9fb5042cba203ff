"""Queueing Celery tasks after a commit without letting a broker outage fail the caller.

The caller's change is already committed when the task is queued; a broker that is down at that
moment must not turn a successful request into a 500. Every task queued this way has a beat sweep
that finds the work still undone and queues it again (notifications, face decisions, enrolments,
car moves, tower commands), so a lost message only delays it.
"""

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

from vendingstore.celery import app

logger = logging.getLogger(__name__)


def task_by_name(name: str) -> Any:
    """The store's app's task registered as ``name`` (whichever Celery app is current).

    A task registers when its module is imported, and a web process imports only the tasks
    modules its code happens to import (a sign-up queues ``members.tasks.signup_mail_send`` by
    name, and nothing in the web process imports ``members.tasks``). A name not registered yet
    has Celery's autodiscovery import every app's tasks module (once), as a worker does at start.
    """
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def delay_safely(task: Any, *args: object) -> bool:
    """``task.delay(*args)``; False (and a warning in the log) when the broker cannot take it.

    ``task`` is a task or its registered name: a service queues its own app's task by name, so the
    services need not import the tasks module that imports them (no cycle, no deferred import)."""
    if isinstance(task, str):
        task = task_by_name(task)
    try:
        task.delay(*args)
    except OperationalError:
        logger.warning("broker unavailable: %s%s not queued; its sweep will queue it again", task.name, args)
        return False
    return True


def delay_on_commit(task: Any, *args: object) -> None:
    """Queue ``task`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: delay_safely(task, *args))
