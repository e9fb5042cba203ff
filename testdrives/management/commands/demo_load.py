from django.core.management.base import BaseCommand

from fleet.demo import demo_load_fleet
from members.demo import demo_load_accounts
from testdrives.demo import demo_load_testdrives


class Command(BaseCommand):
    help = "Load the demo stores, towers, catalogue, vehicles and accounts. Safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        fleet = demo_load_fleet()
        accounts = demo_load_accounts()
        drives = demo_load_testdrives()
        self.stdout.write(
            f"demo data: {fleet['brands']} brands, {fleet['models']} models, {fleet['stores']} stores, "
            f"{fleet['new_vehicles']} vehicles added, {accounts['members']} demo members, "
            f"{drives['kiosks']} kiosks added"
        )
