"""Seed each tower controller's inventory from our database, when the tower is idle.

    manage.py tower_sync_inventory [--tower sha-t1] [--wait 60]

Run by bin/run after the simulators start. ``--wait`` keeps trying (a controller still starting,
or busy) for that many seconds. Exits 1 if a tower could not be loaded.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fleet.models import Tower
from tower.conf import controller_url_for
from tower.reconcile import tower_inventory_push


class Command(BaseCommand):
    help = "Load our bay → VIN inventory into each idle tower controller (PUT /v1/inventory)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tower", action="append", help="a tower code (repeatable); default: all")
        parser.add_argument("--wait", type=float, default=0.0, help="seconds to keep trying")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = options["tower"] or [
            t.code for t in Tower.objects.order_by("code") if controller_url_for(t.code)
        ]
        deadline = time.monotonic() + float(options["wait"])
        failed = []
        for code in codes:
            outcome = self._push(Tower.objects.get(code=code), deadline)
            self.stdout.write(f"{code}: {outcome}")
            if outcome != "loaded":
                failed.append(code)
        if failed:
            raise SystemExit(1)

    def _push(self, tower: Tower, deadline: float) -> str:
        while True:
            outcome = tower_inventory_push(tower=tower)
            if outcome in ("loaded", "unconfigured") or time.monotonic() >= deadline:
                return outcome
            time.sleep(1.0)
