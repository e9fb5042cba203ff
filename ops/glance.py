"""Each store at a glance for the console: towers (mode, lifts busy), delivery bays (free, car
waiting, disabled), kiosks (last seen) and today's pickups and returns by state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from fleet.models import Bay, BayKind, Store, Tower
from testdrives.models import Kiosk, TestDrive
from tower.models import TowerLink

KIOSK_ONLINE_SECONDS = 120


@dataclass
class StoreGlance:
    store: Store
    towers: list[dict[str, object]] = field(default_factory=list)
    bays: list[dict[str, object]] = field(default_factory=list)
    kiosks: list[dict[str, object]] = field(default_factory=list)
    pickups: list[TestDrive] = field(default_factory=list)
    returns: list[TestDrive] = field(default_factory=list)


def _today(store: Store) -> tuple[datetime, datetime]:
    local = timezone.localtime(timezone.now(), ZoneInfo(store.time_zone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def stores_glance(*, stores: list[Store]) -> list[StoreGlance]:
    """One glance per store, in a fixed number of queries however many stores (the console polls
    this every few seconds): each kind of row is read once for all stores and sorted out here."""
    now = timezone.now()
    glances = {store.pk: StoreGlance(store=store) for store in stores}
    links = {link.tower_id: link for link in TowerLink.objects.filter(tower__store__in=stores)}
    for tower in Tower.objects.filter(store__in=stores).order_by("code"):
        link = links.get(tower.pk)
        glances[tower.store_id].towers.append(
            {
                "code": tower.code,
                "mode": link.mode if link else "—",
                "lifts": tower.lifts,
                "lifts_busy": link.lifts_busy if link else 0,
                "reason": link.mode_reason if link else "",
            }
        )
    bays = Bay.objects.filter(tower__store__in=stores, kind=BayKind.DELIVERY).select_related(
        "vehicle", "tower"
    )
    for bay in bays.order_by("tower__code", "position"):
        vehicle = getattr(bay, "vehicle", None)
        status = "disabled" if not bay.is_enabled else ("car" if vehicle else "free")
        glances[bay.tower.store_id].bays.append(
            {"bay": bay, "status": status, "vin": vehicle.vin if vehicle else ""}
        )
    for kiosk in Kiosk.objects.filter(store__in=stores, is_active=True).order_by("name"):
        online = (
            kiosk.last_seen_at is not None
            and (now - kiosk.last_seen_at).total_seconds() < KIOSK_ONLINE_SECONDS
        )
        glances[kiosk.store_id].kiosks.append(
            {"name": kiosk.name, "last_seen": kiosk.last_seen_at, "online": online}
        )
    # "Today" is each store's own local day.
    days = {store.pk: _today(store) for store in stores}
    pickups, returns = Q(pk__in=[]), Q(pk__in=[])
    for store_id, (start, end) in days.items():
        pickups |= Q(store_id=store_id, slot_start__gte=start, slot_start__lt=end)
        returns |= Q(store_id=store_id) & (
            Q(due_back_at__gte=start, due_back_at__lt=end) | Q(returned_at__gte=start, returned_at__lt=end)
        )
    drives = TestDrive.objects.select_related("car_model__brand")
    for td in drives.filter(pickups).order_by("slot_start"):
        glances[td.store_id].pickups.append(td)
    for td in drives.filter(returns).order_by("due_back_at"):
        glances[td.store_id].returns.append(td)
    return [glances[store.pk] for store in stores]
