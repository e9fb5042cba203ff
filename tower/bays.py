"""Which bay a move goes to: free, in service, and not promised to another open command."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from fleet.models import Bay, BayKind, Tower
from tower.models import OPEN, OPEN_STATUSES, TowerCommand


def bays_unreserved(tower: Tower) -> QuerySet[Bay]:
    """Empty, in-service bays of ``tower`` that no open command moves a car into or out of."""
    reserved = TowerCommand.objects.filter(OPEN).filter(
        Q(target_bay=OuterRef("pk")) | Q(source_bay=OuterRef("pk"))
    )
    return Bay.objects.filter(tower=tower, is_enabled=True, vehicle__isnull=True).exclude(Exists(reserved))


def delivery_bays_free(tower: Tower) -> QuerySet[Bay]:
    """The delivery bays of ``tower`` with no car and no open command into or out of them."""
    return bays_unreserved(tower).filter(kind=BayKind.DELIVERY)


def delivery_bay_for_retrieve(tower: Tower) -> Bay | None:
    """A free delivery bay, by number; None when every one is taken or promised."""
    return delivery_bays_free(tower).order_by("position", "pk").first()


def storage_bay_for_stow(tower: Tower) -> Bay | None:
    """A free storage bay for a car going back into storage: the lowest one above the staging
    levels (kept free for pre-staged cars), else the lowest anywhere."""
    free = storage_bays_free(tower)
    return free.filter(level__gt=settings.TOWER_STAGING_LEVELS).first() or free.first()


def storage_bays_free(tower: Tower) -> QuerySet[Bay]:
    """Free storage bays nearest the delivery bays first (the lowest levels: the shortest lift
    trip). Pre-staging takes them from the staging levels, a store from above them."""
    return bays_unreserved(tower).filter(kind=BayKind.STORAGE).order_by("level", "position", "pk")


def bay_free(*, store_id: int, kind: str) -> Bay | None:
    """An empty, in-service bay of ``kind`` in the store's towers: delivery bays by number, storage
    bays lowest level first (the shortest lift trip). A bay an open tower command moves a car
    into is not free. Read it under the caller's transaction; the one-car-per-bay constraint
    settles a race."""
    return (
        Bay.objects.filter(tower__store_id=store_id, kind=kind, is_enabled=True, vehicle__isnull=True)
        .exclude(inbound_commands__status__in=OPEN_STATUSES)
        .order_by("level", "position", "pk")
        .first()
    )
