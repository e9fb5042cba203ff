"""Keeping our records and the controller's in step: catching up the event log, comparing
inventories, holding the tower on a mismatch, and the operator actions (hold, clear, load).

Storage bays change only by tower moves, so after the log is applied up to the controller's
high-water seq they must agree exactly; any difference is an incident and a hold. Delivery bays
also change when a customer drives in or out, which the controller cannot see: when only they
differ and the tower is idle, our occupancy is loaded into it.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from fleet.models import Bay, Tower
from tower.client import ControllerUnreachable, TowerClient, client_for
from tower.inbox import catch_up, tower_link
from tower.incidents import incident_raise, tower_hold_for_mismatch
from tower.models import IncidentKind, TowerLink

logger = logging.getLogger(__name__)


def inventory_ours(tower: Tower) -> dict[str, str | None]:
    """Every bay of the tower → the VIN we have in it (None: empty), in one query."""
    bays = (
        Bay.objects.filter(tower=tower)
        .select_related("vehicle")
        .only("kind", "level", "position", "vehicle__vin")
    )
    # An empty bay has no reverse ``vehicle``: getattr's default covers its AttributeError.
    return {bay.code: getattr(getattr(bay, "vehicle", None), "vin", None) for bay in bays}


def inventory_diff(ours: dict[str, str | None], theirs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Bays where the two maps disagree: ``{code: {"ours": vin, "tower": vin}}``."""
    codes = set(ours) | set(theirs)
    return {
        code: {"ours": ours.get(code), "tower": theirs.get(code)}
        for code in sorted(codes)
        if (ours.get(code) or None) != (theirs.get(code) or None)
    }


def _is_delivery(code: str) -> bool:
    return code.startswith("D")


def _idle(state: dict[str, Any]) -> bool:
    return not state.get("queued") and not any(lift.get("command_id") for lift in state.get("lifts") or [])


def _remember(tower: Tower, state: dict[str, Any]) -> None:
    TowerLink.objects.filter(tower=tower).update(
        speed=float(state.get("speed") or 1.0),
        lifts_busy=sum(1 for lift in state.get("lifts") or [] if lift.get("command_id")),
        reachable=True,
    )


def tower_reconcile(*, tower: Tower) -> str:
    """One round for one tower: read its state, catch up the log, compare inventories.

    Returns what it found: ``unreachable``, ``reset``, ``busy`` (changed under us; next round),
    ``mismatch``, ``loaded`` (delivery bays loaded) or ``ok``.
    """
    client = client_for(tower)
    if client is None:
        return "unconfigured"
    link = tower_link(tower)
    try:
        state = client.state()
        _remember(tower, state)
        if int(state.get("high_water_seq") or 0) < link.applied_seq:
            incident_raise(
                tower=tower,
                kind=IncidentKind.UNREACHABLE,
                summary="The controller's event log restarted from the beginning: load the inventory "
                "(manage.py tower_sync_inventory) after checking the tower",
                detail={"high_water_seq": state.get("high_water_seq")},
            )
            return "reset"
        catch_up(tower=tower, client=client)
        return _compare(tower, client, state)
    except ControllerUnreachable as error:
        TowerLink.objects.filter(tower=tower).update(reachable=False)
        logger.info("tower %s unreachable: %s", tower.code, error)
        return "unreachable"


def _compare(tower: Tower, client: TowerClient, state: dict[str, Any]) -> str:
    with transaction.atomic():
        link = TowerLink.objects.select_for_update().get(tower=tower)
        if link.applied_seq != int(state.get("high_water_seq") or 0):
            return "busy"  # the log moved on since the state was read: compare next round
        link.mode = str(state.get("mode") or link.mode)[:8]
        link.save(update_fields=["mode"])
        diffs = inventory_diff(inventory_ours(tower), state.get("inventory") or {})
        storage = {code: d for code, d in diffs.items() if not _is_delivery(code)}
        if storage:
            tower_hold_for_mismatch(
                tower=tower, diffs=storage, summary=f"{len(storage)} storage bay(s) differ from the tower"
            )
            return "mismatch"
        if diffs and _idle(state) and link.mode == "auto":
            return "loaded" if _load(tower, client) else "busy"
    return "ok"


def tower_delivery_sync(*, tower: Tower, client: TowerClient, state: dict[str, Any]) -> bool:
    """Load our delivery-bay occupancy into an idle tower before a move that needs it. True when
    the tower now agrees with us; False when it is busy or not in auto (try again later)."""
    if not _idle(state) or state.get("mode") != "auto":
        return False
    catch_up(tower=tower, client=client)
    fresh = client.state()
    return _compare(tower, client, fresh) in ("ok", "loaded")


def _load(tower: Tower, client: TowerClient) -> bool:
    """PUT our inventory. Call holding the tower's link row lock, right after comparing (only
    delivery bays differ). The controller refuses it (409) if a command opened meanwhile."""
    bays = {code: vin for code, vin in inventory_ours(tower).items() if vin}
    answer = client.put_inventory(bays)
    if answer.status != 200:
        logger.info("inventory load refused by %s: %s", tower.code, answer.reason)
        return False
    TowerLink.objects.filter(tower=tower).update(inventory_loaded_at=timezone.now())
    return True


# --- operator actions -----------------------------------------------------------------------


def tower_inventory_push(*, tower: Tower) -> str:
    """Seed the controller from our database (``manage.py tower_sync_inventory``): only when no
    command is open, after catching up. A controller whose log restarted (new state directory)
    starts a new epoch of our inbox. Returns ``loaded``, ``busy`` or ``unreachable``."""
    client = client_for(tower)
    if client is None:
        return "unconfigured"
    try:
        state = client.state()
        if not _idle(state):
            return "busy"
        with transaction.atomic():
            link = TowerLink.objects.select_for_update().get_or_create(tower=tower)[0]
            if int(state.get("high_water_seq") or 0) < link.applied_seq:
                link.epoch, link.applied_seq = link.epoch + 1, 0
                link.save(update_fields=["epoch", "applied_seq"])
        catch_up(tower=tower, client=client)
        with transaction.atomic():
            TowerLink.objects.select_for_update().get(tower=tower)
            loaded = _load(tower, client)
        _remember(tower, client.state())
        return "loaded" if loaded else "busy"
    except ControllerUnreachable:
        return "unreachable"


def tower_hold(*, tower: Tower, reason: str) -> bool:
    """Ask the controller to hold (staff or a mismatch). False when it did not answer."""
    client = client_for(tower)
    try:
        return client is not None and client.hold(reason).status == 200
    except ControllerUnreachable:
        return False


def tower_clear(*, tower: Tower, reason: str) -> bool:
    """Staff clear a hold or an e-stop (operator token). False when refused or unanswered."""
    client = client_for(tower)
    if client is None:
        return False
    try:
        answer = client.clear(reason)
    except ControllerUnreachable:
        return False
    if answer.status == 200:
        TowerLink.objects.filter(tower=tower).update(mode=str(answer.body.get("mode") or "auto")[:8])
    return answer.status == 200
