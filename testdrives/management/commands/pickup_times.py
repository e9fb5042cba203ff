"""How long pickups really take, from the transition log: the numbers the tower benchmark
(bench/tower_day.py) assumes and predicts, measured at the store.

    manage.py pickup_times [--days 30] [--store SLUG]
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fleet.models import Store
from testdrives.selectors import pickup_times
from tower.protocol import percentiles  # the benchmark's own definition, so they compare


class Command(BaseCommand):
    help = (
        "Check-in → verified, verified → ready, and the members' drive-out and drive-in times per "
        "store, from the transition log and the bay gates."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30, help="pickups checked in this many days back")
        parser.add_argument("--store", help="one store by slug (default: every store)")

    def handle(self, *args: Any, days: int, store: str | None, **options: Any) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1")
        stores = Store.objects.order_by("slug")
        if store:
            stores = stores.filter(slug=store)
            if not stores.exists():
                raise CommandError(f"no store with slug {store!r}")
        since = timezone.now() - timedelta(days=days)
        for each in stores:
            times = pickup_times(since=since, store=each)
            self.stdout.write(f"{each.name} ({each.slug}), last {days} days:")
            rows = (
                ("check-in → verified, face", times.check_in_to_verified_face, "pickups"),
                ("check-in → verified, staff", times.check_in_to_verified_staff, "pickups"),
                ("verified → car ready (wait)", times.verified_to_ready, "pickups"),
                ("drive-out (ready → left bay)", times.drive_out, "pickups"),
                ("drive-in (returned → left bay)", times.drive_in, "returns"),
            )
            for label, values, what in rows:
                summary = ", ".join(f"{k} {v}" for k, v in percentiles(values).items())
                self.stdout.write(f"  {label:>30}: {len(values)} {what}, {summary}")
            face = sorted(times.check_in_to_verified_face)
            if len(face) >= 20:  # enough for the 5th–95th percentile range to mean something
                low, high = face[round(0.05 * (len(face) - 1))], face[round(0.95 * (len(face) - 1))]
                self.stdout.write(f"  bench/tower_day.py --kiosk-min {low:.0f} --kiosk-max {high:.0f}")
            if len(times.drive_out) >= 20 and len(times.drive_in) >= 20:  # the model takes one value each
                out, into = _median(times.drive_out), _median(times.drive_in)
                self.stdout.write(f"  bench/tower_bays.py --drive-out-s {out:.0f} --drive-in-s {into:.0f}")


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]
