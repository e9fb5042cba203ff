from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vendingstore.health import heartbeat_age, run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and at least one Celery worker answer; 503 otherwise."""
    checks = run_checks()
    redis_ok = next(c.ok for c in checks if c.name == "redis")
    healthy = all(c.ok for c in checks)
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        # Informational: a stale heartbeat means beat is down, which no request depends on.
        # Not asked when Redis is down: it would only wait out another timeout.
        "beat_heartbeat_age_s": heartbeat_age() if redis_ok else None,
    }
    return JsonResponse(body, status=200 if healthy else 503)
