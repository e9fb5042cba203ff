"""The worker keeps its database connection between tasks, under Django's own rules."""

from types import SimpleNamespace

from vendingstore import celery


def test_celerys_fixup_does_not_close_the_connection_around_every_task() -> None:
    assert celery.app.conf.get("CELERY_DB_REUSE_MAX") >= 100


def test_it_tidies_connections_around_a_worker_task_as_around_a_request(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(celery, "close_old_connections", lambda: calls.append(1))

    celery.db_connections_tidy(sender=SimpleNamespace(request=SimpleNamespace(is_eager=False)))

    assert calls == [1]


def test_it_leaves_an_eager_tasks_connection_alone(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(celery, "close_old_connections", lambda: calls.append(1))

    celery.db_connections_tidy(sender=SimpleNamespace(request=SimpleNamespace(is_eager=True)))

    assert calls == []
