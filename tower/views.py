"""The controller's webhook: ``POST /tower/<code>/events/``, signed (see docs/TOWER_PROTOCOL.md)."""

import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fleet.models import Tower
from tower.conf import secret_for
from tower.inbox import BadEvent, event_store, events_apply, has_gap
from tower.protocol import signature_is_valid
from tower.tasks import tower_catch_up_task
from vendingstore.queueing import delay_on_commit

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def tower_events_webhook(request: HttpRequest, code: str) -> JsonResponse:
    """Store and apply one event. 403 (nothing stored) for a bad signature or a timestamp outside
    ``TOWER_WEBHOOK_WINDOW_SECONDS``; 400 for a body that is not an event of this tower; else 200,
    also for a duplicate (already stored: the sender may stop retrying)."""
    tower = get_object_or_404(Tower, code=code)
    body = request.body
    if not signature_is_valid(
        secret_for(tower.code), request.headers, body, tolerance_s=settings.TOWER_WEBHOOK_WINDOW_SECONDS
    ):
        logger.warning("refused an unsigned or stale webhook for %s", tower.code)
        return JsonResponse({"ok": False, "reason": "bad_signature"}, status=403)
    return _receive(tower, body)


def _receive(tower: Tower, body: bytes) -> JsonResponse:
    """Store, apply what follows without a gap, and queue a catch-up if a gap remains."""
    try:
        new = event_store(tower=tower, event=json.loads(body), via="webhook")
    except (ValueError, BadEvent) as error:
        return JsonResponse({"ok": False, "reason": "bad_event", "detail": str(error)}, status=400)
    applied = events_apply(tower=tower)
    if has_gap(tower=tower):
        _catch_up_later(tower.pk)
    return JsonResponse({"ok": True, "new": new, "applied": applied})


def _catch_up_later(tower_pk: int) -> None:
    """Queue a catch-up from the log; if the broker is down, the beat's reconcile catches up."""
    delay_on_commit(tower_catch_up_task, tower_pk)
