import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_it_is_healthy_with_database_redis_and_a_worker(client, celery_worker_process) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "redis", "celery"}


def test_it_answers_503_and_names_redis_when_redis_is_down(client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["celery"] == {"ok": False, "detail": "broker down"}
    assert body["checks"]["database"]["ok"] is True


def test_it_is_never_cached(client, celery_worker_process) -> None:
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_a_load_balancer_probing_by_private_address_gets_an_answer(client, settings) -> None:
    settings.ALLOWED_HOSTS = ["store.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # fast: no worker ping without a broker
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is True
    assert client.get("/", HTTP_HOST="10.0.3.17:8000").status_code == 400
