from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = _("Fleet")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fleet.models import Vehicle
        from fleet.signals import vehicle_saved

        # Every change of a car goes through save() (vehicle_place, vehicle_take_out, the admin);
        # bulk writes (the CSV import) send vehicles_changed themselves. A deleted car frees nothing.
        post_save.connect(vehicle_saved, sender=Vehicle, dispatch_uid="fleet.vehicle_saved")
