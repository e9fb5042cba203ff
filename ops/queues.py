"""What needs a person now, read live from the store's own tables (selectors; nothing written).

Each source yields ``Need`` rows: a kind, the key of the thing, its store, since when it waits,
and a subject line an operator understands at a glance ("Shanghai Hongqiao: booking NFN2QJFN
locked after 5 failed face checks"). Subjects are English: they go to e-mail and SMS alerts
too, whose readers share one language in the operations room; the console labels are translated.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from fleet.models import Store
from ops.models import QueueItem, QueueKind
from testdrives.models import CAR_WANTED, IdCheck, IdCheckStatus, Payment, PaymentStatus, State, TestDrive
from testdrives.services.dispatch import dispatcher
from tower.models import IncidentStatus, TowerIncident, TowerLink


@dataclass(frozen=True)
class Need:
    kind: str
    key: str
    store: Store
    since: datetime
    subject: str
    test_drive: TestDrive | None = None
    item: QueueItem | None = None  # the claim/alert row, when there is one

    @property
    def age(self) -> timedelta:
        return timezone.now() - self.since

    @property
    def target(self) -> int:
        """The pk the console's actions take: the check, booking or payment; for a tower item the
        incident (``incident-<pk>``) or the tower (``mode-<pk>``)."""
        return int(self.key.rsplit("-", 1)[-1])

    @property
    def tower_item(self) -> str:
        """For a tower item, "incident" or "mode"; "" otherwise."""
        return self.key.split("-", 1)[0] if self.kind == QueueKind.TOWER else ""


def _drives(states: Iterable[str], stores: list[Store] | None) -> QuerySet[TestDrive]:
    qs = TestDrive.objects.filter(state__in=list(states)).select_related(
        "store", "member", "car_model__brand"
    )
    return qs.filter(store__in=stores) if stores is not None else qs


def _id_checks(stores: list[Store] | None) -> Iterator[Need]:
    qs = IdCheck.objects.filter(status=IdCheckStatus.WAITING).select_related(
        "test_drive__store", "test_drive__member"
    )
    if stores is not None:
        qs = qs.filter(test_drive__store__in=stores)
    for check in qs:
        td = check.test_drive
        yield Need(
            QueueKind.ID_CHECK,
            str(check.pk),
            td.store,
            check.created_at,
            f"{td.store.name}: booking {td.pickup_code} waits for a remote ID check at the kiosk",
            td,
        )


# A booking in one of these states needs a person: its queue, since when, and what to say.
_BOOKING_NEEDS: dict[str, tuple[str, Callable[[TestDrive], datetime], str]] = {
    State.LOCKED: (
        QueueKind.LOCKED,
        lambda td: td.updated_at,
        "{store}: booking {code} locked after {attempts} failed face checks",
    ),
    State.RETURNED: (
        QueueKind.RETURN_REVIEW,
        lambda td: td.returned_at or td.updated_at,
        "{store}: returned car of booking {code} waits for review",
    ),
    State.DISPATCH_FAILED: (
        QueueKind.DISPATCH_FAILED,
        lambda td: td.updated_at,
        "{store}: the tower could not bring the car of booking {code}",
    ),
    State.OVERDUE: (
        QueueKind.OVERDUE,
        lambda td: td.due_back_at or td.updated_at,
        "{store}: car of booking {code} is overdue",
    ),
    # Ready, and nobody opened the gate (only once OPS_WALKED_AWAY_MINUTES have passed).
    State.READY: (
        QueueKind.WALKED_AWAY,
        lambda td: td.updated_at,
        "{store}: car of booking {code} waits in bay {bay} and nobody came",
    ),
}


def _bookings(stores: list[Store] | None) -> Iterator[Need]:
    walked = timezone.now() - timedelta(minutes=settings.OPS_WALKED_AWAY_MINUTES)
    for td in _drives(list(_BOOKING_NEEDS), stores):
        if td.state == State.READY and td.updated_at > walked:
            continue
        if td.state == State.OVERDUE and td.reported_missing_at is not None:
            continue  # an operator reported it: nothing more to do until it comes back
        kind, since, subject = _BOOKING_NEEDS[td.state]
        text = subject.format(
            store=td.store.name,
            code=td.pickup_code,
            attempts=settings.TESTDRIVE_FACE_ATTEMPTS_MAX,
            bay=td.delivery_bay_id,
        )
        yield Need(kind, str(td.pk), td.store, since(td), text, td)


def _gates_open(stores: list[Store] | None) -> Iterator[Need]:
    """Returned cars still standing in their delivery bay ``OPS_GATE_OPEN_MINUTES`` after the
    return, the bay's gate not closed behind the member: nobody else can use that bay, and the tower
    will not stow a car someone may stand beside. Only where the tower reports its gates."""
    if not dispatcher().gate_reported():
        return
    before = timezone.now() - timedelta(minutes=settings.OPS_GATE_OPEN_MINUTES)
    # A car its next booking sent for stays down for that pickup: nobody waits on that gate.
    wanted = TestDrive.objects.filter(
        vehicle=OuterRef("vehicle"), state__in=[*CAR_WANTED, State.READY]
    ).exclude(pk=OuterRef("pk"))
    qs = (
        _drives([State.RETURNED, State.COMPLETED], stores)
        .filter(bay_left_at__isnull=True, returned_at__lte=before, vehicle__bay=F("delivery_bay"))
        .exclude(Exists(wanted))
    )
    for td in qs.select_related("delivery_bay"):
        bay = td.delivery_bay.code if td.delivery_bay else "?"
        yield Need(
            QueueKind.GATE_OPEN,
            str(td.pk),
            td.store,
            td.returned_at or td.updated_at,
            f"{td.store.name}: the gate of bay {bay} has not closed since booking {td.pickup_code}'s car "
            "was returned (someone still inside, or the gate stuck)",
            td,
        )


def _payments(stores: list[Store] | None) -> Iterator[Need]:
    since = timezone.now() - timedelta(hours=24)
    qs = Payment.objects.filter(status=PaymentStatus.FAILED, created_at__gte=since).select_related(
        "test_drive__store"
    )
    if stores is not None:
        qs = qs.filter(test_drive__store__in=stores)
    for payment in qs:
        td = payment.test_drive
        yield Need(
            QueueKind.PAYMENT_FAILED,
            str(payment.pk),
            td.store,
            payment.created_at,
            f"{td.store.name}: payment of CNY {payment.amount_cny} for booking {td.pickup_code} failed",
            td,
        )


def _towers(stores: list[Store] | None) -> Iterator[Need]:
    incidents = TowerIncident.objects.filter(status__in=[IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED])
    incidents = incidents.select_related("tower__store")
    if stores is not None:
        incidents = incidents.filter(tower__store__in=stores)
    for incident in incidents:
        store = incident.tower.store
        yield Need(
            QueueKind.TOWER,
            f"incident-{incident.pk}",
            store,
            incident.raised_at,
            f"{store.name}: tower {incident.tower.code}: {incident.summary}",
        )
    links = TowerLink.objects.filter(mode__in=["hold", "estop"]).select_related("tower__store")
    if stores is not None:
        links = links.filter(tower__store__in=stores)
    for link in links:
        store = link.tower.store
        yield Need(
            QueueKind.TOWER,
            f"mode-{link.tower_id}",
            store,
            link.inventory_loaded_at or timezone.now(),
            f"{store.name}: tower {link.tower.code} is in {link.mode} ({link.mode_reason or 'no reason given'})",
        )


def needs_open(*, stores: list[Store] | None = None) -> list[Need]:
    """Everything that needs a person now (in ``stores``, or all), oldest first, each with its
    claim/alert row when one exists."""
    found = [
        *_id_checks(stores),
        *_bookings(stores),
        *_gates_open(stores),
        *_payments(stores),
        *_towers(stores),
    ]
    items = {
        (item.kind, item.key): item
        for item in QueueItem.objects.filter(closed_at__isnull=True).select_related("claimed_by")
    }
    rows = [
        Need(n.kind, n.key, n.store, n.since, n.subject, n.test_drive, items.get((n.kind, n.key)))
        for n in found
    ]
    return sorted(rows, key=lambda n: n.since)


def need_get(*, kind: str, key: str) -> Need | None:
    return next((n for n in needs_open() if n.kind == kind and n.key == key), None)
