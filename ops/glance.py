"""Each store at a glance for the console: towers (mode, lifts busy), delivery bays (free, car
waiting, disabled), kiosks (last seen) and today's pickups and returns by state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from fleet.models import Bay, BayKind, Store
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
    now = timezone.now()
    result = []
    links = {link.tower_id: link for link in TowerLink.objects.filter(tower__store__in=stores)}
    for store in stores:
        glance = StoreGlance(store=store)
        for tower in store.towers.all():
            link = links.get(tower.pk)
            glance.towers.append(
                {
                    "code": tower.code,
                    "mode": link.mode if link else "—",
                    "lifts": tower.lifts,
                    "lifts_busy": link.lifts_busy if link else 0,
                    "reason": link.mode_reason if link else "",
                }
            )
        bays = Bay.objects.filter(tower__store=store, kind=BayKind.DELIVERY).select_related(
            "vehicle", "tower"
        )
        for bay in bays.order_by("tower__code", "position"):
            vehicle = getattr(bay, "vehicle", None)
            status = "disabled" if not bay.is_enabled else ("car" if vehicle else "free")
            glance.bays.append({"bay": bay, "status": status, "vin": vehicle.vin if vehicle else ""})
        for kiosk in Kiosk.objects.filter(store=store, is_active=True).order_by("name"):
            online = (
                kiosk.last_seen_at is not None
                and (now - kiosk.last_seen_at).total_seconds() < KIOSK_ONLINE_SECONDS
            )
            glance.kiosks.append({"name": kiosk.name, "last_seen": kiosk.last_seen_at, "online": online})
        start, end = _today(store)
        drives = TestDrive.objects.filter(store=store).select_related("car_model__brand")
        glance.pickups = list(drives.filter(slot_start__gte=start, slot_start__lt=end).order_by("slot_start"))
        glance.returns = list(
            drives.filter(
                Q(due_back_at__gte=start, due_back_at__lt=end)
                | Q(returned_at__gte=start, returned_at__lt=end)
            ).order_by("due_back_at")
        )
        result.append(glance)
    return result
